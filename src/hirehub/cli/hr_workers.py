"""``hirehub hr hire|transfer|terminate`` and ``hirehub hr worker show``: workers on the HR calendar."""

from __future__ import annotations

import typer


def register(hr_app: typer.Typer) -> None:
    """Add the worker commands to ``hirehub hr``."""
