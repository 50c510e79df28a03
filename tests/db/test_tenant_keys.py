"""A record is its tenant and its GUID: keys, references and ``session.get`` say so, for every table.

The structural tests walk the metadata, so a table added tomorrow is held to the rule tomorrow.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, inspect, select
from sqlalchemy.exc import IntegrityError

from hirehub.db.base import Base, Row, TenantOwned
from hirehub.db.models import load_all
from hirehub.db.session import Database, TenantScopeError
from hirehub.hr.models import Department, Employment, Person, Worker
from hirehub.tenancy import service

load_all()
ENTITIES = sorted(
    (m.class_ for m in Base.registry.mappers if issubclass(m.class_, TenantOwned) and issubclass(m.class_, Row)),
    key=lambda c: c.__name__,
)
TENANT_TABLES = {m.local_table.name for m in Base.registry.mappers if issubclass(m.class_, TenantOwned)}
ENTITY_TABLES = {model.__table__.name for model in ENTITIES}
"""Tables keyed by (tenant_id, id); a tenant's other tables (the job queue's, the audit log's) carry ids the hub
draws, never a client."""


async def _two_tenants(database: Database) -> tuple[uuid.UUID, uuid.UUID]:
    async with database.system_transaction() as session:
        a = await service.create_tenant(session, name="A", domain="a.example")
        b = await service.create_tenant(session, name="B", domain="b.example")
    return a.id, b.id


@pytest.mark.parametrize("model", ENTITIES, ids=lambda m: m.__name__)
def test_every_tenant_owned_entity_is_keyed_by_its_tenant_and_its_id(model: type[Any]) -> None:
    assert [column.name for column in inspect(model).primary_key] == ["tenant_id", "id"]


def test_every_reference_from_a_tenants_table_to_an_entity_row_carries_the_tenant() -> None:
    single = [
        f"{table.name}.{constraint.column_keys[0]} -> {constraint.referred_table.name}"
        for table in Base.metadata.tables.values()
        if table.name in TENANT_TABLES
        for constraint in table.foreign_key_constraints
        if constraint.referred_table.name in ENTITY_TABLES and constraint.column_keys[0] != "tenant_id"
        and (len(constraint.column_keys) != 2 or "tenant_id" not in constraint.column_keys)
    ]  # fmt: skip
    assert single == []


def test_every_relationship_between_tenant_owned_rows_joins_on_the_tenant_and_writes_only_the_reference() -> None:
    for mapper in Base.registry.mappers:
        for relationship in mapper.relationships:
            if not issubclass(relationship.mapper.class_, TenantOwned) or not issubclass(mapper.class_, TenantOwned):
                continue
            joined = {column.name for pair in relationship.local_remote_pairs for column in pair}
            written = {column.name for _, column in relationship.synchronize_pairs}
            assert "tenant_id" in joined, relationship
            assert "tenant_id" not in written, relationship


async def test_the_same_guid_names_one_record_in_each_tenant(database: Database) -> None:
    tenant_a, tenant_b = await _two_tenants(database)
    guid = uuid.uuid4()
    for tenant, name in ((tenant_a, "A"), (tenant_b, "B")):
        async with database.tenant_transaction(tenant) as session:
            session.add(Department(id=guid, department_number="D-1", name=name))

    for tenant, name in ((tenant_a, "A"), (tenant_b, "B")):
        async with database.tenant_session(tenant) as session:
            found = await session.get(Department, guid)
            assert found is not None and found.name == name
    async with database.system_session() as session:
        names = set(await session.scalars(select(Department.name).where(Department.id == guid)))
        whole = await session.get(Department, {"tenant_id": tenant_b, "id": guid})
    assert names == {"A", "B"}
    assert whole is not None and whole.name == "B"


async def test_a_change_to_one_tenants_record_leaves_the_other_tenants_record_of_the_same_guid(
    database: Database,
) -> None:
    tenant_a, tenant_b = await _two_tenants(database)
    guid = uuid.uuid4()
    for tenant in (tenant_a, tenant_b):
        async with database.tenant_transaction(tenant) as session:
            session.add(Department(id=guid, department_number="D-1", name="Sales"))

    async with database.tenant_transaction(tenant_b) as session:
        department = await session.get_one(Department, guid)
        department.name = "Renamed"
    async with database.tenant_transaction(tenant_b) as session:
        await session.delete(await session.get_one(Department, guid))

    async with database.tenant_session(tenant_a) as session:
        kept = await session.get_one(Department, guid)
    assert (kept.name, kept.version) == ("Sales", 1)


async def test_the_platforms_session_refuses_a_bare_guid_for_a_tenant_keyed_record(database: Database) -> None:
    async with database.system_session() as session:
        with pytest.raises(TenantScopeError, match="tenant_id and id"):
            await session.get(Department, uuid.uuid4())


async def test_the_database_refuses_a_reference_to_another_tenants_record(database: Database) -> None:
    tenant_a, tenant_b = await _two_tenants(database)
    async with database.tenant_transaction(tenant_a) as session:
        department = Department(department_number="D-1", name="A's")
        person = Person(party_number="P-1", first_name="Ann")
        session.add_all([department, person])
    async with database.tenant_transaction(tenant_b) as session:
        session.add(Person(id=person.id, party_number="P-1", first_name="Bob"))

    with pytest.raises(IntegrityError):
        async with database.tenant_transaction(tenant_b) as session:
            session.add(
                Worker(personnel_number="W-1", person_id=person.id, first_name="Bob", department_id=department.id)
            )


async def test_deleting_a_record_cascades_only_to_its_own_tenants_rows(database: Database) -> None:
    tenant_a, tenant_b = await _two_tenants(database)
    person_id, worker_id = uuid.uuid4(), uuid.uuid4()
    for tenant in (tenant_a, tenant_b):
        async with database.tenant_transaction(tenant) as session:
            session.add(Person(id=person_id, party_number="P-1", first_name="Ann"))
            await session.flush()
            session.add(Worker(id=worker_id, personnel_number="W-1", person_id=person_id, first_name="Ann"))
            await session.flush()
            session.add(Employment(worker_id=worker_id, start_date=date(2026, 1, 1)))

    async with database.tenant_transaction(tenant_b) as session:
        await session.execute(delete(Worker).where(Worker.id == worker_id))

    async with database.tenant_session(tenant_a) as session:
        assert len(list(await session.scalars(select(Employment)))) == 1
    async with database.tenant_session(tenant_b) as session:
        assert list(await session.scalars(select(Employment))) == []
