"""The audit log: entries commit with their change, and no entry can be changed or removed afterwards."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from hirehub.audit import log
from hirehub.audit.models import AuditEntry
from hirehub.db.session import Database
from hirehub.tenancy import service
from hirehub.tenancy.models import Tenant


async def _tenant(database: Database, domain: str = "contoso.example") -> uuid.UUID:
    async with database.system_transaction() as session:
        return (await service.create_tenant(session, name=domain, domain=domain)).id


async def _one_entry(database: Database, tenant_id: uuid.UUID) -> AuditEntry:
    async with database.tenant_transaction(tenant_id) as session:
        return log.record(
            session,
            actor="job:provision",
            action="user.create",
            subject_type="worker",
            subject_id="HR000001",
            before=None,
            after={"userPrincipalName": "ann.lee@contoso.example"},
        )


async def test_an_entry_is_read_back_newest_first_with_before_and_after(database: Database) -> None:
    tenant_id = await _tenant(database)
    await _one_entry(database, tenant_id)
    async with database.tenant_transaction(tenant_id) as session:
        log.record(session, actor="admin", action="user.disable", subject_type="worker", subject_id="HR000001")
    async with database.tenant_session(tenant_id) as session:
        found = await log.entries(session, subject_id="HR000001")
    assert [e.action for e in found] == ["user.disable", "user.create"]
    assert found[1].after == {"userPrincipalName": "ann.lee@contoso.example"}


async def test_an_entry_rolled_back_with_its_change_leaves_no_trace(database: Database) -> None:
    tenant_id = await _tenant(database)
    with pytest.raises(RuntimeError):
        async with database.tenant_transaction(tenant_id) as session:
            log.record(session, actor="admin", action="user.create", subject_type="worker", subject_id="X")
            await session.flush()
            raise RuntimeError("the change failed")
    async with database.tenant_session(tenant_id) as session:
        assert await log.entries(session) == []


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEntry).values(action="rewritten"),
        delete(AuditEntry),
    ],
    ids=["update", "delete"],
)
async def test_the_database_refuses_to_change_or_remove_an_entry(database: Database, statement: object) -> None:
    tenant_id = await _tenant(database)
    await _one_entry(database, tenant_id)
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.system_transaction() as session:
            await session.execute(statement)  # type: ignore[call-overload]
    async with database.system_session() as session:
        assert (await session.scalar(select(AuditEntry.action))) == "user.create"


async def test_raw_sql_cannot_rewrite_history_either(database: Database) -> None:
    tenant_id = await _tenant(database)
    await _one_entry(database, tenant_id)
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.engine.begin() as conn:
            await conn.execute(text("UPDATE audit_entry SET actor = 'someone else'"))


async def test_removing_a_tenant_removes_its_audit_entries_with_it(database: Database) -> None:
    tenant_id = await _tenant(database)
    other_id = await _tenant(database, "fabrikam.example")
    await _one_entry(database, tenant_id)
    await _one_entry(database, other_id)
    async with database.system_transaction() as session:
        await session.execute(delete(Tenant).where(Tenant.id == tenant_id))
    async with database.system_session() as session:
        remaining = await session.scalar(select(func.count()).select_from(AuditEntry))
    assert remaining == 1


async def test_a_migrated_database_is_append_only_too(empty_database_url: str) -> None:
    from hirehub.db import migrate

    database = Database(empty_database_url)
    try:
        await migrate.upgrade(database.engine)
        tenant_id = await _tenant(database)
        await _one_entry(database, tenant_id)
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.engine.begin() as conn:
                await conn.execute(text("DELETE FROM audit_entry"))
        await migrate.downgrade(database.engine, "base")
    finally:
        await database.dispose()
