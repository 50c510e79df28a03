"""What a command needs to reach the hub's data, and the shared bodies of the commands that act in it.

Most commands do the same four things: open the configured database, find the tenant ``--tenant`` names, run
one service call in a session or transaction of that tenant, and print what it returns. They say only the
service call; the rest lives here once, and refusals reach :func:`~hirehub.cli.output.run`'s single mapping.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hirehub import bootstrap
from hirehub.bootstrap import Hub
from hirehub.cli.output import respond
from hirehub.db.session import Database
from hirehub.settings import get_settings
from hirehub.tenancy.service import find_tenant

Result = Mapping[str, Any]
"""What a command prints: one JSON object."""


@asynccontextmanager
async def open_hub(**engine_options: Any) -> AsyncIterator[Hub]:
    """The hub as the composition root builds it, on the configured database opened with ``engine_options`` for
    SQLAlchemy's engine; closed, and the database disposed of, on exit."""
    settings = get_settings()
    database = bootstrap.open_database(settings.effective_database_url, **engine_options)
    try:
        async with bootstrap.running_hub(settings, database=database) as hub:
            yield hub
    finally:
        await database.dispose()


async def resolve_tenant_id(database: Database, tenant: str) -> uuid.UUID:
    """The GUID of the tenant named by GUID or domain (``--tenant`` accepts either)."""
    async with database.system_session() as session:
        return (await find_tenant(session, tenant)).id


ACROSS_TENANTS = None
"""The scope of a command that acts on the hub as a whole (tenants themselves, the job queue): a system
session, which sees every tenant's rows."""


@asynccontextmanager
async def in_scope(tenant: str | None, *, change: bool) -> AsyncIterator[AsyncSession]:
    """A session in the tenant ``--tenant`` names, or across tenants for :data:`ACROSS_TENANTS`: a transaction
    that commits on success when the command changes something, a read-only session when it only reads."""
    async with open_hub() as hub:
        database = hub.database
        scope: AbstractAsyncContextManager[AsyncSession]
        if tenant is None:
            scope = database.system_transaction() if change else database.system_session()
        else:
            tenant_id = await resolve_tenant_id(database, tenant)
            scope = database.tenant_transaction(tenant_id) if change else database.tenant_session(tenant_id)
        async with scope as session:
            yield session


def change_in(tenant: str | None, work: Callable[[AsyncSession], Awaitable[Result]], as_json: bool) -> None:
    """Run ``work`` in one transaction (committed when it returns) of the tenant, or across tenants for
    :data:`ACROSS_TENANTS`, and print its result."""
    _respond_in(tenant, work, as_json, change=True)


def read_in(tenant: str | None, work: Callable[[AsyncSession], Awaitable[Result]], as_json: bool) -> None:
    """Run ``work`` in a read-only session of the tenant, or across tenants for :data:`ACROSS_TENANTS`, and print
    its result."""
    _respond_in(tenant, work, as_json, change=False)


def _respond_in(
    tenant: str | None, work: Callable[[AsyncSession], Awaitable[Result]], as_json: bool, *, change: bool
) -> None:
    async def action() -> Result:
        async with in_scope(tenant, change=change) as session:
            return await work(session)

    respond(action, as_json)


def with_tenant(tenant: str, work: Callable[[Hub, uuid.UUID], Awaitable[Result]], as_json: bool) -> None:
    """Run ``work`` with the hub and the tenant's GUID, for services that open their own transactions."""

    async def action() -> Result:
        async with open_hub() as hub:
            return await work(hub, await resolve_tenant_id(hub.database, tenant))

    respond(action, as_json)


def with_hub(work: Callable[[Hub], Awaitable[Result]], as_json: bool) -> None:
    """Run ``work`` with the hub, for operations on the hub as a whole rather than one tenant."""

    async def action() -> Result:
        async with open_hub() as hub:
            return await work(hub)

    respond(action, as_json)
