"""``hirehub demo``: the demo tenant (``seed``), the whole chain on one machine (``run``), and development's
time travel (``clock``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import typer
from rich.progress import Progress

from hirehub.bootstrap import Hub
from hirehub.cli.context import with_hub
from hirehub.cli.demo_group import Started, hub_command, run_group, run_step
from hirehub.cli.output import JsonOption, emit, err_console, refuse
from hirehub.demo import (
    DEMO_ADMIN_EMAIL,
    DEMO_ADMIN_PASSWORD,
    SEED_STEPS,
    SandboxIdentity,
    advance_clock,
    clock_state,
    reset_clock,
    sandbox_identity_file,
    seed_demo,
)
from hirehub.errors import Forbidden, HubError
from hirehub.logging import configure_logging
from hirehub.settings import Environment, get_settings

demo_app = typer.Typer(help="The demo: its tenant, the whole chain on one machine, and time travel.")
clock_app = typer.Typer(help="Development only: move the clock every process of the development group reads.")
demo_app.add_typer(clock_app, name="clock")


@demo_app.command("seed")
def demo_seed(as_json: bool = JsonOption) -> None:
    """Create (or top up) the demo tenant; running it twice changes nothing the second time. In development mode
    it is made ready against the sandboxes ``hirehub demo run`` starts (organisation, candidates, policy, the Entra
    connection, the LinkedIn partner app, an ATS app)."""

    async def seed(hub: Hub) -> dict[str, Any]:
        sandboxes = hub.settings.env is Environment.DEVELOPMENT
        with Progress(console=err_console, transient=True) as progress:
            task = progress.add_task("Seeding the demo tenant", total=SEED_STEPS if sandboxes else 2)
            return await seed_demo(
                hub.database,
                domain=hub.settings.demo_tenant_domain,
                identity=SandboxIdentity.load_or_create(sandbox_identity_file(hub.settings.data_dir))
                if sandboxes
                else None,
                settings=hub.settings,
                step_done=lambda: progress.advance(task),
            )

    with_hub(seed, as_json)


def _announce(started: Started, seeded: Mapping[str, Any]) -> None:
    """The start-up's last lines, plain text. ``seeded`` is ``hirehub demo seed --json``'s object: its
    ``ats_app`` (``client_id``, ``client_secret``), when the demo has one, is printed too."""
    identity = started.identity
    ats_app = seeded.get("ats_app") or {}
    domain = seeded.get("domain") or "contoso.example"
    lines = [
        "",
        "hirehub is running: the hub, a job runner, and the Entra and LinkedIn sandboxes.",
        "",
        f"Console:   {started.console_url}",
        f"E-mail:    {DEMO_ADMIN_EMAIL}",
        f"Password:  {DEMO_ADMIN_PASSWORD}",
        "",
        f"Sandbox directory (Entra ID): tenant {identity.tenant_id}",
        f"  administrator: {identity.admin}",
        f"  password:      {identity.admin_password}",
        f"  the hub's app: client ID {identity.client_id}",
        f"LinkedIn partner app:         client ID {identity.linkedin_client_id}",
        f"  client secret: {identity.linkedin_client_secret}",
        *(
            [
                f"LinkedIn plugin sign-in:      {started.linkedin_plugin_admin.get('email')}",
                f"  password:      {started.linkedin_plugin_admin.get('password')}",
            ]
            if started.linkedin_plugin_admin
            else []
        ),
        *(
            [
                f"ATS app (Web API):             client ID {ats_app.get('client_id')}",
                f"  client secret: {ats_app.get('client_secret')}",
            ]
            if ats_app
            else []
        ),
        "",
        "Try first (in another terminal, from this directory):",
        f"  hirehub hr candidate list --tenant {domain}",
        f"  hirehub hr hire --tenant {domain} --candidate <candidate id> --start <today>",
        "  then watch the account appear in the console (Sandbox directory), terminate with last day today, and",
        "  hirehub demo clock advance --days 1",
        "Or open the console, sign in, and follow the checklist on the dashboard.",
        "Ctrl-C stops everything.",
        "",
    ]
    print("\n".join(lines), flush=True)


@demo_app.command("run")
def demo_run(
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="The hub's port (the sandboxes take free ones)."),
) -> None:
    """Migrate, seed the demo tenant, then run the hub, a job runner and both sandboxes until Ctrl-C."""
    settings = get_settings()
    if settings.env is not Environment.DEVELOPMENT:
        refuse(Forbidden("demo run is development mode only: set HIREHUB_ENV=development (make run does)"), False)
    configure_logging("WARNING", json=False)  # the start-up ends in plain lines for a person to read
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Before the seed, so that a seed wiring the demo's connection to the sandbox directory finds its ids.
    SandboxIdentity.load_or_create(sandbox_identity_file(settings.data_dir))
    seeded: dict[str, Any] = {}
    for step in (hub_command("db", "upgrade"), hub_command("demo", "seed", "--json")):
        code, printed = run_step(step, settings.data_dir)
        if code != 0:
            print(printed, end="")
            raise typer.Exit(1)
        seeded = json.loads(printed) if printed.strip().startswith("{") else {}
    raise typer.Exit(run_group(port=port, data_dir=settings.data_dir, announce=lambda s: _announce(s, seeded)))


def _clock(action: Any, as_json: bool) -> None:
    try:
        emit(action(get_settings()), as_json)
    except HubError as exc:
        refuse(exc, as_json)


@clock_app.command("advance")
def clock_advance(
    days: int = typer.Option(0, "--days", min=0, help="Days to move forward."),
    hours: int = typer.Option(0, "--hours", min=0, help="Hours to move forward."),
    as_json: bool = JsonOption,
) -> None:
    """Move the hub's clock forward: the job runner then runs what became due (a start, a transfer, a last day)."""
    _clock(lambda settings: advance_clock(settings, by=timedelta(days=days, hours=hours)), as_json)


@clock_app.command("show")
def clock_show(as_json: bool = JsonOption) -> None:
    """How far the clock is moved, and the time the hub's processes read."""
    _clock(clock_state, as_json)


@clock_app.command("reset")
def clock_reset(as_json: bool = JsonOption) -> None:
    """Back to the wall clock."""
    _clock(reset_clock, as_json)
