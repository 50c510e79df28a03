"""An in-memory directory that keeps the connector contract faithfully, for tests and benchmarks.

Faithful means it behaves like Entra where the engine could go wrong: object ids are the directory's, a
userPrincipalName or mail another object holds is a :class:`~hirehub.lifecycle.connector.NameConflict`, a
manager is another account (so setting one who has no account fails), removing a membership that is gone
succeeds, and nothing stops two accounts from carrying the same anchor (Entra does not either: keeping to one
account per anchor is the planner's promise, and tests check it here). Password resets and session revocations
are counted and leave the same traces Graph shows (``lastPasswordChangeDateTime``,
``signInSessionsValidFromDateTime``), and listing comes in pages.

Failure injection: :meth:`InMemoryConnector.fail_next` makes the next steps fail (with an error or a
``retry_after``) and :meth:`InMemoryConnector.down_until` makes every call raise ConnectorUnavailable until the
clock reaches a moment.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hirehub.lifecycle import planning as steps
from hirehub.lifecycle.connector import (
    ApplyResult,
    ConnectorUnavailable,
    DuplicateAnchor,
    NameConflict,
    StepRefused,
    StepThrottled,
    run_steps,
)
from hirehub.lifecycle.directory_state import DirectoryAccount, Mailbox
from hirehub.lifecycle.policy import MAIL, MAIL_NICKNAME, USER_PRINCIPAL_NAME


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Record:
    object_id: str
    anchor: str | None
    names: dict[str, str | None]
    enabled: bool
    attributes: dict[str, object]
    manager_id: str | None = None
    groups: list[str] = field(default_factory=list)
    password_changed_at: datetime | None = None
    sessions_valid_from: datetime | None = None
    mailbox: Mailbox | None = None


@dataclass(frozen=True)
class _Failure:
    error: str | None
    retry_after: float | None


def _fold(name: str) -> str:
    return name.strip().casefold()


class InMemoryConnector:
    """A directory held in dictionaries. ``clock`` gives "now" for timestamps and outages; ``page_size`` is how
    many accounts :meth:`list_accounts` returns at a time; ``groups``, when given, are the only groups that
    exist (adding to another fails, as it would in Entra), otherwise every group name exists."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = _utc_now,
        page_size: int = 100,
        groups: Iterable[str] | None = None,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.clock = clock
        self.page_size = page_size
        self._known_groups = None if groups is None else {_fold(group) for group in groups}
        self._records: dict[str, _Record] = {}
        self._order: list[str] = []  # object ids in creation order, which is also their sort order
        self._by_anchor: dict[str, list[str]] = {}
        self._addresses: dict[str, str] = {}  # userPrincipalName and mail, folded -> object id
        self._nicknames: dict[str, str] = {}
        self._failures: deque[_Failure] = deque()
        self._down_until: datetime | None = None
        self.password_resets: Counter[str] = Counter()
        self.session_revocations: Counter[str] = Counter()
        self.mailbox_conversions: Counter[str] = Counter()
        self.applied: list[tuple[str | None, steps.Step]] = []
        """Every step that succeeded, with the object id it applied to, in order."""

    # --- failure injection ---------------------------------------------------------------------------------

    def fail_next(self, n: int = 1, *, error: str | None = None, retry_after: float | None = None) -> None:
        """The next ``n`` steps applied fail: throttled (``retry``) when ``retry_after`` is given, else ``failed``
        with ``error``. A failed step changes nothing."""
        if n < 0:
            raise ValueError("n must not be negative")
        failure = _Failure(error if error is not None or retry_after is not None else "injected failure", retry_after)
        self._failures.extend([failure] * n)

    def clear_failures(self) -> None:
        """Forget injected failures that no step has met yet."""
        self._failures.clear()

    def down_until(self, moment: datetime | None) -> None:
        """Every call raises ConnectorUnavailable until the clock reaches ``moment`` (None: up again now)."""
        self._down_until = moment

    def _check_up(self) -> None:
        if self._down_until is None:
            return
        now = self.clock()
        if now < self._down_until:
            raise ConnectorUnavailable(retry_after=(self._down_until - now).total_seconds())
        self._down_until = None

    # --- seeding and inspection (synchronous, for tests) ---------------------------------------------------

    def add_account(
        self,
        *,
        anchor: str | None,
        user_principal_name: str,
        mail: str | None = None,
        mail_nickname: str | None = None,
        enabled: bool = True,
        attributes: Mapping[str, object] | None = None,
        manager_anchor: str | None = None,
        groups: Iterable[str] = (),
        mailbox: Mailbox | None = None,
    ) -> DirectoryAccount:
        """An account that exists before the engine runs (an administrator's, a namesake's, an orphan)."""
        names = {USER_PRINCIPAL_NAME: user_principal_name, MAIL: mail, MAIL_NICKNAME: mail_nickname}
        conflict = self._conflict(names, None)
        if conflict is not None:
            raise conflict
        record = self._insert(anchor, names, enabled, dict(attributes or {}), mailbox)
        record.groups = list(groups)
        if manager_anchor is not None:
            record.manager_id = self._manager_id(manager_anchor, record.object_id)
        return self._view(record)

    def add_group(self, name: str) -> None:
        """A group that exists from now on (when the directory was made with the groups that exist)."""
        if self._known_groups is not None:
            self._known_groups.add(_fold(name))

    def accounts(self) -> list[DirectoryAccount]:
        return [self._view(self._records[object_id]) for object_id in self._order]

    def account(self, object_id: str) -> DirectoryAccount:
        return self._view(self._records[object_id])

    def accounts_with_anchor(self, anchor: str) -> list[DirectoryAccount]:
        return [self._view(self._records[object_id]) for object_id in self._by_anchor.get(anchor, [])]

    def holds_name(self, name: str) -> bool:
        """Whether any account holds ``name`` (ignoring case): the synchronous predicate a plan's name choice
        needs, without the outage check."""
        folded = _fold(name)
        return folded in self._addresses or folded in self._nicknames

    # --- the connector contract ----------------------------------------------------------------------------

    async def find_by_anchor(self, anchor: str) -> DirectoryAccount | None:
        self._check_up()
        object_ids = self._by_anchor.get(anchor, [])
        if len(object_ids) > 1:
            raise DuplicateAnchor(anchor, tuple(object_ids))
        return self._view(self._records[object_ids[0]]) if object_ids else None

    async def list_accounts(self, page_token: str | None) -> tuple[list[DirectoryAccount], str | None]:
        self._check_up()
        start = 0 if page_token is None else bisect_right(self._order, page_token)
        object_ids = self._order[start : start + self.page_size]
        more = start + self.page_size < len(self._order)
        return [self._view(self._records[i]) for i in object_ids], object_ids[-1] if more else None

    async def name_taken(self, name: str) -> bool:
        self._check_up()
        return self.holds_name(name)

    async def apply(self, plan: steps.Plan, account: DirectoryAccount | None) -> ApplyResult:
        self._check_up()
        start = account.object_id if account is not None else None
        results, object_id = await run_steps(plan, start, create=self._create_step, change=self._change_step)
        current = self._records.get(object_id) if object_id is not None else None
        return ApplyResult(results, self._view(current) if current is not None else None)

    # --- steps -------------------------------------------------------------------------------------------

    def _injected(self) -> None:
        """The next injected failure, if any, as the step's own refusal or throttling."""
        if not self._failures:
            return
        failure = self._failures.popleft()
        if failure.retry_after is not None:
            raise StepThrottled(failure.error or "throttled", failure.retry_after)
        raise StepRefused(failure.error or "injected failure")

    async def _create_step(self, step: steps.CreateAccount) -> str:
        self._injected()
        object_id = self._create(step)
        self.applied.append((object_id, step))
        return object_id

    async def _change_step(self, object_id: str, step: steps.Step) -> None:
        self._injected()
        record = self._records.get(object_id)
        if record is None:
            raise StepRefused("the account is gone")
        self._changes[type(step)](record, step)
        self.applied.append((object_id, step))

    def _create(self, step: steps.CreateAccount) -> str:
        desired = step.account
        names = {
            USER_PRINCIPAL_NAME: desired.user_principal_name,
            MAIL: desired.mail,
            MAIL_NICKNAME: desired.mail_nickname,
        }
        conflict = self._conflict(names, None)
        if conflict is not None:
            raise conflict
        attributes: dict[str, object] = {name: value for name, value in desired.attributes.items() if value is not None}
        mailbox = Mailbox.USER if desired.mail else None
        return self._insert(desired.anchor, names, desired.enabled, attributes, mailbox).object_id

    def _set_manager(self, record: _Record, step: steps.SetManager) -> None:
        anchor = step.manager_anchor
        record.manager_id = None if anchor is None else self._manager_id(anchor, record.object_id)

    def _add_to_group(self, record: _Record, step: steps.AddToGroup) -> None:
        if self._known_groups is not None and _fold(step.group) not in self._known_groups:
            raise StepRefused(f"there is no group named {step.group!r}")
        if all(_fold(group) != _fold(step.group) for group in record.groups):
            record.groups.append(step.group)

    def _remove_from_group(self, record: _Record, step: steps.RemoveFromGroup) -> None:
        record.groups = [group for group in record.groups if _fold(group) != _fold(step.group)]

    def _set_enabled(self, record: _Record, step: steps.EnableAccount | steps.DisableAccount) -> None:
        record.enabled = isinstance(step, steps.EnableAccount)

    def _reset_password(self, record: _Record, step: steps.ResetPassword) -> None:
        record.password_changed_at = self.clock()
        self.password_resets[record.object_id] += 1

    def _revoke_sessions(self, record: _Record, step: steps.RevokeSessions) -> None:
        record.sessions_valid_from = self.clock()
        self.session_revocations[record.object_id] += 1

    def _share_mailbox(self, record: _Record, step: steps.ConvertMailboxToShared) -> None:
        if record.mailbox is None:
            raise StepRefused("the account has no mailbox")
        record.mailbox = Mailbox.SHARED
        self.mailbox_conversions[record.object_id] += 1

    @property
    def _changes(self) -> dict[type[steps.Step], Callable[[_Record, Any], None]]:
        """What each kind of step does to an account: the one place steps are told apart."""
        return {
            steps.UpdateAttributes: self._update,
            steps.SetManager: self._set_manager,
            steps.AddToGroup: self._add_to_group,
            steps.RemoveFromGroup: self._remove_from_group,
            steps.EnableAccount: self._set_enabled,
            steps.DisableAccount: self._set_enabled,
            steps.ResetPassword: self._reset_password,
            steps.RevokeSessions: self._revoke_sessions,
            steps.ConvertMailboxToShared: self._share_mailbox,
        }

    def _update(self, record: _Record, step: steps.UpdateAttributes) -> None:
        after = step.after
        new_names = {name: after[name] for name in record.names if name in after}
        changed = {**record.names, **{name: None if v is None else str(v) for name, v in new_names.items()}}
        if not changed[USER_PRINCIPAL_NAME]:
            raise StepRefused("an account cannot lose its userPrincipalName")
        conflict = self._conflict(changed, record.object_id)
        if conflict is not None:
            raise conflict
        self._unindex(record)
        record.names = changed
        self._index(record)
        for name, value in after.items():
            if name in record.names:
                continue
            if value is None:
                record.attributes.pop(name, None)
            else:
                record.attributes[name] = value

    def _manager_id(self, anchor: str, object_id: str) -> str:
        candidates = self._by_anchor.get(anchor, [])
        if not candidates:
            raise StepRefused(f"no account carries the manager's anchor {anchor!r}")
        if len(candidates) > 1:
            raise StepRefused(str(DuplicateAnchor(anchor, tuple(candidates))))
        if candidates[0] == object_id:
            raise StepRefused("an account cannot be its own manager")
        return candidates[0]

    # --- storage -----------------------------------------------------------------------------------------

    def _insert(
        self,
        anchor: str | None,
        names: dict[str, str | None],
        enabled: bool,
        attributes: dict[str, object],
        mailbox: Mailbox | None,
    ) -> _Record:
        now = self.clock()
        object_id = f"obj-{len(self._order) + 1:08d}"
        record = _Record(object_id, anchor, dict(names), enabled, attributes, None, [], now, now, mailbox)
        self._records[object_id] = record
        self._order.append(object_id)
        if anchor:
            self._by_anchor.setdefault(anchor, []).append(object_id)
        self._index(record)
        return record

    def _index(self, record: _Record) -> None:
        for attribute, name in record.names.items():
            if name:
                target = self._nicknames if attribute == MAIL_NICKNAME else self._addresses
                target[_fold(name)] = record.object_id

    def _unindex(self, record: _Record) -> None:
        for attribute, name in record.names.items():
            if name:
                target = self._nicknames if attribute == MAIL_NICKNAME else self._addresses
                if target.get(_fold(name)) == record.object_id:
                    del target[_fold(name)]

    def _conflict(self, names: Mapping[str, str | None], object_id: str | None) -> NameConflict | None:
        """A userPrincipalName or mail collides with any other object's userPrincipalName or mail (Entra keeps
        them unique together, through proxyAddresses); a mailNickname with another mailNickname."""
        for attribute, name in names.items():
            if not name:
                continue
            index = self._nicknames if attribute == MAIL_NICKNAME else self._addresses
            holder = index.get(_fold(name))
            if holder is not None and holder != object_id:
                return NameConflict(attribute, name)
        return None

    def _view(self, record: _Record) -> DirectoryAccount:
        manager = self._records.get(record.manager_id) if record.manager_id else None
        return DirectoryAccount(
            object_id=record.object_id,
            anchor=record.anchor,
            user_principal_name=record.names[USER_PRINCIPAL_NAME] or "",
            mail=record.names[MAIL],
            mail_nickname=record.names[MAIL_NICKNAME],
            enabled=record.enabled,
            attributes=record.attributes,
            manager_anchor=manager.anchor if manager is not None else None,
            groups=tuple(record.groups),
            password_changed_at=record.password_changed_at,
            sessions_valid_from=record.sessions_valid_from,
            mailbox=record.mailbox,
        )
