"""The Entra ID connector: the lifecycle engine's plans carried out through Microsoft Graph and Exchange Online.

Reading (an account by its anchor, a name, every account for a reconciliation) is here; applying a plan is
:mod:`~.applying` (batched writes, group adds coalesced across joiners by :mod:`~.group_adds`), and Graph's answers
become step results in :mod:`~.step_outcomes`. The Graph client paces writes, waits out ``Retry-After`` and retries
the 404s of eventual consistency, item by item in a ``$batch``, so what reaches the connector is a final answer.
A network failure, a revoked delegated grant or a refused token → :class:`ConnectorUnavailable`, so the job waits
instead of failing.

One rule matters more than the others: **never a second account**. A worker process can die after Graph created
an account and before the job recorded it. The retry then observes nothing (the new account may not be visible
to ``$filter`` yet: eventual consistency) and plans the creation again, with the same name. Graph answers
``ObjectConflict``; before reporting it, the connector reads the holder of that userPrincipalName and, when it
carries the same anchor, adopts it as the account the step created (:meth:`GraphConnector.adopt`). Only a
namesake's name is a real conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from hirehub.directories.entra.account_listing import AccountListing
from hirehub.directories.entra.applying import PlanRun
from hirehub.directories.entra.directory import USER_FIELDS, GraphDirectory
from hirehub.directories.entra.exchange import ExchangeClient
from hirehub.directories.entra.graph import BatchRequest
from hirehub.directories.entra.graph_errors import GraphError
from hirehub.directories.entra.group_adds import GroupAdds
from hirehub.directories.entra.linking import NeedsLink
from hirehub.directories.entra.msal_client import TokenError
from hirehub.directories.entra.step_outcomes import NotVisibleYet, conflict_of
from hirehub.lifecycle.connector import (
    ApplyResult,
    ConnectorUnavailable,
    DuplicateAnchor,
    NeedsAdministrator,
    StepRefused,
)
from hirehub.lifecycle.directory_state import DirectoryAccount, Mailbox
from hirehub.lifecycle.planning import ConvertMailboxToShared, CreateAccount, Plan
from hirehub.lifecycle.policy import MAIL, MAIL_NICKNAME, USER_PRINCIPAL_NAME

ACCOUNT_FIELDS = USER_FIELDS + ",lastPasswordChangeDateTime,signInSessionsValidFromDateTime"
ACCOUNT_FIELD_NAMES = frozenset(ACCOUNT_FIELDS.split(","))
NAME_FIELDS = {"id", USER_PRINCIPAL_NAME, MAIL, MAIL_NICKNAME, "accountEnabled", "employeeId"}
TRACE_FIELDS = {"lastPasswordChangeDateTime", "signInSessionsValidFromDateTime", "@odata.type", "@odata.id"}
DEFAULT_AUTO_REPLY = "{name} is no longer with the company. Please contact {manager} instead."

UnavailableError = (httpx.TransportError,)
"""Failures that mean "the directory could not be reached", as opposed to an answer from it."""


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


class GraphConnector:
    """One directory (an Entra tenant) as the lifecycle engine's :class:`~hirehub.lifecycle.connector.Connector`.

    ``exchange`` is given when the connection has the Exchange Online features on; without it accounts report no
    mailbox, so the planner never plans a conversion it could not carry out. ``group_adds`` is the process's
    coalescer for the directory tenant and app (one per connector when none is given: nothing is coalesced).
    """

    def __init__(
        self,
        directory: GraphDirectory,
        exchange: ExchangeClient | None = None,
        *,
        leaver_mailbox: LeaverMailbox | None = None,
        group_adds: GroupAdds | None = None,
    ) -> None:
        self.directory = directory
        self.graph = directory.graph
        self.exchange = exchange
        self.leaver_mailbox = leaver_mailbox or LeaverMailbox()
        self.group_adds = group_adds or GroupAdds()
        self.listing = AccountListing(self.graph, ACCOUNT_FIELDS)

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
        """One page of users with their managers, and their groups read from the groups' side: no read per user
        (:mod:`~.account_listing`). Mailboxes are not read here (one Exchange call per account): a reconciliation
        compares attributes, managers and groups, and a leaver's mailbox is handled by the leaver's own sync."""
        async with _reachable():
            listed, next_page = await self.listing.page(page_token)
            return [self._view(user, manager, groups) for user, manager, groups in listed], next_page

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

    @property
    def known_groups(self) -> dict[str, tuple[str, str]]:
        """Group ids and display names by the name a step gives, shared by the process's connectors."""
        return self.group_adds.known

    async def apply(self, plan: Plan, account: DirectoryAccount | None) -> ApplyResult:
        """Carry out ``plan`` in batches (:mod:`~.applying`); the account afterwards is built from what was sent
        and returned (:mod:`~.account_after`)."""
        async with _reachable():
            return await PlanRun(self, plan, account).run()

    async def adopt(self, step: CreateAccount, error: GraphError, names: Mapping[str, str | None]) -> str:
        """The creation was refused for a name already held: this worker's own account (an interrupted attempt
        created it) is adopted; a namesake's is a :class:`NameConflict`; an object too new to read is a retry."""
        desired = step.account
        holder = await self._user(desired.user_principal_name)
        if holder is None:
            # Held, yet not readable: an object too new to be seen, most likely the one an interrupted
            # attempt created. Calling it a conflict would make the naming rules pick a second name.
            raise NotVisibleYet(f"{desired.user_principal_name} is taken by an object not visible yet") from error
        if holder.get("employeeId") != desired.anchor:
            raise conflict_of(error, names) from error
        return str(holder["id"])

    async def account(self, object_id: str) -> DirectoryAccount | None:
        """The account as Graph (and Exchange) have it now: for what no write's response carries."""
        user = await self._user(object_id)
        return await self._account(user) if user is not None else None

    def view_created(self, sent: Mapping[str, Any], returned: Mapping[str, Any]) -> DirectoryAccount:
        """A new account from its creation: what was sent, with what Graph returned over it. No manager or group
        yet (their steps add them), and no mailbox until Exchange reports one."""
        user = {name: value for name, value in sent.items() if name in ACCOUNT_FIELD_NAMES}
        user.update({name: value for name, value in returned.items() if name in ACCOUNT_FIELD_NAMES})
        return self._view(user, None, ())

    async def share_mailbox(self, object_id: str, step: ConvertMailboxToShared) -> None:
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
