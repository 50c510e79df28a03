"""Planning: from one worker, the policy and the observed account to the ordered steps that converge them.

Planning is pure and idempotent, which is what makes the engine safe to run again at any time: the same inputs
give the same plan, and once a plan has been applied, planning again gives an empty plan. Everything a step
does must therefore be visible in the next observation (see :mod:`hirehub.lifecycle.directory_state`).

The lifecycle, decided by dates in the tenant's time zone rather than by the HR status alone (HR flips a status
in a nightly job; a termination is entered before the last day; the engine must be right in between):

- **joiner**: an account appears ``provision_days_before_start`` days before the start date, disabled until the
  start date if the policy says so, and enabled from the start date;
- **mover**: attributes, groups (from the group rules; only groups the policy grants are ever taken away) and the
  manager follow HR;
- **leave of absence**: the account is disabled while on leave if the policy says so, and enabled on return;
- **leaver**: once the last day worked has *ended* in the tenant's time zone, the account is disabled, its
  sessions revoked, its password reset, its groups removed and its mailbox made shared, as the policy says;
- **rehire**: the worker keeps their personnel number, so the old account is found by its anchor and brought
  back; a second account is never created for an anchor that has one;
- **rescinded hire**: an account created ahead of the start date is disabled and loses its groups.

Names are chosen only for new accounts; an existing account keeps its names unless the policy maps them, and
then a change is an explicit update step. Nothing is ever deleted: there is no delete step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar, NamedTuple

from hirehub.errors import Invalid
from hirehub.lifecycle.directory_state import NAME_FIELDS, DesiredAccount, DirectoryAccount, Mailbox
from hirehub.lifecycle.expressions import ExpressionError, Value, as_text, find_attribute
from hirehub.lifecycle.group_rules import desired_groups
from hirehub.lifecycle.naming import NamingExhausted, choose_name
from hirehub.lifecycle.policy import MAIL, MAIL_NICKNAME, NAME_ATTRIBUTES, USER_PRINCIPAL_NAME, LifecyclePolicy
from hirehub.lifecycle.worker_view import HRStatus, WorkerView

NameCheck = Callable[[str], bool]
"""Tells whether a name is unavailable (taken in the directory, or reserved); should ignore case."""


def never(name: str) -> bool:
    """The predicate for "no name is reserved"."""
    return False


class PlanningError(Invalid):
    """The worker's data does not fit the policy (an expression fails, no name is free): this worker cannot be
    planned until HR or the policy changes; other workers are unaffected."""

    def __init__(self, anchor: str, reason: str) -> None:
        self.anchor = anchor
        self.reason = reason
        super().__init__(f"worker {anchor}: {reason}")


# ---------------------------------------------------------------------------------------------------------------
# Where a worker is in the lifecycle


class Phase(StrEnum):
    """What the worker's account should be like today."""

    NOT_YET = "not_yet"
    """No account yet: no start date, or the start date is beyond the provisioning window."""
    PRE_START = "pre_start"
    """Within the provisioning window before the start date."""
    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    LEAVER = "leaver"
    """The last day worked has ended in the tenant's time zone."""
    RESCINDED = "rescinded"

    @property
    def wants_account(self) -> bool:
        return self in (Phase.PRE_START, Phase.ACTIVE, Phase.ON_LEAVE)


def phase_of(worker: WorkerView, policy: LifecyclePolicy, today: date) -> Phase:
    """The worker's phase on the tenant's calendar date ``today``. Dates win over the HR status, which may lag:
    a worker whose last day has passed is a leaver whatever the status, and a terminated worker whose last
    day has not yet ended still works."""
    if worker.status is HRStatus.RESCINDED:
        return Phase.RESCINDED
    if worker.last_day is not None and today > worker.last_day:
        return Phase.LEAVER
    start = worker.start_date
    if start is not None and today < start:
        window = start - timedelta(days=policy.joiner.provision_days_before_start)
        return Phase.PRE_START if today >= window else Phase.NOT_YET
    if start is None and worker.status is HRStatus.PENDING:
        return Phase.NOT_YET
    return Phase.ON_LEAVE if worker.on_leave(today) else Phase.ACTIVE


# ---------------------------------------------------------------------------------------------------------------
# Steps


class StepKind(StrEnum):
    CREATE_ACCOUNT = "create_account"
    UPDATE_ATTRIBUTES = "update_attributes"
    SET_MANAGER = "set_manager"
    ADD_TO_GROUP = "add_to_group"
    REMOVE_FROM_GROUP = "remove_from_group"
    ENABLE_ACCOUNT = "enable_account"
    DISABLE_ACCOUNT = "disable_account"
    RESET_PASSWORD = "reset_password"
    REVOKE_SESSIONS = "revoke_sessions"
    CONVERT_MAILBOX_TO_SHARED = "convert_mailbox_to_shared"


def json_value(value: object) -> object:
    """A value as JSON holds it: dates as ISO-8601 text, tuples as lists, anything else unknown as its text."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    return str(value)


def _shown(value: object) -> str:
    return "(empty)" if value is None or value == "" else repr(value)


@dataclass(frozen=True)
class CreateAccount:
    """A new account with the chosen names, the mapped attributes and the anchor; when it starts disabled,
    ``disabled_because`` says why. The manager and groups follow as their own steps, as Graph sets them with
    their own calls."""

    kind: ClassVar[StepKind] = StepKind.CREATE_ACCOUNT
    account: DesiredAccount
    disabled_because: str | None = None

    def describe(self) -> str:
        state = "enabled" if self.account.enabled else (self.disabled_because or "disabled")
        return f"create account {self.account.user_principal_name} for {self.account.anchor} ({state})"

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind.value, "account": self.account.to_json(), "disabled_because": self.disabled_because}


@dataclass(frozen=True)
class AttributeChange:
    name: str
    before: object
    after: Value


@dataclass(frozen=True)
class UpdateAttributes:
    """Attributes (names included, when the policy maps them) to change from ``before`` to ``after``."""

    kind: ClassVar[StepKind] = StepKind.UPDATE_ATTRIBUTES
    changes: tuple[AttributeChange, ...]

    @property
    def before(self) -> dict[str, object]:
        return {change.name: change.before for change in self.changes}

    @property
    def after(self) -> dict[str, Value]:
        return {change.name: change.after for change in self.changes}

    def describe(self) -> str:
        parts = [f"{c.name} {_shown(c.before)} → {_shown(c.after)}" for c in self.changes]
        return "update " + "; ".join(parts)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "before": {name: json_value(value) for name, value in self.before.items()},
            "after": dict(self.after),
        }


@dataclass(frozen=True)
class SetManager:
    """Point the account's manager at the account anchored at ``manager_anchor`` (None: remove the manager)."""

    kind: ClassVar[StepKind] = StepKind.SET_MANAGER
    manager_anchor: str | None
    previous: str | None = None

    def describe(self) -> str:
        if self.manager_anchor is None:
            return f"remove manager {self.previous}"
        if self.previous is None:
            return f"set manager to {self.manager_anchor}"
        return f"change manager from {self.previous} to {self.manager_anchor}"

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind.value, "manager": self.manager_anchor, "previous": self.previous}


SENTENCES: Mapping[StepKind, str] = MappingProxyType(
    {
        StepKind.ADD_TO_GROUP: "add to group {group!r}",
        StepKind.REMOVE_FROM_GROUP: "remove from group {group!r}",
        StepKind.ENABLE_ACCOUNT: "enable account: {reason}",
        StepKind.DISABLE_ACCOUNT: "disable account: {reason}",
        StepKind.RESET_PASSWORD: "reset the password to a random one",
        StepKind.REVOKE_SESSIONS: "revoke sign-in sessions",
        StepKind.CONVERT_MAILBOX_TO_SHARED: "convert the mailbox to a shared mailbox",
    }
)
"""How each step that is told by one sentence reads, its fields filled in."""


@dataclass(frozen=True)
class _SentenceStep:
    """A step told by its sentence (:data:`SENTENCES`), whose JSON is its kind and its fields."""

    kind: ClassVar[StepKind]

    def _fields(self) -> dict[str, object]:
        return {item.name: getattr(self, item.name) for item in fields(self)}

    def describe(self) -> str:
        return SENTENCES[self.kind].format_map(self._fields())

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind.value, **self._fields()}


@dataclass(frozen=True)
class AddToGroup(_SentenceStep):
    """A group the group rules grant; adding one the account is in already changes nothing."""

    kind: ClassVar[StepKind] = StepKind.ADD_TO_GROUP
    group: str


@dataclass(frozen=True)
class RemoveFromGroup(_SentenceStep):
    """A group the policy manages and no longer grants (a group added by hand stays), or any group of a leaver
    (when the policy says so) or of a rescinded hire."""

    kind: ClassVar[StepKind] = StepKind.REMOVE_FROM_GROUP
    group: str


@dataclass(frozen=True)
class EnableAccount(_SentenceStep):
    """Comes last in a plan, so an account is complete before it can be used; ``reason`` says why now."""

    kind: ClassVar[StepKind] = StepKind.ENABLE_ACCOUNT
    reason: str


@dataclass(frozen=True)
class DisableAccount(_SentenceStep):
    """Comes first in a plan, so access ends before anything else happens."""

    kind: ClassVar[StepKind] = StepKind.DISABLE_ACCOUNT
    reason: str


@dataclass(frozen=True)
class ResetPassword(_SentenceStep):
    """Set a random password nobody learns, so a leaver's old password stops working even where the account's
    disabled flag is not checked (e.g. an on-premises sync)."""

    kind: ClassVar[StepKind] = StepKind.RESET_PASSWORD


@dataclass(frozen=True)
class RevokeSessions(_SentenceStep):
    """Invalidate refresh tokens and session cookies: disabling alone leaves a signed-in leaver signed in for up
    to an hour."""

    kind: ClassVar[StepKind] = StepKind.REVOKE_SESSIONS


@dataclass(frozen=True)
class ConvertMailboxToShared(_SentenceStep):
    """Keep a leaver's mail readable by others and free the licence."""

    kind: ClassVar[StepKind] = StepKind.CONVERT_MAILBOX_TO_SHARED


Step = (
    CreateAccount
    | UpdateAttributes
    | SetManager
    | AddToGroup
    | RemoveFromGroup
    | EnableAccount
    | DisableAccount
    | ResetPassword
    | RevokeSessions
    | ConvertMailboxToShared
)


@dataclass(frozen=True)
class Plan:
    """The ordered steps for one worker's account; ``account_id`` is the observed account they apply to (None
    when the plan creates it). ``supervised`` plans wait for an administrator's approval before they run."""

    worker_id: str
    anchor: str
    phase: Phase
    account_id: str | None
    steps: tuple[Step, ...]
    supervised: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(self.steps))

    @staticmethod
    def of(
        worker: WorkerView, policy: LifecyclePolicy, observed: DirectoryAccount | None, phase: Phase,
        steps: Iterable[Step],
    ) -> Plan:  # fmt: skip
        """The plan of ``steps`` for ``worker`` under ``policy``, on ``observed`` (None: it creates the account)."""
        return Plan(
            worker_id=worker.worker_id,
            anchor=worker.anchor,
            phase=phase,
            account_id=observed.object_id if observed else None,
            steps=tuple(steps),
            supervised=policy.supervised,
        )

    @property
    def is_empty(self) -> bool:
        return not self.steps

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def kinds(self) -> tuple[StepKind, ...]:
        return tuple(step.kind for step in self.steps)

    @property
    def creates(self) -> bool:
        return any(isinstance(step, CreateAccount) for step in self.steps)

    def describe(self) -> list[str]:
        """One line per step, for a dry run or the approval screen of a supervised policy."""
        return [step.describe() for step in self.steps]

    def to_json(self) -> dict[str, object]:
        return {
            "worker_id": self.worker_id,
            "anchor": self.anchor,
            "phase": self.phase.value,
            "account_id": self.account_id,
            "supervised": self.supervised,
            "steps": [step.to_json() for step in self.steps],
        }


# ---------------------------------------------------------------------------------------------------------------
# The desired account


def _blank_to_none(value: Value) -> Value:
    return None if value == "" else value


def _evaluate(target: str, attributes: dict[str, object], policy: LifecyclePolicy, anchor: str) -> Value:
    """The value of the policy's mapping for ``target``; through the policy's memo, since most workers share
    the values a mapping reads with some other worker."""
    try:
        return _blank_to_none(policy.memoized_mappings[target].evaluate(attributes))
    except ExpressionError as error:
        raise PlanningError(anchor, f"{target}: {error}") from None


def _mapped_attributes(
    worker: WorkerView, policy: LifecyclePolicy, attributes: dict[str, object]
) -> Mapping[str, Value]:
    """Every ordinary attribute mapping's value (what :func:`_evaluate` gives for each), in one loop: this runs
    for every worker of a reconciliation, eight or so mappings each, so the per-mapping calls are inlined, and
    a bare ``[Attribute]`` holding text or null is read without one."""
    values: dict[str, Value] = {}
    for target, memo in policy.memoized_attribute_targets:
        name = memo.bare_attribute
        if name is not None and name in attributes:
            raw = attributes[name]
            if raw is None or type(raw) is str:
                values[target] = None if raw == "" else raw
                continue
        try:
            value = memo.evaluate(attributes)
        except ExpressionError as error:
            raise PlanningError(worker.anchor, f"{target}: {error}") from None
        values[target] = None if value == "" else value
    return MappingProxyType(values)  # a fresh dict no one else holds: DesiredAccount keeps it without a copy


def _mapped_name(
    attribute: str, worker: WorkerView, policy: LifecyclePolicy, attributes: dict[str, object]
) -> str | None:
    value = _evaluate(attribute, attributes, policy, worker.anchor)
    return None if value is None else as_text(value)


def _new_names(
    worker: WorkerView,
    policy: LifecyclePolicy,
    attributes: dict[str, object],
    name_is_taken: NameCheck,
    name_is_reserved: NameCheck,
) -> dict[str, str | None]:
    """Names for a new account: a mapping's value as computed, else the naming rule's first free candidate."""
    reserved = never if policy.reuse_departed_names else name_is_reserved
    names: dict[str, str | None] = {}
    for attribute in NAME_ATTRIBUTES:
        rule = policy.naming_rule(attribute)
        if attribute in policy.attribute_mappings:
            names[attribute] = _mapped_name(attribute, worker, policy, attributes)
        elif rule is not None:
            try:
                names[attribute] = choose_name(rule, attributes, name_is_taken, reserved, policy.lookups)
            except NamingExhausted as error:
                raise PlanningError(worker.anchor, str(error)) from None
            except ExpressionError as error:
                raise PlanningError(worker.anchor, f"{attribute}: {error}") from None
        else:
            names[attribute] = None
    return names


def _kept_names(
    worker: WorkerView, policy: LifecyclePolicy, attributes: dict[str, object], observed: DirectoryAccount
) -> dict[str, str | None]:
    """Names for an existing account: its own, except those the policy maps."""
    if not policy.mapped_names:  # the common case (names come from naming rules): no mapping to evaluate
        return {USER_PRINCIPAL_NAME: observed.user_principal_name, MAIL: observed.mail,
                MAIL_NICKNAME: observed.mail_nickname}  # fmt: skip
    return {
        attribute: _mapped_name(attribute, worker, policy, attributes)
        if attribute in policy.attribute_mappings
        else observed.name(attribute)
        for attribute in NAME_ATTRIBUTES
    }


def _enabled(phase: Phase, policy: LifecyclePolicy) -> bool:
    if phase is Phase.PRE_START:
        return not policy.joiner.disable_until_start
    if phase is Phase.ON_LEAVE:
        return not policy.leave_of_absence.disable
    return True


class _Desired(NamedTuple):
    """What :class:`DesiredAccount` holds, as the planner compares it with an existing account: a tuple, made for
    every worker of a reconciliation, where the frozen dataclass costs three times as much to build. Only a
    new account's plan carries a :class:`DesiredAccount`."""

    user_principal_name: str
    mail: str | None
    mail_nickname: str | None
    enabled: bool
    attributes: Mapping[str, Value]
    manager_anchor: str | None
    groups: tuple[str, ...]

    def name(self, attribute: str) -> str | None:
        return getattr(self, NAME_FIELDS[attribute])


def _desired_parts(
    worker: WorkerView,
    policy: LifecyclePolicy,
    phase: Phase,
    attributes: dict[str, object],
    names: dict[str, str | None],
) -> _Desired:
    upn = names[USER_PRINCIPAL_NAME]
    if not upn:
        raise PlanningError(worker.anchor, "the userPrincipalName mapping gives no value")
    try:
        groups = desired_groups(policy.group_rules, policy.default_groups, attributes)
    except (ValueError, ExpressionError) as error:
        raise PlanningError(worker.anchor, f"group rules: {error}") from None
    if phase is Phase.ON_LEAVE:
        groups = tuple(group for group in groups if policy.leave_of_absence.keeps(group))
    return _Desired(
        upn,
        names["mail"],
        names["mailNickname"],
        _enabled(phase, policy),
        _mapped_attributes(worker, policy, attributes),
        worker.manager_personnel_number or None,
        groups,
    )


def _desired(
    worker: WorkerView,
    policy: LifecyclePolicy,
    phase: Phase,
    attributes: dict[str, object],
    names: dict[str, str | None],
) -> DesiredAccount:
    parts = _desired_parts(worker, policy, phase, attributes, names)
    return DesiredAccount(
        anchor=worker.anchor,
        user_principal_name=parts.user_principal_name,
        mail=parts.mail,
        mail_nickname=parts.mail_nickname,
        enabled=parts.enabled,
        attributes=parts.attributes,
        manager_anchor=parts.manager_anchor,
        groups=parts.groups,
        start_date=worker.start_date,
    )


def desired_state(
    worker: WorkerView,
    policy: LifecyclePolicy,
    today_local: date,
    name_is_taken: NameCheck,
    name_is_reserved: NameCheck = never,
) -> DesiredAccount | None:
    """The account to provision for ``worker`` on the tenant's date ``today_local``, names chosen as for a new
    account; None when no account should be provisioned: none yet (a future hire beyond the provisioning
    window), or none any more (a leaver, a rescinded hire). What happens to an *existing* account of such a
    worker is the planner's business. ``name_is_reserved`` is ignored when the policy reuses departed names."""
    phase = phase_of(worker, policy, today_local)
    if not phase.wants_account:
        return None
    attributes = worker.attributes()
    names = _new_names(worker, policy, attributes, name_is_taken, name_is_reserved)
    return _desired(worker, policy, phase, attributes, names)


# ---------------------------------------------------------------------------------------------------------------
# Comparing


def _differs(before: object, after: Value) -> bool:
    """Whether an observed value differs from the desired one: null and "" are the same, and a number or flag
    equals its text (a directory may store "42" for 42)."""
    if before == "":
        before = None
    if before is None or after is None:
        return before is not after
    if isinstance(before, str) and not isinstance(after, str):
        return before != as_text(after)
    return before != after


def _enable_reason(phase: Phase, worker: WorkerView) -> str:
    if phase is Phase.PRE_START:
        return "the policy does not disable accounts before the start date"
    if phase is Phase.ON_LEAVE:
        return "on leave, which the policy does not disable"
    if worker.start_date is not None:
        return f"employed (start date {worker.start_date.isoformat()})"
    return "employed"


def _disable_reason(phase: Phase, worker: WorkerView) -> str:
    if phase is Phase.PRE_START and worker.start_date is not None:
        return f"disabled until the start date, {worker.start_date.isoformat()}"
    if phase is Phase.ON_LEAVE:
        return "on leave of absence"
    if phase is Phase.RESCINDED:
        return "the hire was rescinded"
    leaves_at = worker.leaves_at()
    if phase is Phase.LEAVER and worker.last_day is not None and leaves_at is not None:
        return f"the last day worked, {worker.last_day.isoformat()}, ended at {leaves_at.isoformat()}"
    return "not employed"


def _attribute_changes(
    policy: LifecyclePolicy, observed: DirectoryAccount, desired: _Desired
) -> tuple[AttributeChange, ...]:
    changes = [
        AttributeChange(name, observed.name(name), desired.name(name))
        for name in policy.mapped_names
        if _differs(observed.name(name), desired.name(name))
    ]
    observed_attributes = observed.attributes
    for target, after in desired.attributes.items():
        # find_attribute, its common case (the directory spells the name as the policy does) inlined: this runs
        # for every mapped attribute of every worker in a reconciliation.
        if target in observed_attributes:
            before = observed_attributes[target]
        else:
            before = find_attribute(observed_attributes, target)
        # Equal values of one type never differ (``after`` is never ""): the common case, without the call.
        if (before != after or type(before) is not type(after)) and _differs(before, after):
            changes.append(AttributeChange(target, before, after))
    return tuple(changes)


def _group_steps(policy: LifecyclePolicy, observed: DirectoryAccount, desired: _Desired) -> list[Step]:
    if observed.groups == desired.groups:  # the common case: nothing to add, and nothing held but what is wanted
        return []
    held = {group.strip().casefold() for group in observed.groups}
    wanted = {group.strip().casefold(): group for group in desired.groups}
    steps: list[Step] = [AddToGroup(group) for folded, group in wanted.items() if folded not in held]
    for group in observed.groups:
        folded = group.strip().casefold()
        if folded in policy.managed_groups and folded not in wanted:
            steps.append(RemoveFromGroup(group))
    return steps


def _converge(
    worker: WorkerView, policy: LifecyclePolicy, phase: Phase, observed: DirectoryAccount, desired: _Desired
) -> list[Step]:
    """Steps that bring an existing account to the desired one: disabling first (access ends before anything
    else happens), enabling last (the account is complete before it can be used)."""
    steps: list[Step] = []
    if observed.enabled and not desired.enabled:
        steps.append(DisableAccount(_disable_reason(phase, worker)))
    changes = _attribute_changes(policy, observed, desired)
    if changes:
        steps.append(UpdateAttributes(changes))
    if policy.sync_manager and (observed.manager_anchor or None) != desired.manager_anchor:
        steps.append(SetManager(desired.manager_anchor, observed.manager_anchor or None))
    steps.extend(_group_steps(policy, observed, desired))
    if desired.enabled and not observed.enabled:
        steps.append(EnableAccount(_enable_reason(phase, worker)))
    return steps


def _create(worker: WorkerView, policy: LifecyclePolicy, phase: Phase, desired: DesiredAccount) -> list[Step]:
    steps: list[Step] = [CreateAccount(desired, None if desired.enabled else _disable_reason(phase, worker))]
    if policy.sync_manager and desired.manager_anchor is not None:
        steps.append(SetManager(desired.manager_anchor))
    steps.extend(AddToGroup(group) for group in desired.groups)
    return steps


def _before(moment: datetime | None, cutoff: datetime) -> bool:
    return moment is None or moment < cutoff


def _leaver_steps(worker: WorkerView, policy: LifecyclePolicy, observed: DirectoryAccount) -> list[Step]:
    """One-shot actions are planned only while the account shows no trace of them since the last day ended,
    so they happen once per departure (and again after a rehire and a second departure)."""
    options = policy.leaver
    cutoff = worker.leaves_at()
    assert cutoff is not None  # a leaver has a last day
    steps: list[Step] = []
    if options.disable and observed.enabled:
        steps.append(DisableAccount(_disable_reason(Phase.LEAVER, worker)))
    if options.revoke_sessions and _before(observed.sessions_valid_from, cutoff):
        steps.append(RevokeSessions())
    if options.reset_password and _before(observed.password_changed_at, cutoff):
        steps.append(ResetPassword())
    if options.remove_groups:
        steps.extend(RemoveFromGroup(group) for group in observed.groups)
    if options.convert_mailbox_to_shared and observed.mailbox is Mailbox.USER:
        steps.append(ConvertMailboxToShared())
    return steps


def _rescinded_steps(worker: WorkerView, observed: DirectoryAccount) -> list[Step]:
    """The person never started: the account made ahead of time is switched off and grants nothing."""
    steps: list[Step] = []
    if observed.enabled:
        steps.append(DisableAccount(_disable_reason(Phase.RESCINDED, worker)))
    steps.extend(RemoveFromGroup(group) for group in observed.groups)
    return steps


def plan(
    worker: WorkerView,
    policy: LifecyclePolicy,
    observed: DirectoryAccount | None,
    now: datetime,
    name_is_taken: NameCheck,
    name_is_reserved: NameCheck = never,
    *,
    today: date | None = None,
) -> Plan:
    """The steps that bring the directory to what ``policy`` wants for ``worker`` at the instant ``now``.

    ``observed`` is the account carrying the worker's anchor (None if there is none): the caller finds it by
    anchor, so a rehire is matched to their old account and ``create_account`` is only planned when no account
    has the anchor. ``now`` must be timezone-aware; "today" is its date in the worker's (tenant's) time zone.
    ``today``, when given, must be that date (``worker.today(now)``): a reconciliation plans every worker of a
    tenant at one instant, so it works the date out once instead of once per worker.
    The name predicates are only consulted when a new account needs names. Raises :class:`PlanningError` when
    the worker's data does not fit the policy.
    """
    phase, steps = plan_steps(worker, policy, observed, now, name_is_taken, name_is_reserved, today=today)
    return Plan.of(worker, policy, observed, phase, steps)


def plan_steps(
    worker: WorkerView,
    policy: LifecyclePolicy,
    observed: DirectoryAccount | None,
    now: datetime,
    name_is_taken: NameCheck,
    name_is_reserved: NameCheck = never,
    *,
    today: date | None = None,
) -> tuple[Phase, list[Step]]:
    """What :func:`plan` puts in its plan: the worker's phase and the steps. A reconciliation plans every worker
    and keeps only the plans with steps, so it builds a :class:`Plan` for those alone."""
    if observed is not None and observed.anchor != worker.anchor:
        raise ValueError(f"account {observed.object_id} is anchored to {observed.anchor!r}, not {worker.anchor!r}")
    phase = phase_of(worker, policy, worker.today(now) if today is None else today)
    steps: list[Step] = []
    if phase.wants_account:
        attributes = worker.attributes()
        if observed is None:
            names = _new_names(worker, policy, attributes, name_is_taken, name_is_reserved)
            steps = _create(worker, policy, phase, _desired(worker, policy, phase, attributes, names))
        else:
            kept = _kept_names(worker, policy, attributes, observed)
            steps = _converge(worker, policy, phase, observed, _desired_parts(worker, policy, phase, attributes, kept))
    elif observed is not None and phase is Phase.LEAVER:
        steps = _leaver_steps(worker, policy, observed)
    elif observed is not None and phase is Phase.RESCINDED:
        steps = _rescinded_steps(worker, observed)
    return phase, steps
