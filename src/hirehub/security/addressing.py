"""The organisation a request addresses: ``{base}/{tenant}/api/data/…`` is the Web API of one tenant.

Dataverse gives every organisation its own URL, and the token's audience is that URL. The hub serves every
tenant at one ``/api/data/``; its own tokens name their tenant (``tid``, signed by the hub), but a token from an
external Entra ID tenant names only that Entra tenant and an audience any hub tenant can claim to trust. So a
request with an external token must say which hub tenant it is for, the way the hub's other URLs do
(``{base}/{tenant}/oauth2/v2.0/token``): its path starts with the tenant's GUID or domain. This middleware
takes that segment off before routing, so the Web API's routes stay one set, and keeps it for
:class:`~hirehub.security.principal.PrincipalResolver`, which resolves an external issuer only within it.
"""

from __future__ import annotations

import re

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

ADDRESSED = re.compile(r"^/(?P<tenant>[^/]+)(?P<rest>/api/data/.*)$")
SCOPE_KEY = "hirehub.addressed_tenant"


class TenantAddress:
    """ASGI middleware: ``/{tenant}/api/data/…`` is routed as ``/api/data/…``, addressed to ``{tenant}``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            match = ADDRESSED.match(scope["path"])
            if match is not None:
                raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
                raw_rest = raw_path[raw_path.index(b"/", 1) :]
                scope = {**scope, "path": match["rest"], "raw_path": raw_rest, SCOPE_KEY: match["tenant"]}
        await self.app(scope, receive, send)


def addressed_tenant(connection: HTTPConnection) -> str | None:
    """The tenant (GUID or domain) the request's URL addresses, or None for the hub's unaddressed URLs."""
    tenant = connection.scope.get(SCOPE_KEY)
    return str(tenant) if tenant is not None else None


def address_prefix(connection: HTTPConnection) -> str:
    """``/{tenant}`` when the request's URL addresses a tenant, else empty: the links an answer carries (the
    next page, a record's id) keep the address the client called, so following them resolves the same way."""
    tenant = addressed_tenant(connection)
    return f"/{tenant}" if tenant is not None else ""
