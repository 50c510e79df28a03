"""The demo tenant that ``make run`` starts with: safe to seed again, it only adds what is missing."""

from __future__ import annotations

from typing import Any

from rich.progress import Progress
from sqlalchemy import select

from hirehub.cli.context import open_database
from hirehub.settings import get_settings
from hirehub.tenancy import service
from hirehub.tenancy.models import Company, Tenant
from hirehub.web import accounts

# The demo is for trying the hub on a laptop; these are printed by `hirehub demo seed` and in the README.
DEMO_ADMIN_EMAIL = "admin@contoso.example"
DEMO_ADMIN_PASSWORD = "demo-password-change-me"


async def seed_demo() -> dict[str, Any]:
    settings = get_settings()
    domain = settings.demo_tenant_domain
    async with open_database() as database:
        with Progress(transient=True) as progress:
            task = progress.add_task("Seeding the demo tenant", total=2)
            async with database.system_transaction() as session:
                tenant = await session.scalar(select(Tenant).where(Tenant.domain == domain))
                created = tenant is None
                if tenant is None:
                    tenant = await service.create_tenant(
                        session, name="Contoso (demo)", domain=domain, time_zone="Europe/Berlin"
                    )
            progress.advance(task)
            async with database.tenant_transaction(tenant.id) as session:
                if not await session.scalar(select(Company.id).where(Company.code == "USMF")):
                    await service.create_company(session, code="USMF", name="Contoso USA")
                if not await accounts.email_taken(session, DEMO_ADMIN_EMAIL):
                    await accounts.create_admin(
                        session,
                        email=DEMO_ADMIN_EMAIL,
                        display_name="Demo Administrator",
                        password=DEMO_ADMIN_PASSWORD,
                    )
            progress.advance(task)
    return {
        "tenant_id": str(tenant.id),
        "domain": domain,
        "created": created,
        "console": {"url": "/console/", "email": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD},
    }
