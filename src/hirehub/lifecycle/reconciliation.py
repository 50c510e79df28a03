"""Reconciliation: compare all of HR with all of the directory, and say what has drifted and how to fix it.

Event-driven provisioning misses things (an outage, an administrator's manual edit, an account made by hand),
so a tenant's engine periodically lists every account and compares. The comparison is pure and linear in the
number of workers plus accounts: accounts are indexed by anchor once, then each worker is planned once with
:func:`hirehub.lifecycle.planning.plan`, which is what makes it cheap enough for 100,000 workers against
100,000 accounts. What a worker's plan would change *is* that worker's drift, so the report and its fixes can
never disagree.

Two kinds of drift are reported but never fixed, because any automatic fix would be a guess: *orphans* (an
account anchored to a personnel number no worker has; hirehub never deletes) and *duplicates* (two accounts with
one anchor; which one is the person's is for an administrator to say).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from hirehub.lifecycle.directory_state import DirectoryAccount
from hirehub.lifecycle.expressions import Value
from hirehub.lifecycle.planning import (
    AddToGroup,
    CreateAccount,
    NameCheck,
    Phase,
    Plan,
    PlanningError,
    RemoveFromGroup,
    SetManager,
    UpdateAttributes,
    never,
    plan,
    plan_steps,
)
from hirehub.lifecycle.policy import LifecyclePolicy
from hirehub.lifecycle.worker_view import WorkerView


@dataclass(frozen=True)
class AccountMismatch:
    """How one account differs from what its worker's HR record and the policy say: ``attributes`` maps each
    differing attribute to (directory value, desired value); ``manager`` is (directory, desired) when they
    differ and the policy syncs managers."""

    anchor: str
    object_id: str
    attributes: Mapping[str, tuple[object, Value]] = field(default_factory=dict, hash=False)
    manager: tuple[str | None, str | None] | None = None
    groups_to_add: tuple[str, ...] = ()
    groups_to_remove: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "attributes", MappingProxyType(dict(self.attributes)))


def _mismatch(observed: DirectoryAccount, worker_plan: Plan) -> AccountMismatch | None:
    attributes: dict[str, tuple[object, Value]] = {}
    manager: tuple[str | None, str | None] | None = None
    added: list[str] = []
    removed: list[str] = []
    for step in worker_plan.steps:
        if isinstance(step, UpdateAttributes):
            attributes.update({change.name: (change.before, change.after) for change in step.changes})
        elif isinstance(step, SetManager):
            manager = (step.previous, step.manager_anchor)
        elif isinstance(step, AddToGroup):
            added.append(step.group)
        elif isinstance(step, RemoveFromGroup):
            removed.append(step.group)
    if not (attributes or manager or added or removed):
        return None
    return AccountMismatch(worker_plan.anchor, observed.object_id, attributes, manager, tuple(added), tuple(removed))


def _fold(name: str) -> str:
    return name.strip().casefold()


class _NameBook:
    """The names the directory holds plus the names this run has handed out, so that two new namesakes in one
    reconciliation are not both planned as jose.nunez."""

    def __init__(self, taken: frozenset[str]) -> None:
        self.taken = taken
        self.handed_out: set[str] = set()

    def is_taken(self, name: str) -> bool:
        folded = _fold(name)
        return folded in self.taken or folded in self.handed_out

    def remember(self, worker_plan: Plan) -> None:
        for step in worker_plan.steps:
            if isinstance(step, CreateAccount):
                account = step.account
                names = (account.user_principal_name, account.mail, account.mail_nickname)
                self.handed_out.update(_fold(name) for name in names if name)


@dataclass(frozen=True)
class _Pending:
    worker: WorkerView
    observed: DirectoryAccount | None
    plan: Plan


@dataclass(frozen=True)
class DriftReport:
    """What differs between HR and the directory at ``checked_at``.

    ``orphans``: accounts whose anchor no worker has. ``duplicates``: anchors carried by more than one account.
    ``mismatched``: accounts whose attributes, manager or groups differ from the desired ones.
    ``enabled_leavers``: enabled accounts of workers whose last day has ended. ``missing``: workers who should
    have an account and have none. ``errors``: workers whose data does not fit the policy (anchor -> reason).
    ``unanchored`` counts accounts without an anchor (administrators, service accounts), which are not the
    lifecycle's business.
    """

    checked_at: datetime
    orphans: tuple[DirectoryAccount, ...] = ()
    duplicates: Mapping[str, tuple[DirectoryAccount, ...]] = field(default_factory=dict, hash=False)
    mismatched: tuple[AccountMismatch, ...] = ()
    enabled_leavers: tuple[DirectoryAccount, ...] = ()
    missing: tuple[WorkerView, ...] = ()
    errors: Mapping[str, str] = field(default_factory=dict, hash=False)
    unanchored: int = 0
    _pending: tuple[_Pending, ...] = field(default=(), repr=False)
    _policy: LifecyclePolicy | None = field(default=None, repr=False, compare=False)
    _taken: frozenset[str] = field(default=frozenset(), repr=False)
    _name_is_reserved: NameCheck = field(default=never, repr=False, compare=False)

    @property
    def is_clean(self) -> bool:
        """Nothing to fix and nothing to report."""
        return not (self._pending or self.orphans or self.duplicates or self.errors)

    def fixes(self, policy: LifecyclePolicy) -> list[Plan]:
        """The plans that would fix the drift under ``policy`` (usually the one compared with), one per worker
        whose account is not as it should be, including one-shot leaver actions still to do. Orphans and
        duplicates have no fix: they need an administrator."""
        if policy is self._policy or policy == self._policy:
            return [pending.plan for pending in self._pending]
        book = _NameBook(self._taken)
        plans: list[Plan] = []
        for pending in self._pending:
            try:
                fix = plan(
                    pending.worker, policy, pending.observed, self.checked_at, book.is_taken, self._name_is_reserved
                )
            except PlanningError:
                continue
            book.remember(fix)
            if not fix.is_empty:
                plans.append(fix)
        return plans

    def summary(self) -> dict[str, int]:
        """Counts for the console's reconciliation card and metrics."""
        return {
            "orphans": len(self.orphans),
            "duplicates": len(self.duplicates),
            "mismatched": len(self.mismatched),
            "enabled_leavers": len(self.enabled_leavers),
            "missing": len(self.missing),
            "errors": len(self.errors),
            "fixes": len(self._pending),
            "unanchored": self.unanchored,
        }


def _index(accounts: Iterable[DirectoryAccount]) -> tuple[dict[str, list[DirectoryAccount]], set[str], int]:
    by_anchor: dict[str, list[DirectoryAccount]] = {}
    taken: set[str] = set()
    unanchored = 0
    for account in accounts:
        taken.update([name.strip().casefold() for name in account.names()])  # _fold, inlined: once per account
        if account.anchor:
            by_anchor.setdefault(account.anchor, []).append(account)
        else:
            unanchored += 1
    return by_anchor, taken, unanchored


class _TenantDates:
    """The calendar date at one instant in each time zone the workers are in (one, for a tenant's workers),
    worked out once per zone rather than once per worker, as every worker of a reconciliation is planned at
    the same instant."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._by_zone: dict[str, date] = {}

    def today(self, worker: WorkerView) -> date:
        """``worker.today(self.now)``."""
        today = self._by_zone.get(worker.time_zone)
        if today is None:
            today = self._by_zone[worker.time_zone] = worker.today(self.now)
        return today


def compare(
    workers: Iterable[WorkerView],
    accounts: Iterable[DirectoryAccount],
    policy: LifecyclePolicy,
    now: datetime,
    *,
    name_is_reserved: NameCheck = never,
) -> DriftReport:
    """The drift between ``workers`` (all of a tenant's HR workers) and ``accounts`` (every directory account)
    at the instant ``now``. Each input is read once; the cost is linear in their sizes."""
    by_anchor, taken, unanchored = _index(accounts)
    book = _NameBook(frozenset(taken))
    seen: set[str] = set()
    pending: list[_Pending] = []
    mismatched: list[AccountMismatch] = []
    enabled_leavers: list[DirectoryAccount] = []
    missing: list[WorkerView] = []
    errors: dict[str, str] = {}
    dates = _TenantDates(now)
    for worker in workers:
        anchor = worker.anchor
        if anchor in seen:
            errors[anchor] = f"more than one worker has the personnel number {anchor!r}"
            continue
        seen.add(anchor)
        found = by_anchor.get(anchor, [])
        if len(found) > 1:
            continue  # a duplicate: reported below, never fixed by guessing
        observed = found[0] if found else None
        try:
            phase, steps = plan_steps(
                worker, policy, observed, now, book.is_taken, name_is_reserved, today=dates.today(worker)
            )
        except PlanningError as error:
            errors[anchor] = error.reason
            continue
        if observed is not None and observed.enabled and phase is Phase.LEAVER:
            enabled_leavers.append(observed)  # even when the policy keeps leavers enabled: worth knowing
        if not steps:
            continue  # in step: most workers, for whom no Plan is built
        worker_plan = Plan.of(worker, policy, observed, phase, steps)
        book.remember(worker_plan)
        pending.append(_Pending(worker, observed, worker_plan))
        if observed is None:
            missing.append(worker)
        elif worker_plan.phase.wants_account:
            mismatch = _mismatch(observed, worker_plan)
            if mismatch is not None:
                mismatched.append(mismatch)
    orphans: list[DirectoryAccount] = []
    duplicates: dict[str, tuple[DirectoryAccount, ...]] = {}
    for anchor, found in by_anchor.items():
        if anchor not in seen:
            orphans.extend(found)
        elif len(found) > 1:
            duplicates[anchor] = tuple(found)
    return DriftReport(
        checked_at=now,
        orphans=tuple(orphans),
        duplicates=MappingProxyType(duplicates),
        mismatched=tuple(mismatched),
        enabled_leavers=tuple(enabled_leavers),
        missing=tuple(missing),
        errors=MappingProxyType(errors),
        unanchored=unanchored,
        _pending=tuple(pending),
        _policy=policy,
        _taken=frozenset(taken),
        _name_is_reserved=name_is_reserved,
    )
