"""The admin API's callers: a hub in process, and a tenant whose automation app is a System Administrator."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select

from hirehub.api.app import create_app
from hirehub.audit.models import AuditEntry
from hirehub.db.session import Database
from hirehub.security.privileges import SYSTEM_ADMINISTRATOR_ROLE_NAME
from hirehub.settings import Settings
from tests.security.conftest import SECRET_KEY, Integration, set_up_integration
from tests.tokens import client_credentials_token

BASE = "http://hub"
PASSWORD = "correct horse battery staple"


@dataclass
class Hub:
    client: httpx.AsyncClient
    database: Database

    async def token(self, tenant: uuid.UUID | str, client_id: str, secret: str) -> str:
        return await client_credentials_token(self.client, tenant, client_id, secret, BASE)

    async def bearer(self, integration: Integration) -> dict[str, str]:
        token = await self.token(integration.tenant_id, integration.client_id, integration.secret)
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def hub(database: Database) -> AsyncIterator[Hub]:
    settings = Settings(database_url=database.url, base_url=BASE, secret_key=SECRET_KEY, log_level="WARNING")
    app = create_app(settings, database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield Hub(client, database)


@pytest.fixture
async def administrator(database: Database) -> Integration:
    """A tenant whose automation app holds the System Administrator role."""
    return await set_up_integration(database, "contoso.example", roles=(SYSTEM_ADMINISTRATOR_ROLE_NAME,))


async def audit_count(database: Database, tenant_id: uuid.UUID) -> int:
    async with database.tenant_session(tenant_id) as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
