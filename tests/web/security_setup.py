"""Helpers for the security set-up pages' tests: a tenant's security rows before and after, and seeding them.

Seeding goes through :mod:`hirehub.security.operations` (as the CLI does), so a test's given state is one the
hub itself could have made; :meth:`SecuritySetup.state` is everything those pages could change, to prove a
refused request changed nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.audit.models import AuditEntry
from hirehub.db.session import Database
from hirehub.directories.entra.certificates import ConnectionCertificate, generate_certificate
from hirehub.security import operations
from hirehub.security.admin import ensure_built_in_roles
from hirehub.security.models import (
    AppCredential,
    ApplicationUser,
    ApplicationUserRole,
    AppRegistration,
    EntraAppLink,
    HRUser,
    HRUserRole,
    RolePrivilege,
    SecurityRole,
    ServicePrincipal,
)
from tests.web.support import Administrator, make_admin

# The columns of each security table that a console change could alter.
WATCHED: dict[type[Any], tuple[str, ...]] = {
    AppRegistration: ("client_id", "name", "multi_tenant"),
    AppCredential: ("key_id", "kind", "revoked_at"),
    ServicePrincipal: ("app_client_id",),
    SecurityRole: ("name",),
    RolePrivilege: ("role_id", "table_name", "privilege", "depth"),
    ApplicationUser: ("client_id", "name", "enabled"),
    ApplicationUserRole: ("user_id", "role_id"),
    HRUser: ("user_id", "name", "enabled"),
    HRUserRole: ("user_id", "role_id"),
    EntraAppLink: ("client_id", "name", "hr_user_id"),
    AuditEntry: ("action", "subject_id"),
}


@dataclass(frozen=True)
class SecuritySetup:
    database: Database
    tenant_id: uuid.UUID

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.database.tenant_transaction(self.tenant_id) as session:
            yield session

    async def state(self) -> dict[str, list[tuple[str, ...]]]:
        """Every watched row of the tenant, as sorted tuples of text."""
        async with self.database.tenant_session(self.tenant_id) as session:
            return {
                model.__name__: sorted(
                    tuple(str(getattr(row, column)) for column in columns)
                    for row in await session.scalars(select(model))
                )
                for model, columns in WATCHED.items()
            }

    async def audit_actions(self) -> list[str]:
        async with self.database.tenant_session(self.tenant_id) as session:
            return [e.action for e in await session.scalars(select(AuditEntry).order_by(AuditEntry.position))]

    async def app(self, name: str = "ATS integration", *, multi_tenant: bool = False) -> str:
        """A registered app's client ID."""
        async with self.transaction() as session:
            return str((await operations.create_app(session, name, multi_tenant))["client_id"])

    async def credentials(self, client_id: str) -> list[dict[str, Any]]:
        async with self.database.tenant_session(self.tenant_id) as session:
            credentials: list[dict[str, Any]] = (await operations.show_app(session, client_id))["credentials"]
            return credentials

    async def hr_user(self, user_id: str, *roles: str) -> None:
        async with self.transaction() as session:
            await operations.create_hr_user(session, user_id, user_id, list(roles))


async def tenant_with_security(database: Database, domain: str, name: str) -> tuple[Administrator, SecuritySetup]:
    """A tenant with its administrator and its built-in security and HR roles (as its first page view makes)."""
    admin = await make_admin(database, domain, name)
    setup = SecuritySetup(database, admin.tenant_id)
    async with setup.transaction() as session:
        await ensure_built_in_roles(session)
    return admin, setup


def certificate(name: str = "ats-integration") -> ConnectionCertificate:
    """A self-signed certificate (and its key, which the app keeps), as an app owner would upload it."""
    return generate_certificate(name)
