"""Running ``hirehub … --json`` in-process and reading its one JSON object."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from hirehub.cli import app

runner = CliRunner()


def hirehub(*args: str, expect: int = 0) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == expect, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected exactly one JSON line, got: {result.stdout!r}"
    parsed: dict[str, Any] = json.loads(lines[0])
    return parsed
