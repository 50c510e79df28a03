"""No tenant session reaches another tenant's rows, for every table the hub has.

The test walks the mapped tables rather than a list, so a table added tomorrow is covered tomorrow.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import delete, func, inspect, select, update

from hirehub.audit.models import AuditEntry
from hirehub.db.base import Base, TenantOwned
from hirehub.db.models import load_all
from hirehub.db.session import Database, TenantScopeError
from hirehub.directories.entra.models import GraphWriteBudget
from hirehub.jobs.heartbeat import RunnerHeartbeat
from hirehub.linkedin.models import PacerSlot, PartnerApp
from hirehub.security.models import SigningKey
from hirehub.security.replay import UsedAssertion
from hirehub.tenancy import service
from hirehub.tenancy.models import Tenant
from hirehub.throttling import FailedAttempts
from tests.rows import make_row

load_all()
TENANT_OWNED = sorted(
    (m.class_ for m in Base.registry.mappers if issubclass(m.class_, TenantOwned)), key=lambda c: c.__name__
)
APPEND_ONLY = {AuditEntry}


def test_every_table_but_the_tenants_themselves_is_tenant_owned() -> None:
    platform = {m.class_ for m in Base.registry.mappers} - set(TENANT_OWNED)
    # The authorization server's signing keys are shared, as Entra's are; the hub's own LinkedIn partner app and
    # the one pacing slot every worker shares for LinkedIn's "one call a second" rule are the hub's, not a tenant's.
    # The guards in front of the token endpoint and the sign-in (replayed assertions, failed attempts) count by
    # client ID, account and source address before any tenant is known: they hold hashes and counts, no tenant data.
    # A job runner's heartbeat is the runner's, and a runner serves every tenant. Graph's write budget is Graph's
    # throttling unit (an application in a directory), which several tenants may share: a hash and counts.
    assert platform == {
        Tenant, SigningKey, PartnerApp, PacerSlot, UsedAssertion, FailedAttempts, RunnerHeartbeat, GraphWriteBudget,
    }  # fmt: skip


def _own_key(model: type[Any]) -> Any:
    """The primary key column that is not the tenant (an entity row's key is ``(tenant_id, id)``)."""
    return next(column for column in inspect(model).primary_key if column.name != "tenant_id")


def _key(model: type[Any]) -> Any:
    """That key as the ORM attribute (a Core ``Table`` column would bypass the ORM's tenant filter)."""
    return getattr(model, inspect(model).get_property_by_column(_own_key(model)).key)


def _identity(row: Any) -> Any:
    return getattr(row, _key(type(row)).key)


def _whole_identity(model: type[Any], tenant_id: uuid.UUID, key: Any) -> Any:
    """The identity the platform's session needs: the tenant too, when it is part of the key."""
    names = [column.name for column in inspect(model).primary_key]
    return {"tenant_id": tenant_id, _key(model).key: key} if "tenant_id" in names else key


async def _two_tenants(database: Database) -> tuple[uuid.UUID, uuid.UUID]:
    async with database.system_transaction() as session:
        a = await service.create_tenant(session, name="A", domain="a.example")
        b = await service.create_tenant(session, name="B", domain="b.example")
    return a.id, b.id


@pytest.mark.parametrize("model", TENANT_OWNED, ids=lambda m: m.__name__)
async def test_a_tenant_session_neither_reads_nor_changes_another_tenants_rows(
    database: Database, model: type[Any]
) -> None:
    tenant_a, tenant_b = await _two_tenants(database)
    async with database.tenant_transaction(tenant_a) as session:
        ours = _identity(await make_row(session, model))
    async with database.tenant_transaction(tenant_b) as session:
        theirs = _identity(await make_row(session, model))
    key = _key(model)

    async with database.tenant_session(tenant_a) as session:
        visible = set(await session.scalars(select(key)))
        assert ours in visible
        assert theirs not in visible
        assert await session.get(model, theirs) is None
        assert await session.scalar(select(func.count()).select_from(model).where(key == theirs)) == 0

    if model not in APPEND_ONLY:
        async with database.tenant_transaction(tenant_a) as session:
            changed = await session.execute(
                update(model)
                .where(key.in_([ours, theirs]))
                .values({key.key: key})
                .execution_options(synchronize_session=False)
            )
            assert changed.rowcount == 1  # type: ignore[attr-defined]
            removed = await session.execute(
                delete(model).where(key == theirs).execution_options(synchronize_session=False)
            )
            assert removed.rowcount == 0  # type: ignore[attr-defined]

    async with database.system_session() as session:
        assert await session.get(model, _whole_identity(model, tenant_b, theirs)) is not None


@pytest.mark.parametrize("model", TENANT_OWNED, ids=lambda m: m.__name__)
async def test_a_tenant_session_refuses_to_write_a_row_stamped_with_another_tenant(
    database: Database, model: type[Any]
) -> None:
    tenant_a, tenant_b = await _two_tenants(database)
    with pytest.raises(TenantScopeError, match="another tenant"):
        async with database.tenant_transaction(tenant_a) as session:
            await make_row(session, model, tenant_id=tenant_b)


async def test_a_session_opened_for_no_tenant_refuses_every_orm_statement(database: Database) -> None:
    async with database._sessions() as session:  # neither tenant nor system: a programming error
        with pytest.raises(TenantScopeError):
            await session.scalars(select(TENANT_OWNED[0]))


def test_product_code_queries_tables_only_through_their_orm_entities() -> None:
    """The tenant filter applies to ORM entities; a Core ``Table`` in a query would escape it."""
    import pathlib

    source = pathlib.Path(__file__).parents[2] / "src" / "hirehub"
    offenders = [
        f"{path.relative_to(source)}:{number}"
        for path in source.rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ("__table__.c" in line and "version_id_col" not in line) or ".__table__)" in line
    ]
    assert offenders == []
