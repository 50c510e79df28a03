"""``hirehub demo run``'s supervised group: the hub, a job runner and both sandboxes, started and stopped as one.

Each part is a program of its own, as in production (``hirehub serve``, ``hirehub jobs run``) and as the sandboxes
are run by hand (``python -m hirehub.sandbox.entra``, ``python -m hirehub.sandbox.linkedin``): the product never
imports the sandboxes, and a crash in one part is seen rather than hidden in a thread. The sandboxes take free
loopback ports and say where they listen through ``--details-file``; the hub and the runner are then wired to them
with the outbound host map, the sandbox CA and the browser host map. The Entra sandbox's world (directory, app
registration, administrator) is kept in the data directory so that its ids stay the same from one start to the
next, as the demo tenant's connection expects. Both sandboxes follow the group's time travel with
``--clock-offset-file`` (the file ``hirehub demo clock`` writes), so the hub and the sandboxes move their calendars
together; the browser host map also sends the console's RSC plugin page to the LinkedIn sandbox's plugin.

Stopping: Ctrl-C reaches every part (they share the terminal's process group); the supervisor then asks any part
still running to stop (SIGTERM), waits for it, and kills what does not stop. A part that dies on its own stops
the group, so nothing half-running is left behind.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from hirehub.db.clock_offset import offset_file
from hirehub.demo import DEMO_CONNECTION_NAME, SandboxIdentity, sandbox_identity_file
from hirehub.directories.entra.runtime import LINK_CALLBACK_PATH
from hirehub.errors import Unavailable
from hirehub.settings import get_settings

START_TIMEOUT = 180.0
"""Seconds a part gets to answer before the group gives up starting (a loaded laptop imports slowly)."""
STOP_TIMEOUT = 15.0
"""Seconds the parts get to stop after SIGTERM before they are killed."""
ENTRA_BROWSER_ORIGINS = ("https://login.microsoftonline.com", "https://login.windows.net")
"""The authority origins a browser is sent to for *Link account*, rerouted to the sandbox's browser port."""
LINKEDIN_BROWSER_ORIGINS = ("https://platform.linkedin.com",)
"""Where the console's RSC plugin page loads LinkedIn's script and widget from, rerouted to the LinkedIn sandbox."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (a sandbox takes it a moment later)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class Part:
    """One program of the group."""

    name: str
    process: subprocess.Popen[bytes]


@dataclass
class Group:
    """The running parts, in the order they started; stopped in the reverse order."""

    parts: list[Part] = field(default_factory=list)

    def start(self, name: str, command: Sequence[str], env: Mapping[str, str], *, show_output: bool = True) -> Part:
        """Start a part; it inherits this process's environment (PATH, the HIREHUB_* settings) with ``env`` on top.
        ``show_output=False`` hides what it prints on stdout (the sandboxes' details, which the group reads from
        their files), never its errors."""
        stdout = None if show_output else subprocess.DEVNULL
        process = subprocess.Popen(list(command), env={**os.environ, **env}, stdin=subprocess.DEVNULL, stdout=stdout)
        part = Part(name, process)
        self.parts.append(part)
        return part

    def exited(self) -> Part | None:
        """A part that has stopped on its own, if any."""
        return next((part for part in self.parts if part.process.poll() is not None), None)

    def stop(self) -> None:
        """SIGTERM to every part still running, then SIGKILL to any that outlives :data:`STOP_TIMEOUT`."""
        for part in reversed(self.parts):
            if part.process.poll() is None:
                part.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for part in reversed(self.parts):
            try:
                part.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                part.process.kill()
                part.process.wait()


def wait_for_file(path: Path, part: Part) -> dict[str, Any]:
    """The JSON a sandbox writes once it is set up (its ``--details-file``)."""
    deadline = time.monotonic() + START_TIMEOUT
    while not path.exists():
        if part.process.poll() is not None or time.monotonic() > deadline:
            raise Unavailable(f"the {part.name} did not start")
        time.sleep(0.1)
    details: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return details


def wait_for_port(port: int, part: Part) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if part.process.poll() is not None or time.monotonic() > deadline:
                raise Unavailable(f"the {part.name} did not start on port {port}") from None
            time.sleep(0.1)


def wait_for_health(url: str, part: Part) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if part.process.poll() is not None or time.monotonic() > deadline:
            raise Unavailable(f"the {part.name} did not answer {url}")
        time.sleep(0.2)


@dataclass(frozen=True)
class Started:
    """What the group prints once it runs: where to go and with what."""

    console_url: str
    identity: SandboxIdentity
    entra_browser_url: str
    linkedin_url: str
    linkedin_plugin_admin: Mapping[str, str] = field(default_factory=dict)
    """Who signs in to LinkedIn's configuration plugin (the sandbox's): ``email`` and ``password``."""


class _Interrupted(Exception):
    """SIGINT or SIGTERM reached the supervisor."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise _Interrupted


def development_env(data_dir: Path) -> dict[str, str]:
    """What every part runs with: development mode, on the data directory's embedded database."""
    return {"HIREHUB_ENV": "development", "HIREHUB_DATA_DIR": str(data_dir.resolve())}


def hub_command(*arguments: str) -> list[str]:
    """``hirehub …`` as this Python runs it (the group needs only the hub's own install)."""
    return [sys.executable, "-m", "hirehub", *arguments]


def run_step(command: Sequence[str], data_dir: Path) -> tuple[int, str]:
    """Run one preparing command (a migration, the seed) in development mode on ``data_dir``: its exit code and
    what it printed (its ``--json`` object)."""
    done = subprocess.run(
        list(command), env={**os.environ, **development_env(data_dir)}, stdout=subprocess.PIPE, text=True, check=False
    )
    return done.returncode, done.stdout


def test_demo_connection(env: Mapping[str, str]) -> None:
    """*Test connection* on the demo tenant's connection to the sandbox directory, once the sandbox runs: the hub
    provisions through a connection only after it passed, so the jobs of the first hire do not wait for a person
    to press the button. A failure is said, not fatal: the console shows why and the next step."""
    settings = get_settings()
    command = hub_command(
        "entra", "connection", "test", "--tenant", settings.demo_tenant_domain, "--name", DEMO_CONNECTION_NAME, "--json"
    )
    done = subprocess.run(command, env={**os.environ, **env}, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        print(f"Test connection of '{DEMO_CONNECTION_NAME}' did not pass: {done.stdout.strip()}", flush=True)


def run_group(*, port: int, data_dir: Path, announce: Callable[[Started], None]) -> int:
    """Start the group, call ``announce(started)`` once every part answers, and supervise it until Ctrl-C or a
    part's exit; returns the exit code (0 after Ctrl-C, 1 when a part died or did not start)."""
    previous = {signum: signal.signal(signum, _interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}
    group = Group()
    try:
        return _supervise(group, port=port, data_dir=data_dir, announce=announce)
    except _Interrupted:
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stopping short
        group.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _supervise(group: Group, *, port: int, data_dir: Path, announce: Callable[[Started], None]) -> int:
    sandbox_dir = (data_dir / "sandbox").resolve()
    sandbox_dir.mkdir(parents=True, exist_ok=True)
    identity = SandboxIdentity.load_or_create(sandbox_identity_file(data_dir))
    base_url = f"http://127.0.0.1:{port}"
    world_file = sandbox_dir / "entra-world.json"
    world_file.write_text(json.dumps(identity.entra_world(redirect_uri=base_url + LINK_CALLBACK_PATH), indent=2))
    quiet = {"HIREHUB_LOG_LEVEL": "WARNING", "HIREHUB_LOG_JSON": "false"}
    clock_file = str(offset_file(data_dir.resolve()))  # the sandboxes' calendars follow the group's time travel
    env = {**quiet, **development_env(data_dir)}

    entra_port, entra_browser_port, linkedin_port = free_port(), free_port(), free_port()
    entra_details_file, linkedin_details_file = sandbox_dir / "entra.json", sandbox_dir / "linkedin.json"
    for stale in (entra_details_file, linkedin_details_file):
        stale.unlink(missing_ok=True)
    entra = group.start(
        "Entra sandbox",
        [sys.executable, "-m", "hirehub.sandbox.entra", "--port", str(entra_port),
         "--tls-dir", str(sandbox_dir / "tls"), "--browser-port", str(entra_browser_port), "--world", str(world_file),
         "--details-file", str(entra_details_file), "--clock-offset-file", clock_file, "--log-level", "warning"],
        env,
        show_output=False,
    )  # fmt: skip
    linkedin = group.start(
        "LinkedIn sandbox",
        [sys.executable, "-m", "hirehub.sandbox.linkedin", "--port", str(linkedin_port),
         "--client-id", identity.linkedin_client_id, "--client-secret", identity.linkedin_client_secret,
         "--admin-email", f"recruiter.admin@{get_settings().demo_tenant_domain}",
         "--details-file", str(linkedin_details_file), "--clock-offset-file", clock_file, "--log-level", "warning"],
        env,
        show_output=False,
    )  # fmt: skip
    entra_details = wait_for_file(entra_details_file, entra)
    linkedin_details = wait_for_file(linkedin_details_file, linkedin)
    wait_for_port(entra_port, entra)
    wait_for_port(linkedin_port, linkedin)

    browser_url = entra_details["browser_base_url"]
    hub_env = {
        **env,
        "HIREHUB_BASE_URL": base_url,
        "HIREHUB_OUTBOUND_HOST_MAP": json.dumps({**entra_details["host_map"], **linkedin_details["host_map"]}),
        "HIREHUB_OUTBOUND_CA_BUNDLE": entra_details["ca_bundle"],
        "HIREHUB_BROWSER_HOST_MAP": json.dumps(
            {
                **dict.fromkeys(ENTRA_BROWSER_ORIGINS, browser_url),
                **dict.fromkeys(LINKEDIN_BROWSER_ORIGINS, linkedin_details["base_url"]),
            }
        ),
        "HIREHUB_ENTRA_SP_CLIENT_ID": identity.client_id,
        "HIREHUB_ENTRA_SP_CLIENT_SECRET": identity.client_secret,
    }
    hub = group.start("hub", hub_command("serve", "--host", "127.0.0.1", "--port", str(port)), hub_env)
    group.start("job runner", hub_command("jobs", "run", "--poll-interval", "1"), hub_env)
    wait_for_health(f"{base_url}/healthz", hub)
    test_demo_connection(hub_env)
    plugin_admin = linkedin_details.get("plugin_admin") or {}
    announce(
        Started(
            f"{base_url}/console/",
            identity,
            browser_url,
            linkedin_details["base_url"],
            {"email": plugin_admin.get("email", ""), "password": plugin_admin.get("password", "")},
        )
    )
    while True:
        stopped = group.exited()
        if stopped is not None:
            print(f"The {stopped.name} stopped (exit code {stopped.process.returncode}); stopping the rest.")
            return 1
        time.sleep(0.5)
