"""Tenants and companies: creation rules and look-up by GUID or domain."""

from __future__ import annotations

import pytest

from hirehub.db.session import Database
from hirehub.errors import AlreadyExists, Invalid
from hirehub.tenancy import service
from hirehub.tenancy.service import TenancyError, TenantNotFound


async def test_a_new_tenant_gets_a_guid_and_its_domain_lower_cased(database: Database) -> None:
    async with database.system_transaction() as session:
        tenant = await service.create_tenant(session, name="Contoso", domain="Contoso.Example")
    assert tenant.domain == "contoso.example"
    assert len(str(tenant.id)) == 36


async def test_a_tenant_is_found_by_guid_or_by_domain(database: Database) -> None:
    async with database.system_transaction() as session:
        tenant = await service.create_tenant(session, name="Contoso", domain="contoso.example")
    async with database.system_session() as session:
        assert (await service.find_tenant(session, str(tenant.id))).id == tenant.id
        assert (await service.find_tenant(session, "CONTOSO.example")).id == tenant.id
        with pytest.raises(TenantNotFound):
            await service.find_tenant(session, "fabrikam.example")


async def test_a_domain_belongs_to_one_tenant_only(database: Database) -> None:
    async with database.system_transaction() as session:
        await service.create_tenant(session, name="Contoso", domain="contoso.example")
    with pytest.raises(TenancyError, match="already belongs"):
        async with database.system_transaction() as session:
            await service.create_tenant(session, name="Other", domain="contoso.example")


@pytest.mark.parametrize("domain", ["", "no_underscores.example", "nodot", "-bad.example", "a..b"])
async def test_an_invalid_domain_is_refused(database: Database, domain: str) -> None:
    with pytest.raises(TenancyError, match="not a valid domain"):
        async with database.system_transaction() as session:
            await service.create_tenant(session, name="X", domain=domain)


async def test_an_unknown_time_zone_is_refused(database: Database) -> None:
    with pytest.raises(TenancyError, match="IANA"):
        async with database.system_transaction() as session:
            await service.create_tenant(session, name="X", domain="x.example", time_zone="Mars/Olympus")


async def test_company_codes_are_unique_within_a_tenant_but_not_across(database: Database) -> None:
    async with database.system_transaction() as session:
        a = await service.create_tenant(session, name="A", domain="a.example")
        b = await service.create_tenant(session, name="B", domain="b.example")
    async with database.tenant_transaction(a.id) as session:
        company = await service.create_company(session, code="usmf", name="Contoso USA")
    assert company.code == "USMF"
    assert company.tenant_id == a.id
    with pytest.raises(TenancyError, match="already exists"):
        async with database.tenant_transaction(a.id) as session:
            await service.create_company(session, code="USMF", name="Again")
    async with database.tenant_transaction(b.id) as session:
        await service.create_company(session, code="USMF", name="Fabrikam USA")
    async with database.tenant_session(a.id) as session:
        assert [c.name for c in await service.list_companies(session)] == ["Contoso USA"]


async def test_a_taken_domain_is_refused_as_already_existing_and_names_the_domain(database: Database) -> None:
    async with database.system_transaction() as session:
        await service.create_tenant(session, name="Contoso", domain="contoso.example")

    with pytest.raises(AlreadyExists) as refused:
        async with database.system_transaction() as session:
            await service.create_tenant(session, name="Other", domain="contoso.example")

    assert refused.value.field == "domain"


async def test_an_unknown_time_zone_is_invalid_and_names_the_time_zone(database: Database) -> None:
    with pytest.raises(Invalid) as refused:
        async with database.system_transaction() as session:
            await service.create_tenant(session, name="Contoso", domain="contoso.example", time_zone="Mars/Olympus")

    assert refused.value.field == "time_zone"
