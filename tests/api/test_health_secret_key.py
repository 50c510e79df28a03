"""``/readyz`` reports a production hub running with an unsafe key (issue 18, finding 4): a hub started around
``hirehub serve`` (an ASGI server pointed at the factory) still gets no traffic from a load balancer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from hirehub.api.app import create_app
from hirehub.bootstrap import open_database
from hirehub.db import migrate
from hirehub.db.session import Database
from hirehub.settings import DEVELOPMENT_SECRET_KEY, Environment, Settings

STRONG_KEY = "a-production-key-of-enough-random-characters-0123456789"


@pytest.fixture
async def migrated(empty_database_url: str) -> AsyncIterator[Database]:
    database = open_database(empty_database_url)
    await migrate.upgrade(database.engine)
    yield database
    await database.dispose()


async def _readyz(database: Database, *, env: Environment, secret_key: str) -> httpx.Response:
    app = create_app(Settings(database_url=database.url, env=env, secret_key=secret_key), database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as client:
        return await client.get("/readyz")


async def test_readyz_is_not_ready_in_production_with_the_development_key(migrated: Database) -> None:
    response = await _readyz(migrated, env=Environment.PRODUCTION, secret_key=DEVELOPMENT_SECRET_KEY)
    assert response.status_code == 503
    assert "development key" in response.json()["checks"]["secret_key"]


async def test_readyz_is_not_ready_in_production_with_a_short_key(migrated: Database) -> None:
    response = await _readyz(migrated, env=Environment.PRODUCTION, secret_key="sixteen-or-more-chars")
    assert response.status_code == 503
    assert "fewer than 32 characters" in response.json()["checks"]["secret_key"]


async def test_readyz_is_ready_in_production_with_a_strong_key(migrated: Database) -> None:
    response = await _readyz(migrated, env=Environment.PRODUCTION, secret_key=STRONG_KEY)
    assert response.status_code == 200


async def test_readyz_accepts_the_development_key_in_development(migrated: Database) -> None:
    response = await _readyz(migrated, env=Environment.DEVELOPMENT, secret_key=DEVELOPMENT_SECRET_KEY)
    assert response.status_code == 200
