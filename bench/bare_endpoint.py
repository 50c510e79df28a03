"""The web stack's floor for ``bench/odata.py``: an ASGI app answering every GET with fixed bytes, served by uvicorn
with the options ``hirehub serve`` uses (processes, TLS, no access log), so the hub's figures under concurrent
clients can be set against what the server and the network cost with no application at all.

The body and its content type come from ``BENCH_BARE_BODY`` (a file) and ``BENCH_BARE_CONTENT_TYPE``: the bytes
the hub answered the same request with.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def create_app() -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The bare app (a factory, as uvicorn starts ``hirehub.api.app:create_app``)."""
    body = Path(os.environ["BENCH_BARE_BODY"]).read_bytes()
    headers = [
        (b"content-type", os.environ.get("BENCH_BARE_CONTENT_TYPE", "application/json").encode()),
        (b"content-length", str(len(body)).encode()),
    ]

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--ssl-certfile")
    parser.add_argument("--ssl-keyfile")
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")]))
    uvicorn.run(
        "bare_endpoint:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
        workers=args.workers,
        log_config=None,
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
