"""``hirehub demo seed``: a demo tenant with enough data to try every feature."""

from __future__ import annotations

from typing import Any

import typer
from rich.progress import Progress

from hirehub.bootstrap import Hub
from hirehub.cli.context import with_hub
from hirehub.cli.output import JsonOption, err_console
from hirehub.demo import SEED_STEPS, seed_demo

demo_app = typer.Typer(help="Demo data.")


@demo_app.command("seed")
def demo_seed(as_json: bool = JsonOption) -> None:
    """Create (or top up) the demo tenant; running it twice changes nothing the second time."""

    async def seed(hub: Hub) -> dict[str, Any]:
        with Progress(console=err_console, transient=True) as progress:
            task = progress.add_task("Seeding the demo tenant", total=SEED_STEPS)
            return await seed_demo(
                hub.database, domain=hub.settings.demo_tenant_domain, step_done=lambda: progress.advance(task)
            )

    with_hub(seed, as_json)
