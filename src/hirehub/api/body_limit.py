"""A ceiling on every request body, enforced while it is read, before any route sees it.

Without it a route's ``await request.body()`` holds whatever a caller sends: one large POST is as much memory.
A declared ``Content-Length`` over the cap is refused before a byte is read; a body without one (chunked) is
counted as it arrives and stops at the cap, so memory stays bounded by the cap whatever the caller claims. The
refusal is 413 in the caller's protocol: Dataverse's error body under the Web API, a problem document elsewhere.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hirehub.api.asgi import HTTPMiddleware
from hirehub.api.problems import problem_response
from hirehub.odata.errors import too_large

WEB_API_PREFIX = "/api/data/"
CLOSE = {"Connection": "close"}
"""An unread remainder cannot be skipped cheaply: the connection ends with the answer."""


class BodyTooLarge(StarletteHTTPException):
    """Raised from ``receive`` once a body passes the cap. An HTTP exception, so a route that parses its body
    (FastAPI turns any other failure there into a 400) lets it through to the application's handler, which
    answers it in the caller's protocol; :class:`BodyLimitMiddleware` answers any that escapes."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, _detail(max_bytes), headers=CLOSE)


class BodyLimitMiddleware(HTTPMiddleware):
    """Pure ASGI, so a streamed response is untouched and nothing is buffered here."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge:
            if started:  # the route answered before it read the rest: nothing more can be said
                return
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        detail = _detail(self.max_bytes)
        if str(scope.get("path", "")).startswith(WEB_API_PREFIX):
            error = too_large(detail)
            answer = JSONResponse(error.body(), error.status, headers={**error.response_headers(), **CLOSE})
        else:
            answer = problem_response(413, "Content Too Large", detail, headers=CLOSE)
        await answer(scope, _no_receive, send)


def _detail(max_bytes: int) -> str:
    return f"The request body is larger than this service accepts ({max_bytes} bytes)."


def _content_length(scope: Scope) -> int | None:
    """The declared length, or ``None`` when absent or unreadable (then the counting in ``receive`` decides)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            if text.isascii() and text.isdigit() and len(text) <= 20:
                return int(text)
            return None
    return None


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
