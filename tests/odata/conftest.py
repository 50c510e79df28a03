"""An OData hub in process (httpx over ASGI) with two callers set up as the seed describes: the ATS (the
*ATS integration* security role, an HR user with the *Recruiting application* role) and HR's own
automation (System Administrator, an HR user with the *Human resource manager* role)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.api.app import create_app
from hirehub.db.session import Database
from hirehub.hr.models import Department, Job, Position, Title
from hirehub.security import admin, apps
from hirehub.security.privileges import ATS_ROLE_NAME, HR_MANAGER_ROLE_ID, SYSTEM_ADMINISTRATOR_ROLE_NAME
from hirehub.settings import Settings
from tests.security.conftest import SECRET_KEY, Integration, certificate_authority, set_up_integration, tls_hub  # noqa: F401 - fixtures for TLS tests here
from tests.tokens import client_credentials_token

BASE = "http://hub"
API = "/api/data/v9.2"
CANDIDATES = f"{API}/mshr_hcmcandidatetohireentities"
PEOPLE = f"{API}/mshr_dirpersonentities"


@dataclass
class Caller:
    client: httpx.AsyncClient
    headers: dict[str, str]
    tenant_id: uuid.UUID

    async def get(self, path: str, **headers: str) -> httpx.Response:
        return await self.client.get(path, headers={**self.headers, **headers})

    async def post(self, path: str, body: Any, **headers: str) -> httpx.Response:
        return await self.client.post(path, json=body, headers={**self.headers, **headers})

    async def patch(self, path: str, body: Any, **headers: str) -> httpx.Response:
        return await self.client.patch(path, json=body, headers={**self.headers, **headers})

    async def delete(self, path: str, **headers: str) -> httpx.Response:
        return await self.client.delete(path, headers={**self.headers, **headers})

    async def create(self, path: str, body: Any) -> str:
        """Create a record and return its id (from OData-EntityId)."""
        response = await self.post(path, body)
        assert response.status_code == 204, response.text
        return response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")


@dataclass
class Hub:
    client: httpx.AsyncClient
    database: Database
    app: FastAPI

    async def caller(self, integration: Integration) -> Caller:
        token = await client_credentials_token(
            self.client, integration.tenant_id, integration.client_id, integration.secret, BASE
        )
        return Caller(self.client, {"Authorization": f"Bearer {token}"}, integration.tenant_id)


@pytest.fixture
async def hub(database: Database) -> AsyncIterator[Hub]:
    settings = Settings(database_url=database.url, base_url=BASE, secret_key=SECRET_KEY, log_level="WARNING")
    app = create_app(settings, database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield Hub(client, database, app)


async def add_hr_app(database: Database, tenant_id: uuid.UUID) -> Integration:
    """HR's own automation in the tenant: System Administrator and the Human resource manager HR role."""
    async with database.tenant_transaction(tenant_id) as session:
        app = await apps.create_app(session, name="HR automation")
        secret = await apps.add_secret(session, app, days=30)
        client_id = str(app.client_id)
        await admin.create_application_user(session, client_id, [SYSTEM_ADMINISTRATOR_ROLE_NAME])
        await admin.create_hr_user(session, "hr-automation", "HR automation", [HR_MANAGER_ROLE_ID])
        await admin.create_entra_app_link(session, client_id, "HR automation", "hr-automation")
    return Integration(tenant_id, "", client_id, secret.secret, str(secret.credential.key_id), None)  # type: ignore[arg-type]


@pytest.fixture
async def contoso(database: Database) -> Integration:
    return await set_up_integration(database, "contoso.example", roles=(ATS_ROLE_NAME,))


@pytest.fixture
async def ats(hub: Hub, contoso: Integration) -> Caller:
    return await hub.caller(contoso)


@pytest.fixture
async def hr(hub: Hub, database: Database, contoso: Integration) -> Caller:
    return await hub.caller(await add_hr_app(database, contoso.tenant_id))


@dataclass(frozen=True)
class Organisation:
    department_id: uuid.UUID
    title_id: uuid.UUID
    job_id: uuid.UUID
    position_id: uuid.UUID


async def add_organisation(session: AsyncSession) -> Organisation:
    department = Department(id=uuid.uuid4(), department_number="D100", name="Engineering")
    title = Title(id=uuid.uuid4(), title_id="ENG", description="Engineer")
    job = Job(id=uuid.uuid4(), job_id="J-ENG", description="Engineer", title_id=title.id)
    position = Position(
        id=uuid.uuid4(), position_id="P-001", description="Engineer", job_id=job.id, department_id=department.id,
        title_id=title.id,
    )  # fmt: skip
    session.add_all([department, title, job, position])
    await session.flush()
    return Organisation(department.id, title.id, job.id, position.id)
