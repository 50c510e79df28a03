"""Over-long text is refused before the database sees it, alike on SQLite and PostgreSQL (issue 18, finding 8).

PostgreSQL used to refuse these with an error that became a 500, and SQLite stored them whole: the two engines
disagreed. The model measures each value against its column as it is assigned and refuses with an ``Invalid``
that names the input, so every protocol answers its own 400 and nothing is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.session import Database
from hirehub.errors import Invalid
from hirehub.security import operations
from hirehub.security.models import (
    AppCredential,
    ApplicationUser,
    AppRegistration,
    EntraAppLink,
    HRUser,
    SecurityRole,
    TrustedIssuer,
)
from hirehub.security.privileges import ATS_ROLE_NAME, RECRUITING_ROLE_ID
from hirehub.tenancy import service

ISSUER = "https://login.microsoftonline.com/8a3c0f8e-0000-4000-8000-000000000001/v2.0"
Change = Callable[[AsyncSession, str], Awaitable[Any]]

CASES: list[tuple[str, Change, type[Any], str]] = [
    ("app name", lambda s, _app: operations.create_app(s, "A" * 121, False), AppRegistration, "name"),
    ("client id of an application user",
     lambda s, _app: operations.create_application_user(s, "c" * 37, [ATS_ROLE_NAME], None), ApplicationUser,
     "client_id"),
    ("client id of an Entra app link",
     lambda s, _app: operations.create_entra_app_link(s, "c" * 37, "ATS", "ats"), EntraAppLink, "client_id"),
    ("role name", lambda s, _app: operations.create_role(s, "R" * 101), SecurityRole, "name"),
    ("HR user id", lambda s, _app: operations.create_hr_user(s, "u" * 101, "U", [RECRUITING_ROLE_ID]), HRUser,
     "user_id"),
    ("issuer", lambda s, _app: operations.add_trusted_issuer(s, ISSUER + "/" + "i" * 300, ISSUER, ["api://hr"]),
     TrustedIssuer, "issuer"),
    ("secret description", lambda s, app: operations.add_secret(s, app, 30, "d" * 121), AppCredential,
     "description"),
]  # fmt: skip


async def _tenant_with_an_app(database: Database) -> tuple[uuid.UUID, str]:
    async with database.system_transaction() as session:
        tenant = await service.create_tenant(session, name="Contoso", domain="contoso.example")
    async with database.tenant_transaction(tenant.id) as session:
        app = await operations.create_app(session, "ATS", False)
        await operations.create_hr_user(session, "ats", "ATS", [RECRUITING_ROLE_ID])
    return tenant.id, str(app["client_id"])


async def _count(database: Database, tenant_id: uuid.UUID, model: type[Any]) -> int:
    async with database.tenant_session(tenant_id) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize(("what", "change", "model", "field"), CASES, ids=[case[0] for case in CASES])
async def test_over_long_text_is_invalid_naming_its_field_and_nothing_is_stored(
    database: Database, what: str, change: Change, model: type[Any], field: str
) -> None:
    tenant_id, client_id = await _tenant_with_an_app(database)
    before = await _count(database, tenant_id, model)

    with pytest.raises(Invalid) as refused:
        async with database.tenant_transaction(tenant_id) as session:
            await change(session, client_id)

    assert refused.value.field == field
    assert "characters long" in str(refused.value)
    assert await _count(database, tenant_id, model) == before


async def test_text_exactly_as_long_as_its_column_is_stored_whole(database: Database) -> None:
    tenant_id, _client_id = await _tenant_with_an_app(database)
    async with database.tenant_transaction(tenant_id) as session:
        created = await operations.create_app(session, "A" * 120, False)
    async with database.tenant_session(tenant_id) as session:
        assert await session.scalar(
            select(AppRegistration.name).where(AppRegistration.client_id == uuid.UUID(created["client_id"]))
        ) == "A" * 120
