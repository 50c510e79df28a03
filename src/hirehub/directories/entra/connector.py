"""The Entra ID connector: the lifecycle engine's plans carried out through Microsoft Graph and Exchange Online.

Each step is one Graph operation (:class:`~.directory.GraphDirectory`); the Graph client already paces writes,
waits out ``Retry-After`` and retries the 404s of eventual consistency, so what reaches this module is a final
answer, which it turns into a step result the engine understands:

- ``ObjectConflict`` → a ``conflict`` naming the attribute (``proxyAddresses`` is the mail address), so the
  naming rules choose the next name;
- 429/503 that outlasted the client's retries → ``retry`` with Graph's wait; a network failure, a revoked
  delegated grant or a refused token → :class:`ConnectorUnavailable`, so the job waits instead of failing;
- anything else → ``failed`` with Graph's code and message.

One rule matters more than the others: **never a second account**. A worker process can die after Graph created
an account and before the job recorded it. The retry then observes nothing (the new account may not be visible
to ``$filter`` yet: eventual consistency) and plans the creation again, with the same name. Graph answers
``ObjectConflict``; before reporting it, the connector reads the holder of that userPrincipalName and, when it
carries the same anchor, adopts it as the account the step created. Only a namesake's name is a real conflict.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import httpx

from hirehub.directories.entra.directory import USER_FIELDS, GraphDirectory
from hirehub.directories.entra.exchange import ExchangeClient
from hirehub.directories.entra.graph import BatchRequest
from hirehub.directories.entra.graph_errors import GraphError
from hirehub.directories.entra.linking import NeedsLink
from hirehub.directories.entra.msal_client import TokenError
from hirehub.lifecycle.connector import (
    ApplyResult,
    ConnectorUnavailable,
    DuplicateAnchor,
    NameConflict,
    NeedsAdministrator,
    StepRefused,
    StepThrottled,
    run_steps,
)
from hirehub.lifecycle.directory_state import DirectoryAccount, Mailbox
from hirehub.lifecycle.planning import (
    AddToGroup,
    ConvertMailboxToShared,
    CreateAccount,
    DisableAccount,
    EnableAccount,
    Plan,
    RemoveFromGroup,
    ResetPassword,
    RevokeSessions,
    SetManager,
    Step,
    UpdateAttributes,
)
from hirehub.lifecycle.policy import MAIL, MAIL_NICKNAME, USER_PRINCIPAL_NAME

ACCOUNT_FIELDS = USER_FIELDS + ",lastPasswordChangeDateTime,signInSessionsValidFromDateTime"
NAME_FIELDS = {"id", USER_PRINCIPAL_NAME, MAIL, MAIL_NICKNAME, "accountEnabled", "employeeId"}
TRACE_FIELDS = {"lastPasswordChangeDateTime", "signInSessionsValidFromDateTime", "@odata.type", "@odata.id"}
USERS_PER_DETAIL_BATCH = 10  # two reads (manager, memberOf) per account: 20 requests, one $batch
NOT_VISIBLE_RETRY_SECONDS = 10.0
DEFAULT_AUTO_REPLY = "{name} is no longer with the company. Please contact {manager} instead."

UnavailableError = (httpx.TransportError,)
"""Failures that mean "the directory could not be reached", as opposed to an answer from it."""


class _NotVisibleYet(Exception):
    """Graph holds a name for an object its reads do not show yet (eventual consistency): try again shortly."""


@dataclass(frozen=True)
class LeaverMailbox:
    """What happens to a leaver's mailbox besides the conversion: the manager's access and the automatic reply
    (``{name}`` and ``{manager}`` are filled in; None sends no reply)."""

    grant_manager_access: bool = True
    auto_reply: str | None = DEFAULT_AUTO_REPLY


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _graph_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _conflict_of(error: GraphError, names: Mapping[str, str | None]) -> NameConflict:
    """The name Graph refused; ``proxyAddresses`` is Graph's word for a clash on the mail address."""
    attribute = error.conflicting_property or USER_PRINCIPAL_NAME
    if attribute == "proxyAddresses":
        attribute = MAIL if names.get(MAIL) else USER_PRINCIPAL_NAME
    if attribute not in names or not names.get(attribute):
        attribute = USER_PRINCIPAL_NAME
    return NameConflict(attribute, str(names[attribute]))


class GraphConnector:
    """One directory (an Entra tenant) as the lifecycle engine's :class:`~hirehub.lifecycle.connector.Connector`.

    ``exchange`` is given when the connection has the Exchange Online features on; without it accounts report no
    mailbox, so the planner never plans a conversion it could not carry out.
    """

    def __init__(
        self,
        directory: GraphDirectory,
        exchange: ExchangeClient | None = None,
        *,
        leaver_mailbox: LeaverMailbox | None = None,
    ) -> None:
        self.directory = directory
        self.graph = directory.graph
        self.exchange = exchange
        self.leaver_mailbox = leaver_mailbox or LeaverMailbox()
        self._group_ids: dict[str, str | None] = {}

    # --- reading -------------------------------------------------------------------------------------------

    async def find_by_anchor(self, anchor: str) -> DirectoryAccount | None:
        async with _reachable():
            found = await self.directory.find_by_employee_id(anchor)
            if len(found) > 1:
                raise DuplicateAnchor(anchor, tuple(str(user["id"]) for user in found))
            if not found:
                return None
            user = await self._user(str(found[0]["id"]))
            if user is None:  # deleted between the filter and the read
                return None
            return await self._account(user)

    async def name_taken(self, name: str) -> bool:
        async with _reachable():
            if "@" in name:
                return await self.directory.name_taken(USER_PRINCIPAL_NAME, name) or await self.directory.name_taken(
                    "proxyAddresses", name
                )
            return await self.directory.name_taken(MAIL_NICKNAME, name)

    async def list_accounts(self, page_token: str | None) -> tuple[list[DirectoryAccount], str | None]:
        """One page of users; managers and memberships come from ``$batch`` reads, ten accounts a call. Mailboxes
        are not read here (one Exchange call per account): a reconciliation compares attributes, managers and
        groups, and a leaver's mailbox is handled by the leaver's own sync."""
        async with _reachable():
            if page_token is None:
                body = await self.graph.request("GET", "/users", params={"$select": ACCOUNT_FIELDS, "$top": "999"})
            else:
                body = await self.graph.request("GET", page_token)
            users: list[dict[str, Any]] = list(body.get("value", []))
            details = await self._details([str(user["id"]) for user in users])
            accounts = [self._view(user, *details.get(str(user["id"]), (None, ()))) for user in users]
            return accounts, body.get("@odata.nextLink")

    async def _user(self, user_id: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = await self.graph.request(
                "GET", f"/users/{quote(user_id)}", params={"$select": ACCOUNT_FIELDS}, retry_not_found=True
            )
        except GraphError as exc:
            if exc.status == 404:
                return None
            raise
        return found

    async def _account(self, user: dict[str, Any]) -> DirectoryAccount:
        details = await self._details([str(user["id"])])
        manager, groups = details.get(str(user["id"]), (None, ()))
        mailbox = await self._mailbox(user) if self.exchange is not None else None
        return self._view(user, manager, groups, mailbox)

    async def _details(self, user_ids: list[str]) -> dict[str, tuple[str | None, tuple[str, ...]]]:
        """Each user's manager anchor and group names, read in ``$batch`` calls."""
        requests = []
        for user_id in user_ids:
            path = quote(user_id)
            requests.append(BatchRequest(f"m:{user_id}", "GET", f"/users/{path}/manager?$select=id,employeeId"))
            requests.append(BatchRequest(f"g:{user_id}", "GET", f"/users/{path}/memberOf?$select=id,displayName"))
        responses = await self.graph.batch(requests) if requests else {}
        details: dict[str, tuple[str | None, tuple[str, ...]]] = {}
        for user_id in user_ids:
            manager = responses[f"m:{user_id}"]
            if manager.status == 404:
                manager_anchor = None
            elif manager.ok:
                manager_anchor = (manager.body or {}).get("employeeId")
            else:
                raise manager.error()
            membership = responses[f"g:{user_id}"]
            if not membership.ok:
                raise membership.error()
            groups = tuple(
                str(item.get("displayName"))
                for item in (membership.body or {}).get("value", [])
                if str(item.get("@odata.type", "")).endswith("group") and item.get("displayName")
            )
            # memberOf pages at 100; fetch the rest when a user is in more groups than that.
            link = (membership.body or {}).get("@odata.nextLink")
            while link:
                more = await self.graph.request("GET", link)
                groups += tuple(
                    str(item.get("displayName"))
                    for item in more.get("value", [])
                    if str(item.get("@odata.type", "")).endswith("group") and item.get("displayName")
                )
                link = more.get("@odata.nextLink")
            details[user_id] = (manager_anchor, groups)
        return details

    async def _mailbox(self, user: Mapping[str, Any]) -> Mailbox | None:
        assert self.exchange is not None
        if not user.get(MAIL):
            return None
        try:
            found = await self.exchange.mailbox(str(user[USER_PRINCIPAL_NAME]))
        except GraphError as exc:
            if exc.status == 404:
                return None
            raise
        if found is None:
            return None
        kind = str(found.get("RecipientTypeDetails", ""))
        return Mailbox.SHARED if kind == "SharedMailbox" else Mailbox.USER

    @staticmethod
    def _view(
        user: Mapping[str, Any],
        manager_anchor: str | None,
        groups: tuple[str, ...],
        mailbox: Mailbox | None = None,
    ) -> DirectoryAccount:
        attributes = {
            name: value
            for name, value in user.items()
            if name not in NAME_FIELDS and name not in TRACE_FIELDS and value is not None
        }
        return DirectoryAccount(
            object_id=str(user["id"]),
            anchor=user.get("employeeId") or None,
            user_principal_name=str(user.get(USER_PRINCIPAL_NAME) or ""),
            mail=user.get(MAIL),
            mail_nickname=user.get(MAIL_NICKNAME),
            enabled=bool(user.get("accountEnabled", True)),
            attributes=attributes,
            manager_anchor=manager_anchor,
            groups=groups,
            password_changed_at=_moment(user.get("lastPasswordChangeDateTime")),
            sessions_valid_from=_moment(user.get("signInSessionsValidFromDateTime")),
            mailbox=mailbox,
        )

    # --- applying ------------------------------------------------------------------------------------------

    async def apply(self, plan: Plan, account: DirectoryAccount | None) -> ApplyResult:
        start = account.object_id if account is not None else None
        async with _reachable():
            results, object_id = await run_steps(plan, start, create=self._create_step, change=self._change_step)
            user = await self._user(object_id) if object_id is not None else None
            current = await self._account(user) if user is not None else None
        return ApplyResult(results, current)

    async def _create_step(self, step: CreateAccount) -> str:
        with _graph_answers():
            return await self._create(step)

    async def _change_step(self, object_id: str, step: Step) -> None:
        with _graph_answers():
            await self._changes[type(step)](object_id, step)

    @property
    def _changes(self) -> dict[type[Step], Callable[[str, Any], Awaitable[None]]]:
        """The Graph operation behind each kind of step: the one place steps are told apart."""
        return {
            UpdateAttributes: self._update, SetManager: self._set_manager, AddToGroup: self._add_to_group,
            RemoveFromGroup: self._remove_from_group, EnableAccount: self._set_enabled,
            DisableAccount: self._set_enabled, ResetPassword: self._reset_password,
            RevokeSessions: self._revoke_sessions, ConvertMailboxToShared: self._share_mailbox,
        }  # fmt: skip

    async def _create(self, step: CreateAccount) -> str:
        desired = step.account
        names = {
            USER_PRINCIPAL_NAME: desired.user_principal_name,
            MAIL: desired.mail,
            MAIL_NICKNAME: desired.mail_nickname,
        }
        attributes: dict[str, Any] = {
            name: _graph_value(value) for name, value in desired.attributes.items() if value is not None
        }
        attributes.setdefault("displayName", desired.user_principal_name.split("@")[0])
        attributes.update({name: value for name, value in names.items() if value})
        attributes["employeeId"] = desired.anchor
        try:
            created = await self.directory.create_user(attributes, enabled=desired.enabled)
        except GraphError as error:
            if not error.is_conflict:
                raise
            holder = await self._user(desired.user_principal_name)
            if holder is None:
                # Held, yet not readable: an object too new to be seen, most likely the one an interrupted
                # attempt created. Calling it a conflict would make the naming rules pick a second name.
                raise _NotVisibleYet(f"{desired.user_principal_name} is taken by an object not visible yet") from error
            if holder.get("employeeId") != desired.anchor:
                raise _conflict_of(error, names) from error
            return str(holder["id"])  # this worker's own account: adopt it
        return str(created["id"])

    async def _update(self, object_id: str, step: UpdateAttributes) -> None:
        changes = {name: _graph_value(value) for name, value in step.after.items()}
        try:
            await self.directory.update_user(object_id, changes)
        except GraphError as error:
            if error.is_conflict:
                names = {
                    name: value for name, value in changes.items() if name in (USER_PRINCIPAL_NAME, MAIL, MAIL_NICKNAME)
                }
                raise _conflict_of(error, {k: None if v is None else str(v) for k, v in names.items()}) from error
            raise

    async def _set_manager(self, object_id: str, step: SetManager) -> None:
        anchor = step.manager_anchor
        await self.directory.set_manager(
            object_id, None if anchor is None else await self._manager_id(anchor, object_id)
        )

    async def _add_to_group(self, object_id: str, step: AddToGroup) -> None:
        await self.directory.add_member(await self._group_id(step.group), object_id)

    async def _remove_from_group(self, object_id: str, step: RemoveFromGroup) -> None:
        await self.directory.remove_member(await self._group_id(step.group), object_id)

    async def _set_enabled(self, object_id: str, step: EnableAccount | DisableAccount) -> None:
        await self.directory.set_enabled(object_id, isinstance(step, EnableAccount))

    async def _reset_password(self, object_id: str, step: ResetPassword) -> None:
        await self.directory.reset_password(object_id)

    async def _revoke_sessions(self, object_id: str, step: RevokeSessions) -> None:
        await self.directory.revoke_sessions(object_id)

    async def _manager_id(self, anchor: str, object_id: str) -> str:
        found = await self.directory.find_by_employee_id(anchor)
        if not found:
            raise StepRefused(f"no account carries the manager's anchor {anchor!r}")
        if len(found) > 1:
            raise StepRefused(str(DuplicateAnchor(anchor, tuple(str(user["id"]) for user in found))))
        if str(found[0]["id"]) == object_id:
            raise StepRefused("an account cannot be its own manager")
        return str(found[0]["id"])

    async def _group_id(self, name: str) -> str:
        key = name.strip().casefold()
        if key not in self._group_ids:
            self._group_ids[key] = await self.directory.find_group(name.strip())
        group_id = self._group_ids[key]
        if group_id is None:
            del self._group_ids[key]  # it may be created later; ask again next time
            raise StepRefused(f"there is no group named {name!r}")
        return group_id

    async def _share_mailbox(self, object_id: str, step: ConvertMailboxToShared) -> None:
        if self.exchange is None:
            raise StepRefused("the connection does not have the Exchange Online features on")
        user = await self._user(object_id)
        if user is None:
            raise StepRefused("the account is gone")
        identity = str(user[USER_PRINCIPAL_NAME])
        await self.exchange.convert_to_shared(identity)
        manager = await self._manager_of(object_id)
        if manager is not None and self.leaver_mailbox.grant_manager_access:
            await self.exchange.grant_full_access(identity, manager[USER_PRINCIPAL_NAME])
        if self.leaver_mailbox.auto_reply:
            name = str(user.get("displayName") or identity)
            contact = str(manager.get("displayName") or manager[USER_PRINCIPAL_NAME]) if manager else "us"
            await self.exchange.set_auto_reply(
                identity, self.leaver_mailbox.auto_reply.format(name=name, manager=contact)
            )

    async def _manager_of(self, object_id: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = await self.graph.request(
                "GET", f"/users/{quote(object_id)}/manager", params={"$select": "id,userPrincipalName,displayName"}
            )
        except GraphError as exc:
            if exc.status == 404:
                return None
            raise
        return found


@contextmanager
def _graph_answers() -> Iterator[None]:
    """Graph's answer to one step as the step's outcome: a name too new to read or a 429/503/504 that outlasted
    the client's retries is a retry after Graph's wait; any other error a failure with Graph's code and message."""
    try:
        yield
    except _NotVisibleYet as unseen:
        raise StepThrottled(str(unseen), NOT_VISIBLE_RETRY_SECONDS) from unseen
    except GraphError as error:
        if error.status in (429, 503, 504):
            wait = error.retry_after if error.retry_after is not None else 30.0
            raise StepThrottled(f"{error.code}: {error.message}", wait) from error
        raise StepRefused(f"{error.status} {error.code}: {error.message}") from error


class _reachable:
    """Turns "could not reach the directory" into :class:`ConnectorUnavailable` (the job waits and retries),
    leaving Graph's own answers to the caller."""

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: Any) -> None:
        if error is None:
            return
        if isinstance(error, NeedsLink):
            raise NeedsAdministrator(f"the Entra connection needs Link account again: {error.reason}") from error
        if isinstance(error, TokenError):
            raise ConnectorUnavailable(f"could not sign in to Microsoft Entra ID: {error}") from error
        if isinstance(error, UnavailableError):
            raise ConnectorUnavailable(f"Microsoft Graph could not be reached: {error}") from error
        if isinstance(error, GraphError) and error.status in (429, 503, 504):
            raise ConnectorUnavailable(
                f"Microsoft Graph is busy: {error.code}", retry_after=error.retry_after
            ) from error
        if isinstance(error, GraphError) and error.status == 401:
            raise ConnectorUnavailable(f"Microsoft Graph refused the token: {error.message}") from error
