"""The demo tenant that ``make run`` starts with: safe to seed again, it only adds what is missing.

A service like any other: it is handed the database to seed, and says when each of its steps is done through
``step_done`` so that whoever calls it (``hirehub demo seed``) can show progress its own way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from hirehub import accounts
from hirehub.db.session import Database
from hirehub.tenancy import service
from hirehub.tenancy.models import Company, Tenant

# The demo is for trying the hub on a laptop; these are printed by `hirehub demo seed` and in the README.
DEMO_ADMIN_EMAIL = "admin@contoso.example"
DEMO_ADMIN_PASSWORD = "demo-password-change-me"
SEED_STEPS = 2
"""How many times :func:`seed_demo` calls ``step_done``."""


def _nothing() -> None:
    return None


async def seed_demo(database: Database, *, domain: str, step_done: Callable[[], None] = _nothing) -> dict[str, Any]:
    """Create the demo tenant ``domain`` with a company and a console administrator, or add what it lacks."""
    async with database.system_transaction() as session:
        tenant = await session.scalar(select(Tenant).where(Tenant.domain == domain))
        created = tenant is None
        if tenant is None:
            tenant = await service.create_tenant(
                session, name="Contoso (demo)", domain=domain, time_zone="Europe/Berlin"
            )
    step_done()
    async with database.tenant_transaction(tenant.id) as session:
        if not await session.scalar(select(Company.id).where(Company.code == "USMF")):
            await service.create_company(session, code="USMF", name="Contoso USA")
        if not await accounts.email_taken(session, DEMO_ADMIN_EMAIL):
            await accounts.create_admin(
                session, email=DEMO_ADMIN_EMAIL, display_name="Demo Administrator", password=DEMO_ADMIN_PASSWORD
            )
    step_done()
    return {
        "tenant_id": str(tenant.id),
        "domain": domain,
        "created": created,
        "console": {"url": "/console/", "email": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD},
    }
