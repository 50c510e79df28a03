"""Operations endpoints: liveness, readiness (database and schema), Prometheus metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from hirehub.api.app import create_app
from hirehub.bootstrap import open_database
from hirehub.db import migrate
from hirehub.db.session import Database
from hirehub.settings import Settings


@pytest.fixture
async def migrated(empty_database_url: str) -> AsyncIterator[Database]:
    database = open_database(empty_database_url)
    await migrate.upgrade(database.engine)
    yield database
    await database.dispose()


def client_for(database: Database) -> httpx.AsyncClient:
    app = create_app(Settings(database_url=database.url), database)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")


async def test_healthz_answers_ok(migrated: Database) -> None:
    async with client_for(migrated) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_when_the_schema_is_at_head(migrated: Database) -> None:
    async with client_for(migrated) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "migrations": "current"}


async def test_readyz_is_not_ready_and_says_why_when_migrations_are_missing(empty_database_url: str) -> None:
    database = open_database(empty_database_url)
    try:
        async with client_for(database) as client:
            response = await client.get("/readyz")
    finally:
        await database.dispose()
    assert response.status_code == 503
    assert "hirehub db upgrade" in response.json()["checks"]["migrations"]


async def test_readyz_is_not_ready_when_the_database_is_unreachable(tmp_path: object) -> None:
    database = open_database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        async with client_for(database) as client:
            response = await client.get("/readyz")
    finally:
        await database.dispose()
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("unreachable")


async def test_metrics_exposes_request_counters_in_prometheus_format(migrated: Database) -> None:
    async with client_for(migrated) as client:
        await client.get("/healthz")
        response = await client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    assert 'hirehub_http_requests_total{method="GET",route="/healthz",status="200"}' in response.text


async def test_every_response_carries_a_request_id(migrated: Database) -> None:
    async with client_for(migrated) as client:
        first = await client.get("/healthz")
        second = await client.get("/healthz")
    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
