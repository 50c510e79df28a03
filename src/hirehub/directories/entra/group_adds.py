"""Group membership adds of many joiners, coalesced into Graph's 20-member ``PATCH /groups/{id}``.

Graph binds up to 20 members in one write (``members@odata.bind``), where ``POST /groups/{id}/members/$ref`` spends
one write per member. A hiring wave puts many joiners into the same few groups, but each joiner is its own
``provisioning.sync`` job: only a coalescer shared by the jobs of one process (one per directory tenant and app,
like the write budget) can put their adds together. The first add to a group opens a short window; the window
closes when it has 20 members or its time is up, and then one ``PATCH`` carries them all.

Each caller still gets its own outcome. Graph refuses a ``PATCH`` whole when one reference is bad (a member already
present: 400 "added object references already exist"; a member too new to see, or gone: 404), so a refused
``PATCH`` of several members falls back to one ``$batch`` of per-member ``POST …/members/$ref``: a member already
present is the desired state, and one member's failure is that member's alone. 429/503 that outlasted the client's
retries are every member's answer (the whole write was refused; the job retries).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from hirehub.directories.entra.graph import BatchRequest, GraphClient
from hirehub.directories.entra.graph_errors import GraphError

MEMBERS_PER_PATCH = 20
"""Graph's limit of ``members@odata.bind`` references in one group ``PATCH``."""
DEFAULT_WINDOW_SECONDS = 0.05
"""How long the first add to a group waits for others: short beside a Graph call, long enough for the adds of the
jobs running side by side to arrive."""
BUSY = (429, 503, 504)


def already_member(error: GraphError) -> bool:
    """Graph's refusal of a reference that is there already (the desired state, not a failure)."""
    return error.status == 400 and "already exist" in error.message


@dataclass
class _Window:
    """The adds to one group waiting to be sent: member → the future its callers await."""

    graph: GraphClient
    members: dict[str, asyncio.Future[GraphError | None]] = field(default_factory=dict)
    full: asyncio.Event = field(default_factory=asyncio.Event)


class GroupAdds:
    """One coalescer per (directory tenant, app) in a process; ``await add(graph, group, member)`` returns None once
    the member is in the group, or Graph's error for that member."""

    def __init__(self, *, window_seconds: float = DEFAULT_WINDOW_SECONDS) -> None:
        self.window_seconds = window_seconds
        self._open: dict[str, _Window] = {}
        self._flushes: set[asyncio.Task[None]] = set()
        self.patches = 0
        """Group PATCHes sent (the tests and the benchmark read it)."""
        self.known: dict[str, tuple[str, str]] = {}
        """Group id and display name by the name a step gives (case-folded): the look-up every add needs, kept for
        the process (a group that 404s is dropped and looked up again)."""

    async def add(self, graph: GraphClient, group_id: str, member_id: str) -> GraphError | None:
        window = self._open.get(group_id)
        if window is None:
            window = self._open[group_id] = _Window(graph)
            task = asyncio.ensure_future(self._flush_when_closed(group_id, window))
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)
        future = window.members.get(member_id)
        if future is None:  # the same member twice (two steps naming one group): one reference, one answer
            future = window.members[member_id] = asyncio.get_running_loop().create_future()
        if len(window.members) >= MEMBERS_PER_PATCH:
            self._close(group_id, window)
        return await asyncio.shield(future)

    def _close(self, group_id: str, window: _Window) -> None:
        if self._open.get(group_id) is window:
            del self._open[group_id]
        window.full.set()

    async def _flush_when_closed(self, group_id: str, window: _Window) -> None:
        with contextlib.suppress(TimeoutError):  # the window's time is up before it filled
            await asyncio.wait_for(window.full.wait(), self.window_seconds)
        self._close(group_id, window)
        try:
            answers = await self._send(window.graph, group_id, list(window.members))
        except BaseException as failure:  # unreachable, a refused token: every caller raises it as its own
            for future in window.members.values():
                if not future.done():
                    future.set_exception(failure)
            if not isinstance(failure, Exception):
                raise
            return
        for member, future in window.members.items():
            if not future.done():
                future.set_result(answers.get(member))

    async def _send(self, graph: GraphClient, group_id: str, members: list[str]) -> dict[str, GraphError | None]:
        """One PATCH for all; when Graph refuses it for a reason of one member, each member on its own."""
        refs = [f"{graph.base_url}/directoryObjects/{member}" for member in members]
        self.patches += 1
        try:
            await graph.request("PATCH", f"/groups/{group_id}", json={"members@odata.bind": refs}, retry_not_found=True)
        except GraphError as error:
            if already_member(error) and len(members) == 1:
                return {members[0]: None}
            if error.status in BUSY or len(members) == 1:
                return dict.fromkeys(members, error)
            return await self._one_by_one(graph, group_id, members)
        return dict.fromkeys(members)

    @staticmethod
    async def _one_by_one(graph: GraphClient, group_id: str, members: list[str]) -> dict[str, GraphError | None]:
        requests = [
            BatchRequest(
                member,
                "POST",
                f"/groups/{group_id}/members/$ref",
                {"@odata.id": f"{graph.base_url}/directoryObjects/{member}"},
                retry_not_found=True,
            )
            for member in members
        ]
        responses = await graph.batch(requests)
        answers: dict[str, GraphError | None] = {}
        for member in members:
            response = responses[member]
            error = None if response.ok else response.error()
            answers[member] = None if error is None or already_member(error) else error
        return answers
