"""Microsoft Graph v1.0, as far as provisioning uses it, on Graph's own wire format.

One :class:`GraphService` answers both plain requests and the items of a JSON ``$batch`` through the same
pipeline, because Graph treats a batch item as a request of its own: each is faulted, authorized and throttled
on its own, and a failed ``dependsOn`` turns into ``424``. The pipeline:

1. ``world.faults.down`` → every call ``503``;
2. the bearer token, verified for the audience of the cloud whose host was called (``X-Original-Host`` from
   the outbound host map, else ``Host``) → ``401 InvalidAuthenticationToken``;
3. random faults (``throttle_rate`` → ``429``, ``unavailable_rate`` → ``503``), both with ``Retry-After``;
4. permissions: application ``roles`` or delegated ``scp`` must cover the operation, and a few properties
   need more (``accountEnabled`` needs User.EnableDisableAccount.All and the User Administrator role,
   ``passwordProfile`` Directory.ReadWrite.All) → ``403 Authorization_RequestDenied``;
5. throttling (:mod:`.throttling`) → ``429 TooManyRequests`` with ``Retry-After``;
6. the operation, on the tenant's :class:`~.graph_store.GraphStore`; listings take ``$filter`` (:mod:`.graph_query`),
   ``$search`` and ``$orderby`` (:mod:`.graph_search`) and ``$count``, as a segment (``/users/$count``, plain text)
   or ``$count=true``, with ``ConsistencyLevel: eventual`` wherever Graph's advanced queries need it.

Every error is Graph's OData error body with ``innerError`` and the ``request-id`` header.
"""

from __future__ import annotations

import base64
import bisect
import dataclasses
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from hirehub.sandbox.entra.graph_query import parse_filter, unsupported
from hirehub.sandbox.entra.graph_search import SEARCH_NEEDS_EVENTUAL, Ordering, parse_orderby, parse_search
from hirehub.sandbox.entra.graph_store import (
    GROUP_PROPERTIES,
    USER_PROPERTIES,
    DirectoryObject,
    GraphProblem,
    GraphStore,
    ObjectKind,
    bad_request,
    format_datetime,
    not_found,
)
from hirehub.sandbox.entra.throttling import read_cost, retry_after_header
from hirehub.sandbox.entra.world import AccessClaims, Directory, EntraWorld, InvalidToken

GRAPH_HOSTS = frozenset(
    {"graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn"}
)
DEFAULT_GRAPH_HOST = "graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000"
BATCH_LIMIT = 20
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 999
CONTENT_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
DEFAULT_USER_SELECT = (
    "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
    "preferredLanguage", "surname", "userPrincipalName", "id",
)  # fmt: skip
DEFAULT_GROUP_SELECT = (
    "id", "createdDateTime", "description", "displayName", "groupTypes", "mail", "mailEnabled", "mailNickname",
    "proxyAddresses", "securityEnabled",
)  # fmt: skip
SERVICE_PRINCIPAL_PROPERTIES = frozenset(
    {"id", "appId", "displayName", "servicePrincipalType", "accountEnabled", "appRoles", "appOwnerOrganizationId"}
)
ROLE_ASSIGNMENT_PROPERTIES = frozenset({"id", "principalId", "roleDefinitionId", "directoryScopeId"})
APP_ROLE_ASSIGNMENT_PROPERTIES = frozenset(
    {"id", "appRoleId", "principalId", "principalType", "principalDisplayName", "resourceId", "resourceDisplayName",
     "createdDateTime", "deletedDateTime"}
)  # fmt: skip

# Microsoft's published ids of the app roles (application permissions) the emulator knows by value.
GRAPH_APP_ROLES: dict[str, str] = {
    "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
    "User.ReadWrite.All": "741f803b-c850-494e-b5df-cde7c675a1ca",
    "User.ReadBasic.All": "97235f07-e226-4f63-ace3-39588e11d3a1",
    "User.EnableDisableAccount.All": "3011c876-62b7-4ada-afa2-506cbbecc68c",
    "User.RevokeSessions.All": "77f3a031-c388-4f99-b373-dc68676a979e",
    "Group.Read.All": "5b567255-7703-4780-807c-7be8301ae99b",
    "Group.ReadWrite.All": "62a82d76-70ea-41e2-9197-370581804d09",
    "GroupMember.Read.All": "98830695-27a2-44f7-8c18-0c3ebc9698f6",
    "GroupMember.ReadWrite.All": "dbaae8cf-10b5-4b86-a4a1-f871c94c6695",
    "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
    "Directory.ReadWrite.All": "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
    "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
    "RoleManagement.Read.Directory": "483bed4a-2ad3-4361-a73b-c83ccdbdc53c",
}
EXCHANGE_APP_ROLES: dict[str, str] = {"Exchange.ManageAsApp": "dc50a0fb-09a3-484d-be87-e023b12c6440"}
RESOURCE_NAMES = {GRAPH_APP_ID: "Microsoft Graph", EXCHANGE_APP_ID: "Office 365 Exchange Online"}
RESOURCE_ROLES = {GRAPH_APP_ID: GRAPH_APP_ROLES, EXCHANGE_APP_ID: EXCHANGE_APP_ROLES}

# Role template ids of the directory roles that may enable and disable accounts.
GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"
PRIVILEGED_AUTHENTICATION_ADMINISTRATOR = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
ACCOUNT_ENABLING_ROLES = frozenset({GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR, PRIVILEGED_AUTHENTICATION_ADMINISTRATOR})


@dataclass(frozen=True)
class Need:
    """Permissions any one of which allows an operation (application roles; delegated scopes add
    Directory.AccessAsUser.All, which acts with the signed-in administrator's rights)."""

    any_of: frozenset[str]

    def met_by(self, claims: AccessClaims) -> bool:
        if claims.delegated:
            scopes = {s.rsplit("/", 1)[-1] for s in claims.scopes}
            return bool(scopes & (self.any_of | {"Directory.AccessAsUser.All"}))
        return bool(claims.roles & self.any_of)


def _need(*names: str) -> Need:
    return Need(frozenset(names))


READ_USERS = _need("User.Read.All", "User.ReadWrite.All", "User.ReadBasic.All", "Directory.Read.All",
                   "Directory.ReadWrite.All")  # fmt: skip
WRITE_USERS = _need("User.ReadWrite.All", "Directory.ReadWrite.All")
REVOKE_SESSIONS = _need("User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All")
ENABLE_DISABLE = _need("User.EnableDisableAccount.All", "Directory.ReadWrite.All")
RESET_PASSWORD = _need("Directory.ReadWrite.All", "User-PasswordProfile.ReadWrite.All")
READ_GROUPS = _need("Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All", "GroupMember.ReadWrite.All",
                    "Directory.Read.All", "Directory.ReadWrite.All")  # fmt: skip
WRITE_GROUPS = _need("Group.ReadWrite.All", "Directory.ReadWrite.All")
WRITE_MEMBERS = _need("GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All")
READ_APPLICATIONS = _need("Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All",
                          "Directory.ReadWrite.All")  # fmt: skip
READ_ROLES = _need("RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory",
                   "Directory.Read.All", "Directory.ReadWrite.All")  # fmt: skip


@dataclass
class Answer:
    """One response (of a request or of a batch item) before it goes on the wire."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One operation: a request, or one item of a ``$batch``."""

    method: str
    path: str  # below /v1.0, percent-decoded segments joined by '/'
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any
    claims: AccessClaims
    directory: Directory
    base: str  # https://{graph host}/v1.0, for links and @odata.context
    request_id: str
    client_request_id: str

    @property
    def segments(self) -> list[str]:
        return [unquote(s) for s in self.path.strip("/").split("/") if s]


Handler = Callable[["GraphService", Call, list[str]], Answer]


def directory_store(world: EntraWorld, directory: Directory) -> GraphStore:
    """The directory's Graph store, created on first use with the world's clock and consistency lag."""
    if directory.store is None:
        directory.store = GraphStore(
            world.clock, [directory.default_domain], lag=lambda: world.faults.consistency_lag_seconds
        )
    store: GraphStore = directory.store
    return store


def graph_error(
    status: int,
    code: str,
    message: str,
    call_ids: tuple[str, str],
    date: str,
    *,
    details: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """Graph's OData error body: code, message, details when any, and innerError with the request ids."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    error["innerError"] = {"date": date, "request-id": call_ids[0], "client-request-id": call_ids[1]}
    return Answer(status, {"error": error}, {"Content-Type": "application/json", **(headers or {})})


def _encode_token(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_token(token: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError) as exc:
        raise bad_request("The provided skip token or delta token is invalid.") from exc
    if not isinstance(data, dict):
        raise bad_request("The provided skip token or delta token is invalid.")
    return data


class GraphService:
    """The Graph emulator over one :class:`EntraWorld`."""

    def __init__(self, world: EntraWorld) -> None:
        self.world = world
        self.stats = world.graph_stats
        self.throttle = world.graph_throttle
        self._routes: list[tuple[str, tuple[str, ...], Handler]] = [
            # `$count` segments before the id routes, which would take "$count" for an id
            ("GET", ("users", "$count"), GraphService._count),
            ("GET", ("groups", "$count"), GraphService._count),
            ("GET", ("servicePrincipals", "$count"), GraphService._count),
            ("GET", ("users", "*", "memberOf", "$count"), GraphService._count),
            ("GET", ("users", "*", "directReports", "$count"), GraphService._count),
            ("GET", ("groups", "*", "members", "$count"), GraphService._count),
            ("GET", ("users",), GraphService._list_users),
            ("POST", ("users",), GraphService._create_user),
            ("GET", ("users", "delta"), GraphService._users_delta),
            ("GET", ("users", "delta()"), GraphService._users_delta),
            ("GET", ("groups", "delta"), GraphService._groups_delta),
            ("GET", ("groups", "delta()"), GraphService._groups_delta),
            ("GET", ("users", "*"), GraphService._get_user),
            ("PATCH", ("users", "*"), GraphService._update_user),
            ("DELETE", ("users", "*"), GraphService._delete_user),
            ("GET", ("users", "*", "manager"), GraphService._get_manager),
            ("GET", ("users", "*", "manager", "$ref"), GraphService._get_manager),
            ("PUT", ("users", "*", "manager", "$ref"), GraphService._set_manager),
            ("DELETE", ("users", "*", "manager", "$ref"), GraphService._remove_manager),
            ("GET", ("users", "*", "directReports"), GraphService._direct_reports),
            ("GET", ("users", "*", "memberOf"), GraphService._member_of),
            ("POST", ("users", "*", "revokeSignInSessions"), GraphService._revoke_sessions),
            ("GET", ("groups",), GraphService._list_groups),
            ("POST", ("groups",), GraphService._create_group),
            ("GET", ("groups", "*"), GraphService._get_group),
            ("PATCH", ("groups", "*"), GraphService._update_group),
            ("DELETE", ("groups", "*"), GraphService._delete_group),
            ("GET", ("groups", "*", "members"), GraphService._group_members),
            ("POST", ("groups", "*", "members", "$ref"), GraphService._add_member),
            ("DELETE", ("groups", "*", "members", "*", "$ref"), GraphService._remove_member),
            ("GET", ("directoryObjects", "*"), GraphService._get_directory_object),
            ("GET", ("servicePrincipals",), GraphService._list_service_principals),
            ("GET", ("servicePrincipals", "*"), GraphService._get_service_principal),
            ("GET", ("servicePrincipals", "*", "appRoleAssignments"), GraphService._app_role_assignments),
            ("GET", ("roleManagement", "directory", "roleAssignments"), GraphService._role_assignments),
        ]

    # the HTTP edge ---------------------------------------------------------------------------------------
    def _now_text(self) -> str:
        return self.world.clock.now().strftime("%Y-%m-%dT%H:%M:%S")

    def _retry_after(self, sandbox_seconds: float) -> str:
        return retry_after_header(sandbox_seconds, self.world.clock.speed)

    async def http(self, request: Request, path: str) -> Response:
        """A request to ``/v1.0/{path}`` (``$batch`` included)."""
        self.stats.http_requests += 1
        request_id = str(uuid.uuid4())
        client_request_id = request.headers.get("client-request-id") or request_id
        ids = (request_id, client_request_id)
        answer = await self._http_answer(request, path, ids)
        self.stats.statuses[answer.status] += 1
        headers = {**answer.headers, "request-id": request_id, "client-request-id": client_request_id}
        headers.pop("Content-Type", None)
        if answer.status == 204 or answer.body is None:
            return Response(status_code=answer.status, headers=headers)
        if isinstance(answer.body, str):  # a `$count` segment's number
            return Response(answer.body, status_code=answer.status, headers=headers, media_type="text/plain")
        return JSONResponse(answer.body, status_code=answer.status, headers=headers, media_type=CONTENT_TYPE)

    async def _http_answer(self, request: Request, path: str, ids: tuple[str, str]) -> Answer:
        if self.world.faults.down:
            self.stats.unavailable += 1
            return self._unavailable(ids)
        host = (request.headers.get("x-original-host") or request.headers.get("host") or "").split(":")[0].lower()
        graph_host = host if host in GRAPH_HOSTS else DEFAULT_GRAPH_HOST
        base = f"https://{host}/v1.0" if host in GRAPH_HOSTS else str(request.base_url).rstrip("/") + "/v1.0"
        claims = self._authenticate(request.headers.get("authorization"), f"https://{graph_host}", ids)
        if isinstance(claims, Answer):
            return claims
        directory = self.world.directories[claims.tenant_id]
        body: Any = None
        raw = await request.body()
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return graph_error(400, "BadRequest", "Unable to read JSON request payload.", ids, self._now_text())
        headers = {k.lower(): v for k, v in request.headers.items()}
        query = dict(parse_qsl(request.url.query, keep_blank_values=True))
        call = Call(request.method, path, query, headers, body, claims, directory, base, *ids)
        if path.strip("/") == "$batch" and request.method == "POST":
            self.stats.batch_calls += 1
            return self._batch(call)
        return self.handle(call)

    def _authenticate(self, authorization: str | None, audience: str, ids: tuple[str, str]) -> AccessClaims | Answer:
        def refuse(message: str) -> Answer:
            return graph_error(
                401,
                "InvalidAuthenticationToken",
                message,
                ids,
                self._now_text(),
                headers={
                    "WWW-Authenticate": 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/'
                    f'common/oauth2/authorize", client_id="{GRAPH_APP_ID}"'
                },
            )

        if not authorization or not authorization.lower().startswith("bearer ") or not authorization[7:].strip():
            return refuse("Access token is empty.")
        try:
            return self.world.verify_access_token(authorization[7:].strip(), audience)
        except InvalidToken as exc:
            text = str(exc)
            if "audience" in text.lower():
                return refuse("Access token validation failure. Invalid audience.")
            if "expired" in text.lower():
                return refuse("Lifetime validation failed, the token is expired.")
            return refuse("Access token validation failure.")

    def _unavailable(self, ids: tuple[str, str]) -> Answer:
        return graph_error(
            503,
            "serviceNotAvailable",
            "The service is temporarily unavailable. Please retry later.",
            ids,
            self._now_text(),
            headers={"Retry-After": self._retry_after(self.world.faults.retry_after_seconds)},
        )

    # one operation ---------------------------------------------------------------------------------------
    def _route(self, call: Call) -> tuple[Handler, list[str]] | Answer:
        segments = call.segments
        methods_here: list[str] = []
        for method, pattern, handler in self._routes:
            if len(pattern) != len(segments):
                continue
            if all(p == "*" or p == s for p, s in zip(pattern, segments, strict=True)):
                if method == call.method:
                    return handler, [s for p, s in zip(pattern, segments, strict=True) if p == "*"]
                methods_here.append(method)
        ids = (call.request_id, call.client_request_id)
        if methods_here:
            message = "Specified HTTP method is not allowed for the request target."
            return graph_error(405, "Request_BadRequest", message, ids, self._now_text())
        known = {part for _, pattern, _ in self._routes for part in pattern}
        segment = next((s for s in segments if s not in known), segments[-1] if segments else "")
        return graph_error(400, "BadRequest", f"Resource not found for the segment '{segment}'.", ids, self._now_text())

    def handle(self, call: Call) -> Answer:
        """Faults, routing, authorization, throttling and the operation itself, for one request or batch item."""
        self.stats.requests += 1
        ids = (call.request_id, call.client_request_id)
        faults = self.world.faults
        if faults.roll(faults.throttle_rate):
            self.stats.injected_throttles += 1
            return self._too_many(ids, faults.retry_after_seconds)
        if faults.roll(faults.unavailable_rate):
            self.stats.unavailable += 1
            return self._unavailable(ids)
        routed = self._route(call)
        if isinstance(routed, Answer):
            return routed
        handler, params = routed
        store = directory_store(self.world, call.directory)
        write = call.method in WRITE_METHODS
        try:
            self._authorize(call, handler)
            refusal = self.throttle.admit(
                call.claims.app_id,
                call.claims.tenant_id,
                write=write,
                cost=1.0 if write else read_cost(collection=_is_collection(handler), selected="$select" in call.query),
                tenant_users=store.user_count,
            )
            if refusal is not None:
                self.stats.throttled += 1
                return self._too_many(ids, refusal.wait_seconds)
            if write:
                self.stats.writes += 1
            else:
                self.stats.reads += 1
            return handler(self, call, params)
        except GraphProblem as problem:
            return graph_error(
                problem.status, problem.code, problem.message, ids, self._now_text(), details=problem.details
            )

    def _too_many(self, ids: tuple[str, str], sandbox_seconds: float) -> Answer:
        return graph_error(
            429,
            "TooManyRequests",
            "Too many requests. The application exceeded the throttling limit; retry after the time given.",
            ids,
            self._now_text(),
            headers={"Retry-After": self._retry_after(sandbox_seconds)},
        )

    def _authorize(self, call: Call, handler: Handler) -> None:
        need = NEEDS.get(handler)
        denied = GraphProblem(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
        if need is not None and not need.met_by(call.claims):
            raise denied
        if handler is GraphService._update_user and isinstance(call.body, dict):
            if "accountEnabled" in call.body and not self._may_enable_disable(call):
                raise denied
            if "passwordProfile" in call.body and not RESET_PASSWORD.met_by(call.claims):
                raise denied

    def _may_enable_disable(self, call: Call) -> bool:
        """App-only: User.EnableDisableAccount.All (or Directory.ReadWrite.All) *and* an administrator role."""
        if call.claims.delegated:
            return WRITE_USERS.met_by(call.claims)
        principal = call.directory.service_principal(call.claims.app_id)
        roles = principal.directory_roles if principal else set()
        return ENABLE_DISABLE.met_by(call.claims) and bool(roles & ACCOUNT_ENABLING_ROLES)

    # $batch -------------------------------------------------------------------------------------------
    def _batch(self, call: Call) -> Answer:
        ids = (call.request_id, call.client_request_id)
        now = self._now_text()
        items = call.body.get("requests") if isinstance(call.body, dict) else None
        if not isinstance(items, list) or not items:
            return graph_error(400, "BadRequest", "Invalid batch payload format.", ids, now)
        if len(items) > BATCH_LIMIT:
            return graph_error(
                400, "BadRequest", f"The maximum number of requests in a batch is {BATCH_LIMIT}.", ids, now
            )
        by_id: dict[str, dict[str, Any]] = {}
        for item in items:
            if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("id", "method", "url")):
                return graph_error(400, "BadRequest", "Each request needs an id, a method and a url.", ids, now)
            if item["id"] in by_id:
                return graph_error(400, "BadRequest", f"Request id '{item['id']}' is not unique.", ids, now)
            by_id[item["id"]] = item
        for item in items:
            for dependency in item.get("dependsOn") or []:
                if dependency not in by_id or dependency == item["id"]:
                    message = f"Request '{item['id']}' depends on '{dependency}', which is not in the batch."
                    return graph_error(400, "BadRequest", message, ids, now)
        answers: dict[str, Answer] = {}
        running: set[str] = set()

        def run(item_id: str) -> Answer:
            if item_id in answers:
                return answers[item_id]
            if item_id in running:
                raise bad_request("The dependsOn chain of the batch contains a cycle.")
            running.add(item_id)
            item = by_id[item_id]
            failed = [d for d in item.get("dependsOn") or [] if run(d).status >= 400]
            if failed:
                answer = graph_error(
                    424, "FailedDependency", f"Request '{item_id}' depends on '{failed[0]}', which failed.", ids, now
                )
            else:
                answer = self._batch_item(call, item)
            answers[item_id] = answer
            return answer

        try:
            for item in items:
                run(item["id"])
        except GraphProblem as problem:
            return graph_error(problem.status, problem.code, problem.message, ids, now)
        responses = []
        for item in items:
            answer = answers[item["id"]]
            self.stats.statuses[answer.status] += 1
            response: dict[str, Any] = {"id": item["id"], "status": answer.status, "headers": answer.headers}
            if answer.body is not None:
                response["body"] = answer.body
            responses.append(response)
        return Answer(200, {"responses": responses})

    def _batch_item(self, outer: Call, item: dict[str, Any]) -> Answer:
        ids = (outer.request_id, outer.client_request_id)
        url: str = item["url"]
        method = item["method"].upper()
        headers = {str(k).lower(): str(v) for k, v in (item.get("headers") or {}).items()}
        if "://" in url or url.lstrip("/").startswith("$batch"):
            return graph_error(400, "BadRequest", "Batch requests take URLs relative to the version root.", ids, "")
        if "body" in item and method in WRITE_METHODS and "content-type" not in headers:
            message = f"Write request id : {item['id']} does not contain Content-Type header or body."
            return graph_error(400, "BadRequest", message, ids, self._now_text())
        parts = urlsplit(url if url.startswith("/") else f"/{url}")
        call = Call(
            method,
            parts.path,
            dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers,
            item.get("body"),
            outer.claims,
            outer.directory,
            outer.base,
            outer.request_id,
            outer.client_request_id,
        )
        answer = self.handle(call)
        if answer.body is not None:
            answer.headers.setdefault("Content-Type", "application/json")
        return answer

    # projection and paging -----------------------------------------------------------------------------
    def _store(self, call: Call) -> GraphStore:
        return directory_store(self.world, call.directory)

    @staticmethod
    def _select(call: Call, properties: frozenset[str], type_name: str) -> tuple[str, ...] | None:
        raw = call.query.get("$select")
        if raw is None:
            return None
        chosen = tuple(p.strip() for p in raw.split(",") if p.strip())
        for prop in chosen:
            if prop not in properties:
                raise bad_request(f"Could not find a property named '{prop}' on type '{type_name}'.")
        return chosen

    @staticmethod
    def _project(obj: DirectoryObject, select: tuple[str, ...] | None, *, typed: bool = False) -> dict[str, Any]:
        chosen = select or (DEFAULT_USER_SELECT if obj.kind == "user" else DEFAULT_GROUP_SELECT)
        item: dict[str, Any] = {"@odata.type": obj.odata_type} if typed else {}
        item.update({p: obj.props.get(p) for p in chosen})
        return item

    @staticmethod
    def _eventual(call: Call) -> bool:
        """``ConsistencyLevel: eventual``: the header every advanced query needs."""
        return call.headers.get("consistencylevel", "").lower() == "eventual"

    def _advanced(self, call: Call) -> bool:
        """Advanced mode: the header and ``$count=true`` (``$search`` needs the header only)."""
        return self._eventual(call) and call.query.get("$count", "").lower() == "true"

    def _filter(self, call: Call, properties: frozenset[str], type_name: str) -> Callable[[dict[str, Any]], bool]:
        """``$filter`` and ``$search`` together, as one predicate."""
        text = call.query.get("$filter")
        advanced = self._advanced(call)
        matches = _everything if text is None else parse_filter(text, properties, type_name, advanced=advanced)
        search = call.query.get("$search")
        if search is None:
            return matches
        if not self._eventual(call):
            raise unsupported(SEARCH_NEEDS_EVENTUAL)
        found = parse_search(search, properties, type_name)
        return lambda row: matches(row) and found(row)

    def _ordering(self, call: Call, properties: frozenset[str], type_name: str) -> Ordering | None:
        text = call.query.get("$orderby")
        if text is None:
            return None
        narrowed = "$filter" in call.query or "$search" in call.query
        return parse_orderby(text, properties, type_name, advanced=self._advanced(call), narrowed=narrowed)

    @staticmethod
    def _check_options(call: Call, allowed: frozenset[str]) -> None:
        """Refuse a query option the resource does not take. ``$count=true`` without the header is not refused:
        Graph ignores it and answers without ``@odata.count``."""
        for name in call.query:
            if name.startswith("$") and name not in allowed:
                raise unsupported(f"Query option '{name}' is not supported on this resource.")

    def _page(
        self, call: Call, rows: Sequence[tuple[int, Any]], context: str, *, count: bool = True,
        project: Callable[[Any], dict[str, Any]] | None = None, largest: int = MAX_PAGE_SIZE,
    ) -> Answer:  # fmt: skip
        """One page of ``rows`` (``(order key, item)``), with ``@odata.nextLink`` carrying ``$skiptoken``; only the
        page's items go through ``project``. ``$top`` above ``largest`` gives pages of ``largest``."""
        top_text = call.query.get("$top")
        size = DEFAULT_PAGE_SIZE
        if top_text is not None:
            if not top_text.isdigit() or not 1 <= int(top_text) <= MAX_PAGE_SIZE:
                raise bad_request(f"Invalid page size specified: '{top_text}'. Must be between 1 and 999 inclusive.")
            size = int(top_text)
        size = min(size, largest)
        after = -1
        if "$skiptoken" in call.query:
            after = int(_decode_token(call.query["$skiptoken"]).get("after", -1))
        start = bisect.bisect_right(rows, after, key=lambda row: row[0])
        page = rows[start : start + size]
        body: dict[str, Any] = {"@odata.context": f"{call.base}/$metadata#{context}"}
        if count and self._advanced(call):
            body["@odata.count"] = len(rows)
        if len(rows) - start > size:
            query = {k: v for k, v in call.query.items() if k != "$skiptoken"}
            query["$skiptoken"] = _encode_token({"after": page[-1][0]})
            body["@odata.nextLink"] = f"{call.base}/{call.path.strip('/')}?{_query_string(query)}"
        body["value"] = [project(item) if project else item for _, item in page]
        return Answer(200, body)

    def _list_objects(
        self, call: Call, objects: list[DirectoryObject], properties: frozenset[str], type_name: str, context: str,
        *, typed: bool = False, expand: Expansion | None = None,
    ) -> Answer:  # fmt: skip
        self._check_options(call, LIST_OPTIONS | ({"$expand"} if expand else set()))
        select = self._select(call, properties, type_name)
        matches = self._filter(call, properties, type_name)
        ordering = self._ordering(call, properties, type_name)
        chosen = [o for o in objects if matches(o.props)]
        rows: list[tuple[int, DirectoryObject]]
        if ordering is None:
            rows = sorted(((o.seq, o) for o in chosen), key=lambda row: row[0])  # a skiptoken goes by age
        else:
            rows = list(enumerate(ordering.sort(chosen, lambda o: o.props)))

        def project(obj: DirectoryObject) -> dict[str, Any]:
            item = self._project(obj, select, typed=typed)
            if expand is not None:
                expand.add(obj, item)
            return item

        largest = EXPANDED_PAGE_SIZE if expand else MAX_PAGE_SIZE
        return self._page(call, rows, context, project=project, largest=largest)

    def _directory_objects(self, call: Call, objects: list[DirectoryObject], properties: frozenset[str]) -> Answer:
        """A navigation's objects (members, memberships, reports), typed, as ``directoryObjects`` of any kind."""
        return self._list_objects(
            call, objects, properties, "microsoft.graph.directoryObject", "directoryObjects", typed=True
        )

    def _count(self, call: Call, _: list[str]) -> Answer:
        """``…/$count``: the number of objects in the collection before it, as ``text/plain``; only with
        ``ConsistencyLevel: eventual`` (then ``$filter`` may use the advanced operators, and ``$search`` works)."""
        if not self._eventual(call):
            raise bad_request("$count is not currently supported.")
        query = {k: v for k, v in call.query.items() if k in ("$filter", "$search")}
        listing = dataclasses.replace(call, path="/".join(call.segments[:-1]), query={**query, "$count": "true"})
        routed = self._route(listing)
        if isinstance(routed, Answer):
            return routed
        handler, params = routed
        self._authorize(listing, handler)
        answer = handler(self, listing, params)
        return Answer(200, str(answer.body["@odata.count"]), {"Content-Type": "text/plain"})

    # users -----------------------------------------------------------------------------------------------
    def _list_users(self, call: Call, _: list[str]) -> Answer:
        """Users; ``$expand=manager`` (optionally ``manager($select=…)``) adds each one's manager, and pages of at
        most 100 then, as Graph returns when expanding."""
        store = self._store(call)
        expand = _manager_expansion(call, store, self._project)
        return self._list_objects(call, store.all("user"), USER_PROPERTIES, "microsoft.graph.user", "users",
                                  expand=expand)  # fmt: skip

    def _create_user(self, call: Call, _: list[str]) -> Answer:
        user = self._store(call).create_user(_object_body(call))
        body = {"@odata.context": f"{call.base}/$metadata#users/$entity", **self._project(user, None)}
        return Answer(201, body, {"Location": f"{call.base}/users/{user.id}"})

    def _get_user(self, call: Call, params: list[str]) -> Answer:
        self._check_options(call, frozenset({"$select"}))
        select = self._select(call, USER_PROPERTIES, "microsoft.graph.user")
        user = self._store(call).get(params[0], "user")
        return Answer(200, {"@odata.context": f"{call.base}/$metadata#users/$entity", **self._project(user, select)})

    def _update_user(self, call: Call, params: list[str]) -> Answer:
        self._store(call).update_user(params[0], _object_body(call))
        return Answer(204)

    def _delete_user(self, call: Call, params: list[str]) -> Answer:
        self._store(call).delete_user(params[0])
        return Answer(204)

    def _revoke_sessions(self, call: Call, params: list[str]) -> Answer:
        user = self._store(call).revoke_sessions(params[0])
        # refresh tokens of earlier sign-ins stop working at the identity endpoints too
        self.world.revoke_sign_in_sessions(call.directory, user.id)
        person = call.directory.people.get(str(user.props.get("userPrincipalName", "")).lower())
        if person is not None:
            self.world.revoke_sign_in_sessions(call.directory, person.object_id)
        return Answer(200, {"@odata.context": f"{call.base}/$metadata#Edm.Boolean", "value": True})

    def _get_manager(self, call: Call, params: list[str]) -> Answer:
        manager = self._store(call).manager_of(params[0])
        if call.segments[-1] == "$ref":
            return Answer(200, {"@odata.id": f"{call.base}/directoryObjects/{manager.id}"})
        select = self._select(call, USER_PROPERTIES, "microsoft.graph.user")
        body = {"@odata.context": f"{call.base}/$metadata#directoryObjects/$entity"}
        return Answer(200, {**body, **self._project(manager, select, typed=True)})

    def _set_manager(self, call: Call, params: list[str]) -> Answer:
        self._store(call).set_manager(params[0], _reference(call))
        return Answer(204)

    def _remove_manager(self, call: Call, params: list[str]) -> Answer:
        self._store(call).remove_manager(params[0])
        return Answer(204)

    def _direct_reports(self, call: Call, params: list[str]) -> Answer:
        reports = self._store(call).direct_reports(params[0])
        return self._directory_objects(call, reports, USER_PROPERTIES)

    def _member_of(self, call: Call, params: list[str]) -> Answer:
        groups = self._store(call).member_of(params[0])
        return self._directory_objects(call, groups, GROUP_PROPERTIES)

    def _users_delta(self, call: Call, _: list[str]) -> Answer:
        """``/users/delta``: every user first, then what changed since the ``$deltatoken``; never a change
        still within the consistency lag, so nothing is skipped for good."""
        return self._delta(call, "user", "users", USER_PROPERTIES)

    def _groups_delta(self, call: Call, _: list[str]) -> Answer:
        """``/groups/delta``: the same rounds for groups; a group whose members changed is a changed group."""
        return self._delta(call, "group", "groups", GROUP_PROPERTIES)

    def _delta(self, call: Call, kind: ObjectKind, collection: str, properties: Any) -> Answer:
        store = self._store(call)
        self._check_options(call, frozenset({"$select", "$deltatoken", "$skiptoken", "$filter"}))
        if "$skiptoken" in call.query:
            state = _decode_token(call.query["$skiptoken"])
        elif "$deltatoken" in call.query:
            state = _decode_token(call.query["$deltatoken"])
            state = {"since": int(state.get("since", 0)), "until": store.settled_seq(), "sel": state.get("sel")}
        else:
            state = {"since": 0, "until": store.settled_seq(), "sel": call.query.get("$select")}
        select_text = state.get("sel")
        select = tuple(p for p in str(select_text).split(",") if p) if select_text else None
        for prop in select or ():
            if prop not in properties:
                raise bad_request(f"Could not find a property named '{prop}' on type 'microsoft.graph.{kind}'.")
        ids = [
            i
            for i in store.changed_since(int(state["since"]), int(state["until"]), kind)
            if i > str(state.get("after", ""))
        ]
        size = _max_page_size(call.headers.get("prefer", "")) or DEFAULT_PAGE_SIZE
        page, more = ids[:size], len(ids) > size
        values: list[dict[str, Any]] = []
        for object_id in page:
            obj = store.objects.get(object_id)
            if obj is None:
                values.append({"id": object_id, "@removed": {"reason": "changed"}})
            elif store.visible(obj):
                values.append({**self._project(obj, select), "id": obj.id})
        body: dict[str, Any] = {"@odata.context": f"{call.base}/$metadata#{collection}"}
        if more:
            token = _encode_token({**state, "after": page[-1]})
            body["@odata.nextLink"] = f"{call.base}/{collection}/delta()?$skiptoken={token}"
        else:
            token = _encode_token({"since": state["until"], "sel": select_text})
            body["@odata.deltaLink"] = f"{call.base}/{collection}/delta()?$deltatoken={token}"
        body["value"] = values
        return Answer(200, body)

    # groups -----------------------------------------------------------------------------------------------
    def _list_groups(self, call: Call, _: list[str]) -> Answer:
        groups = self._store(call).all("group")
        return self._list_objects(call, groups, GROUP_PROPERTIES, "microsoft.graph.group", "groups")

    def _create_group(self, call: Call, _: list[str]) -> Answer:
        group = self._store(call).create_group(_object_body(call))
        body = {"@odata.context": f"{call.base}/$metadata#groups/$entity", **self._project(group, None)}
        return Answer(201, body, {"Location": f"{call.base}/groups/{group.id}"})

    def _get_group(self, call: Call, params: list[str]) -> Answer:
        select = self._select(call, GROUP_PROPERTIES, "microsoft.graph.group")
        group = self._store(call).get(params[0], "group")
        return Answer(200, {"@odata.context": f"{call.base}/$metadata#groups/$entity", **self._project(group, select)})

    def _update_group(self, call: Call, params: list[str]) -> Answer:
        self._store(call).update_group(params[0], _object_body(call))
        return Answer(204)

    def _delete_group(self, call: Call, params: list[str]) -> Answer:
        self._store(call).delete_group(params[0])
        return Answer(204)

    def _group_members(self, call: Call, params: list[str]) -> Answer:
        members = self._store(call).members(params[0])
        return self._directory_objects(call, members, USER_PROPERTIES)

    def _add_member(self, call: Call, params: list[str]) -> Answer:
        self._store(call).add_member(params[0], _reference(call))
        return Answer(204)

    def _remove_member(self, call: Call, params: list[str]) -> Answer:
        self._store(call).remove_member(params[0], params[1])
        return Answer(204)

    def _get_directory_object(self, call: Call, params: list[str]) -> Answer:
        obj = self._store(call).get(params[0])
        body = {"@odata.context": f"{call.base}/$metadata#directoryObjects/$entity"}
        return Answer(200, {**body, **self._project(obj, None, typed=True)})

    # service principals and roles, derived from the world's grants ------------------------------------------
    def _principal_rows(self, directory: Directory) -> list[dict[str, Any]]:
        rows = [
            {
                "id": _resource_principal_id(directory, app_id),
                "appId": app_id,
                "displayName": name,
                "servicePrincipalType": "Application",
                "accountEnabled": True,
                "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
                "appRoles": [
                    {"id": role_id, "value": value, "allowedMemberTypes": ["Application"], "isEnabled": True}
                    for value, role_id in RESOURCE_ROLES[app_id].items()
                ],
            }
            for app_id, name in RESOURCE_NAMES.items()
        ]
        for principal in directory.service_principals.values():
            app = self.world.applications.get(principal.app_id)
            rows.append(
                {
                    "id": principal.id,
                    "appId": principal.app_id,
                    "displayName": principal.display_name,
                    "servicePrincipalType": "Application",
                    "accountEnabled": True,
                    "appOwnerOrganizationId": app.home_tenant_id if app else None,
                    "appRoles": [],
                }
            )
        return rows

    def _list_rows(self, call: Call, rows: list[dict[str, Any]], properties: frozenset[str], type_name: str,
                   context: str) -> Answer:  # fmt: skip
        self._check_options(call, LIST_OPTIONS)
        select = self._select(call, properties, type_name)
        matches = self._filter(call, properties, type_name)
        ordering = self._ordering(call, properties, type_name)
        chosen = [r for r in rows if matches(r)]
        if ordering is not None:
            chosen = ordering.sort(chosen, lambda r: r)
        projected = [{p: r.get(p) for p in select} if select else r for r in chosen]
        return self._page(call, list(enumerate(projected)), context)

    def _list_service_principals(self, call: Call, _: list[str]) -> Answer:
        rows = self._principal_rows(call.directory)
        return self._list_rows(
            call, rows, SERVICE_PRINCIPAL_PROPERTIES, "microsoft.graph.servicePrincipal", "servicePrincipals"
        )

    def _get_service_principal(self, call: Call, params: list[str]) -> Answer:
        row = next((r for r in self._principal_rows(call.directory) if r["id"] == params[0]), None)
        if row is None:
            raise not_found(params[0])
        return Answer(200, {"@odata.context": f"{call.base}/$metadata#servicePrincipals/$entity", **row})

    def _app_role_assignments(self, call: Call, params: list[str]) -> Answer:
        principal = next((p for p in call.directory.service_principals.values() if p.id == params[0]), None)
        if principal is None:
            raise not_found(params[0])
        rows: list[dict[str, Any]] = []
        for resource_app_id, values in sorted(principal.app_roles.items()):
            known = RESOURCE_ROLES.get(resource_app_id, {})
            for value in sorted(values):
                role_id = known.get(value) or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{resource_app_id}/{value}"))
                rows.append(
                    {
                        "id": _encode_token({"p": principal.id, "r": role_id})[:43],
                        "deletedDateTime": None,
                        "appRoleId": role_id,
                        "createdDateTime": format_datetime(self.world.clock.now()),
                        "principalDisplayName": principal.display_name,
                        "principalId": principal.id,
                        "principalType": "ServicePrincipal",
                        "resourceDisplayName": RESOURCE_NAMES.get(resource_app_id, resource_app_id),
                        "resourceId": _resource_principal_id(call.directory, resource_app_id),
                    }
                )
        context = f"servicePrincipals('{principal.id}')/appRoleAssignments"
        return self._list_rows(call, rows, APP_ROLE_ASSIGNMENT_PROPERTIES, "microsoft.graph.appRoleAssignment", context)

    def _role_assignments(self, call: Call, _: list[str]) -> Answer:
        rows = [
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{principal.id}/{template_id}")),
                "principalId": principal.id,
                "roleDefinitionId": template_id,
                "directoryScopeId": "/",
            }
            for principal in call.directory.service_principals.values()
            for template_id in sorted(principal.directory_roles)
        ]
        return self._list_rows(
            call,
            rows,
            ROLE_ASSIGNMENT_PROPERTIES,
            "microsoft.graph.unifiedRoleAssignment",
            "roleManagement/directory/roleAssignments",
        )


NEEDS: dict[Handler, Need] = {
    GraphService._list_users: READ_USERS,
    GraphService._create_user: WRITE_USERS,
    GraphService._users_delta: READ_USERS,
    GraphService._groups_delta: READ_GROUPS,
    GraphService._get_user: READ_USERS,
    GraphService._update_user: WRITE_USERS,
    GraphService._delete_user: WRITE_USERS,
    GraphService._get_manager: READ_USERS,
    GraphService._set_manager: WRITE_USERS,
    GraphService._remove_manager: WRITE_USERS,
    GraphService._direct_reports: READ_USERS,
    GraphService._member_of: READ_USERS,
    GraphService._revoke_sessions: REVOKE_SESSIONS,
    GraphService._list_groups: READ_GROUPS,
    GraphService._create_group: WRITE_GROUPS,
    GraphService._get_group: READ_GROUPS,
    GraphService._update_group: WRITE_GROUPS,
    GraphService._delete_group: WRITE_GROUPS,
    GraphService._group_members: READ_GROUPS,
    GraphService._add_member: WRITE_MEMBERS,
    GraphService._remove_member: WRITE_MEMBERS,
    GraphService._get_directory_object: READ_USERS,
    GraphService._list_service_principals: READ_APPLICATIONS,
    GraphService._get_service_principal: READ_APPLICATIONS,
    GraphService._app_role_assignments: READ_APPLICATIONS,
    GraphService._role_assignments: READ_ROLES,
}
COLLECTIONS = frozenset(
    {
        GraphService._list_users,
        GraphService._users_delta,
        GraphService._groups_delta,
        GraphService._direct_reports,
        GraphService._member_of,
        GraphService._list_groups,
        GraphService._group_members,
        GraphService._list_service_principals,
        GraphService._app_role_assignments,
        GraphService._role_assignments,
    }
)


def _everything(row: dict[str, Any]) -> bool:
    return True


LIST_OPTIONS = frozenset({"$filter", "$search", "$orderby", "$select", "$top", "$count", "$skiptoken"})
EXPANDED_PAGE_SIZE = 100
"""Graph returns at most 100 objects a page when a list expands a navigation (its known issue 13635)."""


@dataclasses.dataclass(frozen=True)
class Expansion:
    """``$expand=manager``: each listed user's manager, projected by the expansion's own ``$select``."""

    store: GraphStore
    select: tuple[str, ...] | None
    project: Callable[..., dict[str, Any]]

    def add(self, obj: DirectoryObject, item: dict[str, Any]) -> None:
        manager = self.store.objects.get(obj.manager_id or "")
        if manager is not None and self.store.visible(manager):
            item["manager"] = self.project(manager, self.select, typed=True)


def _manager_expansion(call: Call, store: GraphStore, project: Callable[..., dict[str, Any]]) -> Expansion | None:
    text = call.query.get("$expand")
    if text is None:
        return None
    name, _, rest = text.strip().partition("(")
    if name.strip() != "manager":
        raise bad_request(
            f"Could not find a navigation property named '{name.strip()}' on type 'microsoft.graph.user'."
        )
    select: tuple[str, ...] | None = None
    options = rest.rstrip(")").strip()
    if options:
        key, _, value = options.partition("=")
        if key.strip() != "$select":
            raise unsupported(f"Query option '{key.strip()}' is not supported within $expand.")
        select = tuple(p.strip() for p in value.split(",") if p.strip())
        for prop in select:
            if prop not in USER_PROPERTIES:
                raise bad_request(f"Could not find a property named '{prop}' on type 'microsoft.graph.user'.")
    return Expansion(store, select, project)


def _is_collection(handler: Handler) -> bool:
    return handler in COLLECTIONS


def _object_body(call: Call) -> dict[str, Any]:
    if not isinstance(call.body, dict):
        raise GraphProblem(400, "BadRequest", "Empty Payload. JSON content expected.")
    return call.body


def _reference(call: Call) -> str:
    body = _object_body(call)
    odata_id = body.get("@odata.id")
    if not isinstance(odata_id, str):
        raise bad_request("The request body must carry the reference in '@odata.id'.")
    return odata_id


def _resource_principal_id(directory: Directory, app_id: str) -> str:
    """Microsoft's own apps have a service principal in every tenant; a stable id per tenant."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{directory.tenant_id}/{app_id}"))


def _query_string(query: dict[str, str]) -> str:
    return urlencode(query, quote_via=quote, safe="$,'()")


def _max_page_size(prefer: str) -> int | None:
    for part in prefer.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "odata.maxpagesize" and value.isdigit():
            return max(1, int(value))
    return None


def graph_router(world: EntraWorld) -> APIRouter:
    """Microsoft Graph v1.0 for every national cloud's host, over ``world``."""
    service = GraphService(world)
    router = APIRouter(tags=["sandbox: Microsoft Graph"])

    @router.api_route("/v1.0/{path:path}", methods=["GET", "POST", "PATCH", "PUT", "DELETE"], include_in_schema=False)
    async def graph(request: Request, path: str) -> Response:
        return await service.http(request, path)

    return router
