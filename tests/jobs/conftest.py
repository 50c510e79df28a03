"""Job tests run on a controllable clock, in a tenant of their own."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from hirehub.db.session import Database
from hirehub.tenancy import service


class ManualClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


async def make_tenant(database: Database, domain: str) -> uuid.UUID:
    async with database.system_transaction() as session:
        return (await service.create_tenant(session, name=domain.split(".")[0].title(), domain=domain)).id


@pytest.fixture
async def tenant_id(database: Database) -> uuid.UUID:
    return await make_tenant(database, "contoso.example")
