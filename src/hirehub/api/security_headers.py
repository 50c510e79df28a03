"""Browser protections on every answer of the hub, the console's above all.

The console is where an administrator's session can be abused by another site: framed under a decoy to steal
clicks, fed a script through a flaw, or its URLs (which carry ids) leaked in ``Referer``. So every answer says it
may not be framed (``frame-ancestors 'none'`` and, for older browsers, ``X-Frame-Options: DENY``), must not be
sniffed into another type, and sends only its origin to other sites; console pages also say that only the hub's
own scripts, styles and images run on them (the templates carry no inline script or style). A page that needs more
(the LinkedIn plugin page lets in LinkedIn's origins, by nonce) sets its own policy, which is kept. Over TLS, HSTS
tells the browser never to use plain HTTP for the hub again.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hirehub.api.asgi import HTTPMiddleware

CONSOLE_PREFIX = "/console"
CONSOLE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
"""No ``form-action``: a console form (an Entra connection's *Link account*) redirects to the identity provider,
which browsers would check against it."""
FRAMING_POLICY = "frame-ancestors 'none'"
"""Everything else (JSON, the API documentation in development) loads what it likes but is never framed."""
HSTS = "max-age=31536000"
"""A year; not ``includeSubDomains``, which would bind the operator's other hosts to a choice made here."""
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def _is_console(path: str) -> bool:
    return path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/")


class SecurityHeaders(HTTPMiddleware):
    """ASGI middleware adding the headers above to every HTTP answer that does not set them itself; HSTS on
    answers over TLS, and on all of them when ``tls`` (the hub's public URL is https behind a proxy)."""

    def __init__(self, app: ASGIApp, *, tls: bool = False) -> None:
        super().__init__(app)
        self.tls = tls

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        policy = CONSOLE_POLICY if _is_console(scope["path"]) else FRAMING_POLICY
        over_tls = self.tls or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", policy)
                if over_tls:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
