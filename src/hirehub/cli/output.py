"""How every ``hirehub <noun> <verb>`` command reports: one JSON object with ``--json``, readable text
without it, and a non-zero exit with the reason when the operation is refused.

Scripts rely on this shape: success prints exactly one JSON object on stdout; a refusal prints
``{"error": "<message>"}`` and exits 1; bad usage exits 2 (Typer's own).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

T = TypeVar("T")
console = Console()
err_console = Console(stderr=True)

JsonOption = typer.Option(False, "--json", help="Print one JSON object, for scripts.")


class CommandError(Exception):
    """A refusal to report to the user (exit code 1)."""


def _default(value: Any) -> Any:
    return str(value)


def emit(data: Mapping[str, Any], as_json: bool, *, title: str | None = None) -> None:
    """Print the result: JSON for scripts, key/value lines or a table for people."""
    if as_json:
        sys.stdout.write(json.dumps(data, default=_default) + "\n")
        return
    if title:
        console.print(f"[bold]{title}[/bold]")
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], Mapping):
            emit_table(value)
        else:
            console.print(f"{key}: {value}")


def emit_table(rows: list[Mapping[str, Any]]) -> None:
    table = Table()
    for column in rows[0]:
        table.add_column(str(column))
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console.print(table)


def run(action: Callable[[], Awaitable[T]], as_json: bool, errors: tuple[type[BaseException], ...] = ()) -> T:
    """Run an async command body; known refusals become a clean message and exit code 1."""
    try:
        return asyncio.run(action())  # type: ignore[arg-type]
    except (CommandError, *errors) as exc:  # type: ignore[misc]
        if as_json:
            sys.stdout.write(json.dumps({"error": str(exc)}) + "\n")
        else:
            err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
