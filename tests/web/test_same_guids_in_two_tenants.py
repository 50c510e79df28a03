"""One GUID, two records: a worker, a department and a position created under the same GUIDs in two tenants.

A record is its tenant and its GUID. Every read path that follows a reference (the OData service with
``$expand`` and a ``$filter`` across a lookup, the console's worker page, provisioning's worker view, the
admin API's dry run) must show each tenant its own records only, even though each GUID names a record in both.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hirehub.api.app import create_app
from hirehub.db.session import Database
from hirehub.hr.models import Department, Employment, Person, Position, PositionWorkerAssignment, Worker
from hirehub.provisioning.workers import all_worker_views, worker_view
from hirehub.settings import Settings
from tests.odata.conftest import API, add_hr_app
from tests.security.conftest import SECRET_KEY, Integration
from tests.tokens import client_credentials_token
from tests.web.console_support import signed_in
from tests.web.support import Administrator, make_admin

BASE = "http://hub"
WORKER, MANAGER, DEPARTMENT, POSITION = (uuid.uuid4() for _ in range(4))
WORKERS = f"{API}/mshr_hcmworkerentities"
EXPAND = (
    "$expand=mshr_FK_Department_id,mshr_FK_Manager_id,"
    "mshr_FK_HcmPositionWorkerAssignmentEntity_Worker($expand=mshr_FK_Position_id)"
)


@dataclass(frozen=True)
class Tenant:
    """One of the two tenants: its name (which every record it holds carries), its administrator and its HR app."""

    name: str
    admin: Administrator
    app: Integration

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.admin.tenant_id


async def _records(database: Database, tenant_id: uuid.UUID, name: str) -> None:
    """The same GUIDs in every tenant; each record says whose it is."""
    async with database.tenant_transaction(tenant_id) as session:
        department = Department(id=DEPARTMENT, department_number="D-1", name=f"{name} Sales")
        position = Position(id=POSITION, position_id="POS-1", description=f"{name} seat", department_id=DEPARTMENT)
        people = [Person(party_number=f"P-{n}", first_name=f"{name}{n}") for n in (1, 2)]
        session.add_all([department, position, *people])
        await session.flush()
        session.add(
            Worker(
                id=MANAGER,
                personnel_number=f"{name}-1",
                person_id=people[0].id,
                first_name=f"{name} Boss",
                department_id=DEPARTMENT,
            )
        )
        await session.flush()
        session.add(
            Worker(
                id=WORKER,
                personnel_number="HR000002",
                person_id=people[1].id,
                first_name=f"{name} Worker",
                department_id=DEPARTMENT,
                manager_id=MANAGER,
            )
        )
        await session.flush()
        session.add_all([
            Employment(worker_id=MANAGER, start_date=date(2026, 1, 1)),
            Employment(worker_id=WORKER, start_date=date(2026, 1, 1)),
            PositionWorkerAssignment(worker_id=WORKER, position_id=POSITION, valid_from=date(2026, 1, 1)),
        ])  # fmt: skip


async def _tenant(database: Database, name: str) -> Tenant:
    admin = await make_admin(database, f"{name.lower()}.example", name)
    app = await add_hr_app(database, admin.tenant_id)
    await _records(database, admin.tenant_id, name)
    return Tenant(name, admin, app)


@pytest.fixture
async def tenants(database: Database) -> tuple[Tenant, Tenant]:
    return await _tenant(database, "Alpha"), await _tenant(database, "Beta")


@pytest.fixture
async def api(database: Database) -> Any:
    settings = Settings(database_url=database.url, base_url=BASE, secret_key=SECRET_KEY, log_level="WARNING")
    app = create_app(settings, database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


async def _bearer(client: httpx.AsyncClient, integration: Integration) -> dict[str, str]:
    token = await client_credentials_token(
        client, integration.tenant_id, integration.client_id, integration.secret, BASE
    )
    return {"Authorization": f"Bearer {token}"}


def _names(document: Any) -> set[str]:
    """Every tenant name a response mentions."""
    text = str(document)
    return {name for name in ("Alpha", "Beta") if name in text}


async def test_the_database_holds_each_guid_once_per_tenant(database: Database, tenants: tuple[Tenant, Tenant]) -> None:
    async with database.system_session() as session:
        for model, guid in ((Worker, WORKER), (Department, DEPARTMENT), (Position, POSITION)):
            count = await session.scalar(select(func.count()).select_from(model).where(model.id == guid))
            assert count == 2


async def test_the_odata_service_expands_each_tenants_own_records(
    api: httpx.AsyncClient, tenants: tuple[Tenant, Tenant]
) -> None:
    for tenant in tenants:
        headers = await _bearer(api, tenant.app)

        answer = await api.get(f"{WORKERS}({WORKER})?{EXPAND}", headers=headers)

        assert answer.status_code == 200, answer.text
        worker = answer.json()
        assert worker["mshr_FK_Department_id"]["mshr_name"] == f"{tenant.name} Sales"
        assert worker["mshr_FK_Manager_id"]["mshr_firstname"] == f"{tenant.name} Boss"
        (assignment,) = worker["mshr_FK_HcmPositionWorkerAssignmentEntity_Worker"]
        assert assignment["mshr_FK_Position_id"]["mshr_description"] == f"{tenant.name} seat"
        assert _names(worker) == {tenant.name}


async def test_an_odata_filter_across_a_lookup_meets_only_the_tenants_own_records(
    api: httpx.AsyncClient, tenants: tuple[Tenant, Tenant]
) -> None:
    alpha, _beta = tenants
    headers = await _bearer(api, alpha.app)

    mine = await api.get(f"{WORKERS}?$filter=mshr_FK_Department_id/mshr_name eq 'Alpha Sales'", headers=headers)
    theirs = await api.get(f"{WORKERS}?$filter=mshr_FK_Department_id/mshr_name eq 'Beta Sales'", headers=headers)
    assigned = await api.get(
        f"{WORKERS}?$filter=mshr_FK_HcmPositionWorkerAssignmentEntity_Worker/any(a: a/mshr_FK_Position_id/"
        "mshr_description eq 'Beta seat')",
        headers=headers,
    )

    assert sorted(w["mshr_firstname"] for w in mine.json()["value"]) == ["Alpha Boss", "Alpha Worker"]
    assert (theirs.json()["value"], assigned.json()["value"]) == ([], [])


async def test_the_console_worker_page_shows_the_tenants_own_department_manager_and_position(
    live_hub: str, tenants: tuple[Tenant, Tenant]
) -> None:
    for tenant in tenants:
        async with signed_in(live_hub, tenant.admin) as client:
            page = await client.get(f"/console/workers/{WORKER}")
            listing = await client.get("/console/workers/")

        assert page.status_code == 200
        assert f"{tenant.name} Worker" in page.text and f"{tenant.name} Sales" in page.text
        assert f"{tenant.name}-1" in page.text or f"{tenant.name} Boss" in page.text  # the manager
        assert f"{tenant.name} seat" in page.text
        assert listing.status_code == 200
        assert _names(page.text) == _names(listing.text) == {tenant.name}


async def test_provisionings_worker_view_names_the_tenants_own_department_and_manager(
    database: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    for tenant in tenants:
        async with database.tenant_session(tenant.tenant_id) as session:
            worker = await session.get_one(Worker, WORKER)
            view = await worker_view(session, worker, "UTC")
            every = await all_worker_views(session, "UTC")

        assert (view.first_name, view.department, view.manager_personnel_number) == (
            f"{tenant.name} Worker", f"{tenant.name} Sales", f"{tenant.name}-1",
        )  # fmt: skip
        assert {v.department for v in every} == {f"{tenant.name} Sales"}


async def test_the_admin_apis_dry_run_plans_from_the_tenants_own_records(
    api: httpx.AsyncClient, tenants: tuple[Tenant, Tenant]
) -> None:
    for tenant in tenants:
        headers = await _bearer(api, tenant.app)

        plan = await api.get("/admin/v1/workers/HR000002/plan", headers=headers)

        assert plan.status_code == 200, plan.text
        assert _names(plan.json()) == {tenant.name}
