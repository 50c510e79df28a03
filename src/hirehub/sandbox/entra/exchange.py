"""The Exchange Online admin API (``POST /adminapi/beta/{tenant}/InvokeCommand``), for the cmdlets leavers need.

The real API runs a set of Exchange cmdlets over REST with a ``CmdletInput`` body (``CmdletName`` and
``Parameters``) and answers ``{"@odata.context": …, "value": [...]}``. It admits app-only tokens for the cloud's
Exchange host (``https://outlook.office365.com`` and its national twins) that carry ``Exchange.ManageAsApp``,
and only when the app's service principal also holds an Exchange-capable directory role (Exchange Administrator);
without the role Exchange answers that "the role assigned to application … isn't supported in this scenario".

A user of the Graph store with a ``mail`` address has a mailbox; what Exchange adds (shared or not, full-access
grants, automatic replies) lives in ``Directory.mailboxes`` (:class:`MailboxStore`, pure Python).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hirehub.sandbox.entra.graph import directory_store
from hirehub.sandbox.entra.graph_store import DirectoryObject, GraphStore
from hirehub.sandbox.entra.world import AccessClaims, Directory, EntraWorld, InvalidToken

EXCHANGE_HOSTS = frozenset({"outlook.office365.com", "outlook.office365.us", "webmail.apps.mil", "partner.outlook.cn"})
DEFAULT_EXCHANGE_HOST = "outlook.office365.com"
EXCHANGE_ADMINISTRATOR = "29232cdf-9323-42fd-ade2-1d097af3e4de"
GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
EXCHANGE_ROLES = frozenset({EXCHANGE_ADMINISTRATOR, GLOBAL_ADMINISTRATOR})
MAILBOX_TYPES = {
    "regular": "UserMailbox",
    "shared": "SharedMailbox",
    "room": "RoomMailbox",
    "equipment": "EquipmentMailbox",
}
ACCESS_RIGHTS = frozenset({"FullAccess", "ReadPermission", "ChangeOwner", "ChangePermission", "DeleteItem",
                           "ExternalAccount", "SendAs"})  # fmt: skip
AUTO_REPLY_STATES = frozenset({"Enabled", "Disabled", "Scheduled"})


class ExchangeProblem(Exception):
    """A cmdlet error: HTTP status, Exchange's exception name and its message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _not_found(identity: str, tenant: str) -> ExchangeProblem:
    return ExchangeProblem(
        404,
        "ManagementObjectNotFoundException",
        f"The operation couldn't be performed because object '{identity}' couldn't be found on '{tenant}'.",
    )


@dataclass
class Mailbox:
    """What Exchange keeps about one user's mailbox beyond the directory."""

    user_id: str
    recipient_type_details: str = "UserMailbox"
    permissions: list[dict[str, Any]] = field(default_factory=list)
    auto_reply: dict[str, Any] = field(
        default_factory=lambda: {
            "AutoReplyState": "Disabled",
            "InternalMessage": "",
            "ExternalMessage": "",
            "ExternalAudience": "All",
        }
    )


class MailboxStore:
    """The mailboxes of one directory: one per user with a ``mail`` address, created when first touched."""

    def __init__(self, store: GraphStore, tenant_label: str) -> None:
        self.graph = store
        self.tenant_label = tenant_label
        self.mailboxes: dict[str, Mailbox] = {}

    def resolve(self, identity: Any) -> tuple[DirectoryObject, Mailbox]:
        """A mailbox by id, UPN, primary or any proxy address, alias or display name (as ``-Identity`` takes)."""
        if not isinstance(identity, str) or not identity.strip():
            raise ExchangeProblem(400, "ParameterBindingException", "Cannot bind argument to parameter 'Identity'.")
        wanted = identity.strip().lower()
        for user in self.graph.all("user"):
            props = user.props
            if not props.get("mail"):
                continue
            names = {
                user.id.lower(),
                str(props.get("userPrincipalName", "")).lower(),
                str(props.get("mail", "")).lower(),
                str(props.get("mailNickname", "")).lower(),
                str(props.get("displayName", "")).lower(),
                *(p.split(":", 1)[-1].lower() for p in props.get("proxyAddresses") or []),
            }
            if wanted in names:
                return user, self.mailboxes.setdefault(user.id, Mailbox(user.id))
        raise _not_found(identity, self.tenant_label)

    def view(self, user: DirectoryObject, mailbox: Mailbox) -> dict[str, Any]:
        props = user.props
        return {
            "ExternalDirectoryObjectId": user.id,
            "Guid": str(uuid.uuid5(uuid.NAMESPACE_OID, user.id)),
            "Identity": props.get("mailNickname"),
            "Name": props.get("mailNickname"),
            "Alias": props.get("mailNickname"),
            "DisplayName": props.get("displayName"),
            "UserPrincipalName": props.get("userPrincipalName"),
            "PrimarySmtpAddress": props.get("mail"),
            "EmailAddresses": list(props.get("proxyAddresses") or []),
            "RecipientType": "UserMailbox",
            "RecipientTypeDetails": mailbox.recipient_type_details,
        }


def mailbox_store(world: EntraWorld, directory: Directory) -> MailboxStore:
    if directory.mailboxes is None:
        directory.mailboxes = MailboxStore(directory_store(world, directory), directory.default_domain)
    mailboxes: MailboxStore = directory.mailboxes
    return mailboxes


def _only(parameters: dict[str, Any], allowed: set[str]) -> None:
    for name in parameters:
        if name not in allowed:
            raise ExchangeProblem(
                400, "ParameterBindingException", f"A parameter cannot be found that matches parameter name '{name}'."
            )


def run_cmdlet(mailboxes: MailboxStore, name: str, parameters: dict[str, Any]) -> list[dict[str, Any]]:
    """One cmdlet against the directory's mailboxes; its output objects."""
    cmdlet = name.lower()
    if cmdlet == "get-mailbox":
        _only(parameters, {"Identity", "ResultSize", "RecipientTypeDetails"})
        if "Identity" in parameters:
            user, mailbox = mailboxes.resolve(parameters["Identity"])
            return [mailboxes.view(user, mailbox)]
        found = []
        for user in mailboxes.graph.all("user"):
            if user.props.get("mail"):
                found.append(mailboxes.view(*mailboxes.resolve(user.id)))
        return found
    if cmdlet == "set-mailbox":
        _only(parameters, {"Identity", "Type", "ForwardingSmtpAddress", "HiddenFromAddressListsEnabled"})
        user, mailbox = mailboxes.resolve(parameters.get("Identity"))
        if "Type" in parameters:
            kind = MAILBOX_TYPES.get(str(parameters["Type"]).lower())
            if kind is None:
                raise ExchangeProblem(
                    400,
                    "ParameterBindingException",
                    f"Cannot process argument transformation on parameter 'Type'. Cannot convert value "
                    f'"{parameters["Type"]}" to type '
                    '"Microsoft.Exchange.Data.Directory.Management.ConvertibleMailboxSubType".',
                )
            mailbox.recipient_type_details = kind
        return []
    if cmdlet == "add-mailboxpermission":
        _only(parameters, {"Identity", "User", "AccessRights", "InheritanceType", "AutoMapping"})
        user, mailbox = mailboxes.resolve(parameters.get("Identity"))
        trustee, _ = mailboxes.resolve(parameters.get("User"))
        rights = parameters.get("AccessRights")
        rights = [rights] if isinstance(rights, str) else rights
        if not isinstance(rights, list) or not rights or any(r not in ACCESS_RIGHTS for r in rights):
            raise ExchangeProblem(
                400, "ParameterBindingException", "Cannot validate argument on parameter 'AccessRights'."
            )
        entry = {
            "Identity": user.props.get("mailNickname"),
            "User": trustee.props.get("userPrincipalName"),
            "AccessRights": list(rights),
            "IsInherited": False,
            "Deny": False,
            "InheritanceType": parameters.get("InheritanceType", "All"),
        }
        mailbox.permissions = [p for p in mailbox.permissions if p["User"] != entry["User"]] + [entry]
        return [entry]
    if cmdlet == "get-mailboxpermission":
        _only(parameters, {"Identity", "User"})
        _, mailbox = mailboxes.resolve(parameters.get("Identity"))
        return list(mailbox.permissions)
    if cmdlet == "set-mailboxautoreplyconfiguration":
        _only(
            parameters,
            {"Identity", "AutoReplyState", "InternalMessage", "ExternalMessage", "ExternalAudience", "StartTime",
             "EndTime"},
        )  # fmt: skip
        _, mailbox = mailboxes.resolve(parameters.get("Identity"))
        state = parameters.get("AutoReplyState", mailbox.auto_reply["AutoReplyState"])
        if state not in AUTO_REPLY_STATES:
            raise ExchangeProblem(
                400, "ParameterBindingException", "Cannot validate argument on parameter 'AutoReplyState'."
            )
        mailbox.auto_reply.update({k: v for k, v in parameters.items() if k != "Identity"})
        return []
    if cmdlet == "get-mailboxautoreplyconfiguration":
        _only(parameters, {"Identity"})
        user, mailbox = mailboxes.resolve(parameters.get("Identity"))
        return [{"Identity": user.props.get("mailNickname"), **mailbox.auto_reply}]
    raise ExchangeProblem(
        400,
        "CommandNotFoundException",
        f"The term '{name}' is not recognized as a name of a cmdlet available through the admin API.",
    )


def exchange_router(world: EntraWorld) -> APIRouter:
    """``InvokeCommand`` of the Exchange Online admin API for every cloud's Exchange host, over ``world``."""
    router = APIRouter(tags=["sandbox: Exchange Online"])

    def error(status: int, code: str, message: str, request_id: str) -> JSONResponse:
        body = {"error": {"code": code, "message": message, "innererror": {"requestId": request_id}}}
        return JSONResponse(body, status_code=status, headers={"request-id": request_id})

    def authenticate(request: Request, host: str) -> AccessClaims | None:
        authorization = request.headers.get("authorization", "")
        if not authorization.lower().startswith("bearer "):
            return None
        try:
            return world.verify_access_token(authorization[7:].strip(), f"https://{host}")
        except InvalidToken:
            return None

    @router.post("/adminapi/beta/{tenant}/InvokeCommand", include_in_schema=False)
    async def invoke_command(tenant: str, request: Request) -> JSONResponse:
        request_id = str(uuid.uuid4())
        if world.faults.down:
            return error(503, "ServiceUnavailable", "The service is temporarily unavailable.", request_id)
        host = (request.headers.get("x-original-host") or request.headers.get("host") or "").split(":")[0].lower()
        host = host if host in EXCHANGE_HOSTS else DEFAULT_EXCHANGE_HOST
        claims = authenticate(request, host)
        if claims is None:
            response = error(
                401, "Unauthorized", "The access token is missing, invalid or not for this resource.", request_id
            )
            response.headers["WWW-Authenticate"] = 'Bearer authorization_uri="https://login.microsoftonline.com/common"'
            return response
        directory = world.directories[claims.tenant_id]
        if tenant.lower() not in {directory.tenant_id.lower(), directory.default_domain.lower()}:
            return error(403, "Forbidden", f"The token's tenant does not match '{tenant}'.", request_id)
        if claims.delegated:
            allowed = any(s.rsplit("/", 1)[-1] == "Exchange.Manage" for s in claims.scopes)
        else:
            allowed = "Exchange.ManageAsApp" in claims.roles
        if not allowed:
            return error(403, "Forbidden", "The token does not carry the Exchange.ManageAsApp permission.", request_id)
        principal = directory.service_principal(claims.app_id)
        if not claims.delegated and not (principal and principal.directory_roles & EXCHANGE_ROLES):
            message = (
                f"The role assigned to application {claims.app_id} isn't supported in this scenario. Please check "
                "online documentation for assigning correct Directory Roles to Azure AD Application for EXO "
                "App-Only Authentication."
            )
            return error(403, "Forbidden", message, request_id)
        try:
            body = json.loads(await request.body() or b"{}")
            command = body["CmdletInput"]
            name, parameters = command["CmdletName"], command.get("Parameters") or {}
            if not isinstance(name, str) or not isinstance(parameters, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return error(
                400, "BadRequest", 'The body must be {"CmdletInput": {"CmdletName", "Parameters"}}.', request_id
            )
        try:
            value = run_cmdlet(mailbox_store(world, directory), name, parameters)
        except ExchangeProblem as problem:
            message = f"|Microsoft.Exchange.Management.Tasks.{problem.code}|{problem.message}"
            return error(problem.status, problem.code, message, request_id)
        context = f"https://{host}/adminapi/beta/{tenant}/$metadata#Collection(Exchange.GenericHashTable)"
        return JSONResponse(
            {"@odata.context": context, "adminapi.warnings": [], "value": value}, headers={"request-id": request_id}
        )

    return router
