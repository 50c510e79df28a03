"""``hirehub tenant …`` and ``hirehub company …``."""

from __future__ import annotations

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.cli.context import ACROSS_TENANTS, change_in, read_in
from hirehub.cli.output import JsonOption
from hirehub.tenancy import service
from hirehub.tenancy.models import Company, Tenant

tenant_app = typer.Typer(help="Tenants: one customer organisation each, with a GUID and a domain.")
company_app = typer.Typer(help="Companies (legal entities) of a tenant; the code is the dataareaid.")
TenantOption = typer.Option(..., "--tenant", help="Tenant GUID or domain.")


def tenant_json(tenant: Tenant) -> dict[str, str]:
    return {"id": str(tenant.id), "name": tenant.name, "domain": tenant.domain, "time_zone": tenant.time_zone}


def company_json(company: Company) -> dict[str, str]:
    return {"id": str(company.id), "code": company.code, "name": company.name, "tenant_id": str(company.tenant_id)}


@tenant_app.command("create")
def tenant_create(
    name: str = typer.Option(..., "--name", help="Display name of the organisation."),
    domain: str = typer.Option(..., "--domain", help="Unique domain name, e.g. contoso.example."),
    time_zone: str = typer.Option("UTC", "--time-zone", help="IANA time zone for day-end events."),
    as_json: bool = JsonOption,
) -> None:
    """Create a tenant."""

    async def create(session: AsyncSession) -> dict[str, str]:
        return tenant_json(await service.create_tenant(session, name=name, domain=domain, time_zone=time_zone))

    change_in(ACROSS_TENANTS, create, as_json)


@tenant_app.command("list")
def tenant_list(as_json: bool = JsonOption) -> None:
    """List the tenants."""

    async def listing(session: AsyncSession) -> dict[str, list[dict[str, str]]]:
        return {"tenants": [tenant_json(t) for t in await service.list_tenants(session)]}

    read_in(ACROSS_TENANTS, listing, as_json)


@company_app.command("create")
def company_create(
    tenant: str = TenantOption,
    code: str = typer.Option(..., "--code", help="The dataareaid, 1-8 letters or digits (e.g. USMF)."),
    name: str = typer.Option(..., "--name", help="Legal entity name."),
    as_json: bool = JsonOption,
) -> None:
    """Create a company (legal entity) in a tenant."""

    async def create(session: AsyncSession) -> dict[str, str]:
        return company_json(await service.create_company(session, code=code, name=name))

    change_in(tenant, create, as_json)


@company_app.command("list")
def company_list(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """List a tenant's companies."""

    async def listing(session: AsyncSession) -> dict[str, list[dict[str, str]]]:
        return {"companies": [company_json(c) for c in await service.list_companies(session)]}

    read_in(tenant, listing, as_json)
