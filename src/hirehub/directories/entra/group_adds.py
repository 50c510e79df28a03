"""Group membership adds of many joiners, coalesced into Graph's 20-member ``PATCH /groups/{id}``.

Graph binds up to 20 members in one write (``members@odata.bind``), where ``POST /groups/{id}/members/$ref`` spends
one write per member. A hiring wave puts many joiners into the same few groups, but each joiner is its own
``provisioning.sync`` job: only a coalescer shared by the jobs of one process (one per directory tenant and app,
like the write budget) can put their adds together. The first add opens a short window; the window closes when a
group in it has 20 members or its time is up, and then one ``PATCH`` per group carries them all, the PATCHes of
every group in one ``$batch``.

Each caller still gets its own outcome. Graph refuses a ``PATCH`` whole when one reference is bad (a member already
present: 400 "added object references already exist"; a member gone: 404 after the client's retries of eventual
consistency), so a refused ``PATCH`` of several members falls back to one ``$batch`` of per-member
``POST …/members/$ref``: a member already
present is the desired state, and one member's failure is that member's alone. 429/503 that outlasted the client's
retries are every member's answer (the whole write was refused; the job retries).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from hirehub.directories.entra.graph import BATCH_LIMIT, BatchRequest, GraphClient
from hirehub.directories.entra.graph_errors import GraphError

MEMBERS_PER_PATCH = 20
"""Graph's limit of ``members@odata.bind`` references in one group ``PATCH``."""
DEFAULT_WINDOW_SECONDS = 0.2
"""How long the first add waits for others: about one Graph round trip, so the adds of the jobs running side by
side arrive, while a joiner's job waits no longer than one more call."""
BUSY = (429, 503, 504)


def already_member(error: GraphError) -> bool:
    """Graph's refusal of a reference that is there already (the desired state, not a failure)."""
    return error.status == 400 and "already exist" in error.message


@dataclass
class _Window:
    """The adds waiting to be sent: group → member → the future its callers await."""

    graph: GraphClient
    groups: dict[str, dict[str, asyncio.Future[GraphError | None]]] = field(default_factory=dict)
    full: asyncio.Event = field(default_factory=asyncio.Event)


class GroupAdds:
    """One coalescer per (directory tenant, app) in a process; ``await add(graph, group, member)`` returns None once
    the member is in the group, or Graph's error for that member.

    One window is open at a time for every group: when it closes, each group's members go in one ``PATCH`` and
    the PATCHes of all groups in one ``$batch`` (a joiner is usually added to several groups at once)."""

    def __init__(self, *, window_seconds: float = DEFAULT_WINDOW_SECONDS) -> None:
        self.window_seconds = window_seconds
        self._open: _Window | None = None
        self._flushes: set[asyncio.Task[None]] = set()
        self.patches = 0
        """Group PATCHes sent (the tests and the benchmark read it)."""
        self.known: dict[str, tuple[str, str]] = {}
        """Group id and display name by the name a step gives (case-folded): the look-up every add needs, kept for
        the process (a group that 404s is dropped and looked up again)."""

    async def add(self, graph: GraphClient, group_id: str, member_id: str) -> GraphError | None:
        window = self._open
        if window is None:
            window = self._open = _Window(graph)
            task = asyncio.ensure_future(self._flush_when_closed(window))
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)
        members = window.groups.setdefault(group_id, {})
        future = members.get(member_id)
        if future is None:  # the same member twice (two steps naming one group): one reference, one answer
            future = members[member_id] = asyncio.get_running_loop().create_future()
        if len(members) >= MEMBERS_PER_PATCH or len(window.groups) >= BATCH_LIMIT:
            self._close(window)
        return await asyncio.shield(future)

    def _close(self, window: _Window) -> None:
        if self._open is window:
            self._open = None
        window.full.set()

    async def _flush_when_closed(self, window: _Window) -> None:
        with contextlib.suppress(TimeoutError):  # the window's time is up before it filled
            await asyncio.wait_for(window.full.wait(), self.window_seconds)
        self._close(window)
        futures = [
            (group, member, future) for group, members in window.groups.items() for member, future in members.items()
        ]
        try:
            answers = await self._send(window.graph, {group: list(members) for group, members in window.groups.items()})
        except BaseException as failure:  # unreachable, a refused token: every caller raises it as its own
            for _, _, future in futures:
                if not future.done():
                    future.set_exception(failure)
            if not isinstance(failure, Exception):
                raise
            return
        for group, member, future in futures:
            if not future.done():
                future.set_result(answers.get((group, member)))

    async def _send(self, graph: GraphClient, groups: dict[str, list[str]]) -> dict[tuple[str, str], GraphError | None]:
        """One PATCH per group, all in one ``$batch``; a PATCH refused for a reason of one member is sent again as
        one ``POST …/members/$ref`` per member."""
        patches = [
            BatchRequest(
                group,
                "PATCH",
                f"/groups/{group}",
                {"members@odata.bind": [_ref(graph, member) for member in members]},
                retry_not_found=True,
            )
            for group, members in groups.items()
        ]
        self.patches += len(patches)
        responses = await graph.batch(patches)
        answers: dict[tuple[str, str], GraphError | None] = {}
        one_by_one: list[tuple[str, str]] = []
        for group, members in groups.items():
            response = responses[group]
            error = None if response.ok else response.error()
            if error is None or (already_member(error) and len(members) == 1):
                answers.update({(group, member): None for member in members})
            elif error.status in BUSY or len(members) == 1:
                answers.update({(group, member): error for member in members})
            else:
                one_by_one += [(group, member) for member in members]
        if one_by_one:
            answers.update(await self._one_by_one(graph, one_by_one))
        return answers

    @staticmethod
    async def _one_by_one(graph: GraphClient, adds: list[tuple[str, str]]) -> dict[tuple[str, str], GraphError | None]:
        requests = {
            f"{n}": BatchRequest(
                f"{n}",
                "POST",
                f"/groups/{group}/members/$ref",
                {"@odata.id": _ref(graph, member)},
                retry_not_found=True,
            )
            for n, (group, member) in enumerate(adds)
        }
        responses = await graph.batch(requests.values())
        answers: dict[tuple[str, str], GraphError | None] = {}
        for n, add in enumerate(adds):
            response = responses[f"{n}"]
            error = None if response.ok else response.error()
            answers[add] = None if error is None or already_member(error) else error
        return answers


def _ref(graph: GraphClient, member: str) -> str:
    return f"{graph.base_url}/directoryObjects/{member}"
