"""Command tests run the real Typer app against a private, empty database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hirehub.settings import get_settings


@pytest.fixture
def hub_database(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("HIREHUB_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("HIREHUB_LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    yield empty_database_url
    get_settings.cache_clear()
