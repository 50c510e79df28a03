"""Where the hub sends a browser: the root to the console, and, in development, real identity hosts to sandboxes.

The outbound host map reroutes only the hub's own calls. A redirect the hub hands a browser (*Link account*
sends it to the directory's authorize endpoint) names the real host, which a laptop's sandboxes do not answer
for; in development, :class:`BrowserRedirects` rewrites such a ``Location`` to the origin
``HIREHUB_BROWSER_HOST_MAP`` gives, so a person signs in and consents at the sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hirehub.api.asgi import HTTPMiddleware

CONSOLE_PATH = "/console/"

router = APIRouter(include_in_schema=False)


@router.get("/")
async def root() -> RedirectResponse:
    """A person who opens the hub's address lands in the console (which asks them to sign in)."""
    return RedirectResponse(CONSOLE_PATH, status_code=307)


def rerouted(location: str, host_map: Mapping[str, str]) -> str:
    """``location`` with its origin replaced by the one ``host_map`` maps it to; unchanged when none does."""
    for origin, target in host_map.items():
        origin = origin.rstrip("/")
        if location == origin or location.startswith((origin + "/", origin + "?")):
            return target.rstrip("/") + location[len(origin) :]
    return location


class BrowserRedirects(HTTPMiddleware):
    """Rewrites the ``Location`` of redirects to the origins of ``host_map`` (development only)."""

    def __init__(self, app: ASGIApp, *, host_map: Mapping[str, str]) -> None:
        super().__init__(app)
        self.host_map = dict(host_map)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_rerouted(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message["headers"] = [
                    (name, rerouted(value.decode("latin-1"), self.host_map).encode("latin-1"))
                    if name.lower() == b"location"
                    else (name, value)
                    for name, value in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, send_rerouted)
