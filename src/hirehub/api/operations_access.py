"""Who may read the hub's operations endpoints: ``/metrics`` and the API documentation (``/docs``, ``/redoc``,
``/openapi.json``).

They tell an attacker what runs and how busy it is, and need no account, so outside development they are closed:
they answer 404, as an unknown path does. An operator who scrapes metrics or reads the documentation in production
sets ``HIREHUB_OPERATIONS_TOKEN``; a request carrying it as a bearer token (Prometheus' ``authorization``
setting) is let through, one without it answers 401. In development they are open, as FastAPI serves them.
"""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from hirehub.api.problems import problem_response

OPERATIONS_PATHS = frozenset({"/metrics", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})


class OperationsAccess:
    """ASGI middleware: the operations endpoints open (``open_to_all``), behind ``token``, or closed (404)."""

    def __init__(self, app: ASGIApp, *, open_to_all: bool, token: str = "") -> None:
        self.app = app
        self.open_to_all = open_to_all
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.open_to_all or scope["path"] not in OPERATIONS_PATHS:
            await self.app(scope, receive, send)
            return
        if not self.token:
            await problem_response(404, "Not Found", "Not Found")(scope, receive, send)
            return
        if not hmac.compare_digest(_bearer(scope).encode(), self.token.encode()):
            unauthenticated = problem_response(
                401, "Unauthenticated", "This endpoint needs the operations token (Authorization: Bearer <token>).",
                headers={"WWW-Authenticate": "Bearer"},
            )  # fmt: skip
            await unauthenticated(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _bearer(scope: Scope) -> str:
    """The bearer token the request carries (empty when it carries none)."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            return credentials.strip() if scheme.lower() == "bearer" else ""
    return ""
