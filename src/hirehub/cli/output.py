"""How every ``hirehub <noun> <verb>`` command reports: one JSON object with ``--json``, readable text
without it, and a non-zero exit with the reason when the operation is refused.

Scripts rely on this shape: success prints exactly one JSON object on stdout; a refusal prints
``{"error": "<message>"}`` and exits 1; bad usage exits 2 (Typer's own). A refusal is any
:class:`~hirehub.errors.HubError`, so this is the CLI's one mapping of the error tree: no command lists the
errors it expects.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from hirehub.errors import HubError

T = TypeVar("T")
console = Console()
err_console = Console(stderr=True)

JsonOption = typer.Option(False, "--json", help="Print one JSON object, for scripts.")


def _default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def emit(data: Mapping[str, Any], as_json: bool) -> None:
    """Print the result: JSON for scripts, key/value lines or a table for people."""
    if as_json:
        sys.stdout.write(json.dumps(data, default=_default) + "\n")
        return
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


def refuse(error: HubError, as_json: bool) -> NoReturn:
    """Report a refusal the one way (the ``{"error"}`` object, or red text) and exit 1."""
    if as_json:
        sys.stdout.write(json.dumps({"error": str(error)}) + "\n")
    else:
        err_console.print(f"[red]error:[/red] {error}", soft_wrap=True)
    raise typer.Exit(1) from error


def warn(message: str) -> None:
    """A notice for the person at the terminal, on stderr so that ``--json`` output stays one object."""
    err_console.print(f"[yellow]warning:[/yellow] {message}", soft_wrap=True)


def run(action: Callable[[], Coroutine[Any, Any, T]], as_json: bool) -> T:
    """Run an async command body; a refusal becomes its message and exit code 1, anything else propagates."""
    try:
        return asyncio.run(action())
    except HubError as exc:
        refuse(exc, as_json)


def respond(action: Callable[[], Coroutine[Any, Any, Mapping[str, Any]]], as_json: bool) -> None:
    """Run an async command body and print what it returns."""
    emit(run(action, as_json), as_json)
