"""An ASGI app served by uvicorn on a loopback port, on its own thread and event loop.

Emulators are reached over real HTTP (other processes, real clients) while the process that started them can
still arrange and inspect their state: the tests, the benchmarks and ``hirehub demo`` all serve them this way.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Any, port: int, **config: Any) -> Iterator[None]:
    """Serve ``app`` on 127.0.0.1:``port`` until the block ends (``config``: e.g. ``ssl_certfile``)."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, **config)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the server on port {port} did not start")
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
