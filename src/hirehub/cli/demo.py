"""``hirehub demo seed``: a demo tenant with enough data to try every feature."""

from __future__ import annotations

import typer

from hirehub.cli.output import JsonOption, emit, run
from hirehub.demo import seed_demo

demo_app = typer.Typer(help="Demo data.")


@demo_app.command("seed")
def demo_seed(as_json: bool = JsonOption) -> None:
    """Create (or top up) the demo tenant; running it twice changes nothing the second time."""
    emit(run(seed_demo, as_json), as_json)
