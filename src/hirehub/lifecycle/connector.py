"""The connector interface: what the lifecycle engine needs from a directory, and what a directory answers.

The engine plans (purely) and a connector applies. Keeping the interface this small is deliberate: the Entra
connector carries a whole plan in as few Graph writes as Graph permits (JSON ``$batch``, 20-member group adds,
Exchange's ``Set-Mailbox -Type Shared``) and still answers step by step, and the in-memory connector
(:mod:`hirehub.testing.memory_connector`) implements the same contract for tests and benchmarks.

A connector reports, it does not decide. A name collision (Graph's ``ObjectConflict``) comes back as a
``conflict`` result naming the attribute and the name, and choosing the next name is the naming rules' job
(:func:`hirehub.lifecycle.naming.next_after_conflict`). Throttling comes back as ``retry`` with the seconds
Graph asked for, so the engine's job queue can wait instead of hammering. A directory that cannot be reached
at all raises :class:`ConnectorUnavailable` from any method. Its exceptions are kinds of the hub's one error
tree: unreachable is :class:`~hirehub.errors.Unavailable`, a name taken :class:`~hirehub.errors.AlreadyExists`,
two accounts on one anchor a :class:`~hirehub.errors.Conflict`.

Applying stops at the first step that cannot be built upon: a failed creation (nothing exists to change), a
conflict, a throttled step or an unreachable directory; the rest are reported ``skipped``. Other failures (a
manager who has no account yet, a group that does not exist) do not stop the steps after them. Either way the
next plan, computed from a fresh observation, contains exactly what is still missing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from hirehub.errors import AlreadyExists, Conflict, Unavailable
from hirehub.lifecycle.directory_state import DirectoryAccount
from hirehub.lifecycle.planning import CreateAccount, Plan, Step


class ConnectorUnavailable(Unavailable):
    """The directory cannot be reached (network, outage, revoked consent); ``retry_after`` is the number of
    seconds to wait when the directory said so."""

    def __init__(self, message: str = "the directory is unavailable", retry_after: float | None = None) -> None:
        detail = f"{message} (retry after {retry_after:g} s)" if retry_after is not None else message
        super().__init__(detail, retry_after=retry_after)


class NeedsAdministrator(ConnectorUnavailable):
    """The directory refuses until an administrator acts (a delegated grant revoked or expired, a consent
    missing): waiting alone cannot help, so the engine pauses the work instead of retrying it."""


class NameConflict(AlreadyExists):
    """Another object already holds ``name`` as its ``attribute`` (userPrincipalName, mail, mailNickname)."""

    def __init__(self, attribute: str, name: str) -> None:
        self.attribute = attribute
        self.name = name
        super().__init__(f"{attribute} {name!r} is already taken")


class DuplicateAnchor(Conflict):
    """More than one account carries the anchor: acting on either would be a guess, so the engine must stop and
    the reconciler report it."""

    def __init__(self, anchor: str, object_ids: tuple[str, ...]) -> None:
        self.anchor = anchor
        self.object_ids = object_ids
        super().__init__(f"{len(object_ids)} accounts carry the anchor {anchor!r}: {', '.join(object_ids)}")


class Outcome(StrEnum):
    OK = "ok"
    FAILED = "failed"
    RETRY = "retry"
    CONFLICT = "conflict"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StepResult:
    """What became of one step: ``error`` says why it failed, ``retry_after`` how long to wait before trying
    again, and ``conflict`` which name collided."""

    step: Step
    outcome: Outcome
    error: str | None = None
    retry_after: float | None = None
    conflict: NameConflict | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"step": self.step.to_json(), "outcome": self.outcome.value}
        if self.error is not None:
            data["error"] = self.error
        if self.retry_after is not None:
            data["retry_after"] = self.retry_after
        if self.conflict is not None:
            data["conflict"] = {"attribute": self.conflict.attribute, "name": self.conflict.name}
        return data


@dataclass(frozen=True)
class ApplyResult:
    """The results of a plan's steps, in order, and the account as it stands afterwards (None if there is still
    none, e.g. after a conflicting creation)."""

    results: tuple[StepResult, ...]
    account: DirectoryAccount | None

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    @property
    def conflicts(self) -> tuple[NameConflict, ...]:
        return tuple(result.conflict for result in self.results if result.conflict is not None)

    @property
    def retry_after(self) -> float | None:
        """The longest wait any throttled step asked for (None when none was throttled)."""
        waits = [result.retry_after for result in self.results if result.retry_after is not None]
        return max(waits) if waits else None

    def of(self, outcome: Outcome) -> tuple[StepResult, ...]:
        return tuple(result for result in self.results if result.outcome is outcome)


@runtime_checkable
class Connector(Protocol):
    """A directory the lifecycle engine provisions into."""

    async def apply(self, plan: Plan, account: DirectoryAccount | None) -> ApplyResult:
        """Carry out ``plan``'s steps in order against ``account`` (the observed account the plan was computed
        from; None when the plan creates it)."""
        ...

    async def find_by_anchor(self, anchor: str) -> DirectoryAccount | None:
        """The account carrying ``anchor`` as employeeId; raises :class:`DuplicateAnchor` when there are several."""
        ...

    async def list_accounts(self, page_token: str | None) -> tuple[list[DirectoryAccount], str | None]:
        """One page of every account (None for the first page); returns it and the next page's token, or None
        after the last page."""
        ...

    async def name_taken(self, name: str) -> bool:
        """Whether any object holds ``name`` as a userPrincipalName, mail (proxy address) or mailNickname,
        ignoring case."""
        ...


async def all_accounts(connector: Connector) -> AsyncIterator[DirectoryAccount]:
    """Every account, page after page: what a reconciliation compares with HR."""
    token: str | None = None
    while True:
        page, token = await connector.list_accounts(token)
        for account in page:
            yield account
        if token is None:
            return


class StepRefused(Exception):
    """Raised by a connector's step to say the directory refused it for a reason of its own (no such group, no
    account to change): the step is reported ``failed`` and the plan goes on. Never leaves :func:`run_steps`."""


class StepThrottled(Exception):
    """Raised by a connector's step the directory asked to try again later, after ``retry_after`` seconds: the
    step is reported ``retry`` and the rest of the plan skipped. Never leaves :func:`run_steps`."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


Create = Callable[[CreateAccount], Awaitable[str]]
"""Creates the account of a ``create_account`` step; returns its object id."""
Change = Callable[[str, Step], Awaitable[None]]
"""Carries out any other step on the account with that object id."""


async def run_steps(
    plan: Plan, object_id: str | None, *, create: Create, change: Change
) -> tuple[tuple[StepResult, ...], str | None]:
    """Carry out ``plan``'s steps in order the way the contract says (see the module's docstring), every connector
    alike: a step's own refusals become its result, and applying stops at the first step nothing can be built
    upon. Returns the results and the object id of the account afterwards (None if there is still none)."""
    results: list[StepResult] = []
    stopped = False
    for step in plan.steps:
        if stopped:
            results.append(StepResult(step, Outcome.SKIPPED))
            continue
        result, object_id = await _attempt(step, object_id, create, change)
        results.append(result)
        stopped = result.outcome in (Outcome.RETRY, Outcome.CONFLICT) or (
            not result.ok and (isinstance(step, CreateAccount) or object_id is None)
        )
    return tuple(results), object_id


async def _attempt(step: Step, object_id: str | None, create: Create, change: Change) -> tuple[StepResult, str | None]:
    try:
        if isinstance(step, CreateAccount):
            if object_id is not None:
                raise StepRefused(f"the plan creates an account but account {object_id} was given")
            return StepResult(step, Outcome.OK), await create(step)
        if object_id is None:
            raise StepRefused("there is no account to change")
        await change(object_id, step)
    except NameConflict as conflict:
        return StepResult(step, Outcome.CONFLICT, str(conflict), conflict=conflict), object_id
    except StepThrottled as throttled:
        return StepResult(step, Outcome.RETRY, str(throttled), retry_after=throttled.retry_after), object_id
    except StepRefused as refused:
        return StepResult(step, Outcome.FAILED, str(refused)), object_id
    return StepResult(step, Outcome.OK), object_id
