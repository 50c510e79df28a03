"""The shape every middleware of the hub shares: pure ASGI, acting on HTTP requests only.

Pure ASGI rather than Starlette's ``BaseHTTPMiddleware``, so a streamed response (a ``$batch`` answer, a large
page) is passed on as it is produced, never buffered; lifespan and websocket events go through untouched.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HTTPMiddleware:
    """Subclasses implement :meth:`handle`, called for each HTTP request with ``self.app`` to pass it on to."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError
