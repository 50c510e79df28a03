"""A tenant of its own for the event tests."""

from __future__ import annotations

import uuid

import pytest

from hirehub.db.session import Database
from hirehub.tenancy import service as tenancy


@pytest.fixture
async def tenant_id(database: Database) -> uuid.UUID:
    async with database.system_transaction() as session:
        return (await tenancy.create_tenant(session, name="Contoso", domain="contoso.example")).id
