"""What a command needs to reach the hub's data: the settings and a database opened from them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.session import Database
from hirehub.settings import get_settings
from hirehub.tenancy.service import find_tenant


@asynccontextmanager
async def open_database(**engine_options: Any) -> AsyncIterator[Database]:
    """The configured database, with ``engine_options`` for SQLAlchemy's engine; disposed of on exit."""
    database = Database(get_settings().effective_database_url, **engine_options)
    try:
        yield database
    finally:
        await database.dispose()


async def resolve_tenant_id(database: Database, tenant: str) -> uuid.UUID:
    """The GUID of the tenant named by GUID or domain (``--tenant`` accepts either)."""
    async with database.system_session() as session:
        return (await find_tenant(session, tenant)).id


@asynccontextmanager
async def tenant_transaction(tenant: str) -> AsyncIterator[AsyncSession]:
    """One transaction in the tenant that ``--tenant`` names (GUID or domain): commits on success."""
    async with open_database() as database:
        tenant_id = await resolve_tenant_id(database, tenant)
        async with database.tenant_transaction(tenant_id) as session:
            yield session


@asynccontextmanager
async def tenant_session(tenant: str) -> AsyncIterator[AsyncSession]:
    """A read-only session in the tenant that ``--tenant`` names (GUID or domain)."""
    async with open_database() as database:
        tenant_id = await resolve_tenant_id(database, tenant)
        async with database.tenant_session(tenant_id) as session:
            yield session
