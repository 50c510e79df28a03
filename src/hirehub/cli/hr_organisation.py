"""``hirehub hr department|job|title|reason|position|candidate …``: the organisation and candidates to hire."""

from __future__ import annotations

import typer


def register(hr_app: typer.Typer) -> None:
    """Add the organisation's nouns to ``hirehub hr``."""
