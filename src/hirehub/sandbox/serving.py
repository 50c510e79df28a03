"""An ASGI app served by uvicorn on a loopback port, on its own thread and event loop.

Emulators are reached over real HTTP (other processes, real clients) while the process that started them can
still arrange and inspect their state: the tests and the benchmarks serve them this way, and the Entra sandbox's
program serves its browser port so. ``hirehub demo run`` starts each sandbox as a program of its own
(``python -m hirehub.sandbox.entra``, ``python -m hirehub.sandbox.linkedin``), since the product never imports
the sandboxes; they tell it their addresses through ``--details-file``, written by :func:`write_atomically`.
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Any, port: int, *, host: str = "127.0.0.1", **config: Any) -> Iterator[None]:
    """Serve ``app`` on ``host``:``port`` until the block ends (``config``: e.g. ``ssl_certfile``)."""
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, **config))
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


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader polling for the file never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)


class ProgramHelp(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """``--help`` of a sandbox program: its description as written, and the default of every option that has one."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, [], False) or action.default is argparse.SUPPRESS:
            return action.help
        return super()._get_help_string(action)
