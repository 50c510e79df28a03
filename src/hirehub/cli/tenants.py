"""``hirehub tenant …`` and ``hirehub company …``."""

from __future__ import annotations

import typer

from hirehub.cli.context import open_database, tenant_session, tenant_transaction
from hirehub.cli.output import JsonOption, emit, run
from hirehub.tenancy import service
from hirehub.tenancy.models import Company, Tenant
from hirehub.tenancy.service import TenancyError

tenant_app = typer.Typer(help="Tenants: one customer organisation each, with a GUID and a domain.")
company_app = typer.Typer(help="Companies (legal entities) of a tenant; the code is the dataareaid.")


def tenant_json(tenant: Tenant) -> dict[str, str]:
    return {"id": str(tenant.id), "name": tenant.name, "domain": tenant.domain, "time_zone": tenant.time_zone}


def company_json(company: Company) -> dict[str, str]:
    return {
        "id": str(company.id),
        "code": company.code,
        "name": company.name,
        "tenant_id": str(company.tenant_id),
    }


@tenant_app.command("create")
def tenant_create(
    name: str = typer.Option(..., "--name", help="Display name of the organisation."),
    domain: str = typer.Option(..., "--domain", help="Unique domain name, e.g. contoso.example."),
    time_zone: str = typer.Option("UTC", "--time-zone", help="IANA time zone for day-end events."),
    as_json: bool = JsonOption,
) -> None:
    """Create a tenant."""

    async def action() -> dict[str, str]:
        async with open_database() as database, database.system_transaction() as session:
            return tenant_json(await service.create_tenant(session, name=name, domain=domain, time_zone=time_zone))

    emit(run(action, as_json, (TenancyError,)), as_json)


@tenant_app.command("list")
def tenant_list(as_json: bool = JsonOption) -> None:
    """List the tenants."""

    async def action() -> dict[str, list[dict[str, str]]]:
        async with open_database() as database, database.system_session() as session:
            return {"tenants": [tenant_json(t) for t in await service.list_tenants(session)]}

    emit(run(action, as_json), as_json)


@company_app.command("create")
def company_create(
    tenant: str = typer.Option(..., "--tenant", help="Tenant GUID or domain."),
    code: str = typer.Option(..., "--code", help="The dataareaid, 1-8 letters or digits (e.g. USMF)."),
    name: str = typer.Option(..., "--name", help="Legal entity name."),
    as_json: bool = JsonOption,
) -> None:
    """Create a company (legal entity) in a tenant."""

    async def action() -> dict[str, str]:
        async with tenant_transaction(tenant) as session:
            return company_json(await service.create_company(session, code=code, name=name))

    emit(run(action, as_json, (TenancyError,)), as_json)


@company_app.command("list")
def company_list(
    tenant: str = typer.Option(..., "--tenant", help="Tenant GUID or domain."),
    as_json: bool = JsonOption,
) -> None:
    """List a tenant's companies."""

    async def action() -> dict[str, list[dict[str, str]]]:
        async with tenant_session(tenant) as session:
            return {"companies": [company_json(c) for c in await service.list_companies(session)]}

    emit(run(action, as_json, (TenancyError,)), as_json)
