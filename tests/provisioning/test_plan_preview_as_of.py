"""Plan preview as of a date: the plan a sync would make on the morning of that day, from HR's view as of it."""

from __future__ import annotations

from datetime import date, timedelta

from hirehub.api.app import create_app
from hirehub.bootstrap import open_database
from hirehub.db.session import Database
from hirehub.hr import services
from hirehub.hr.domain import HireDetails
from hirehub.hr.models import Department, Position, Title
from hirehub.provisioning import operations
from hirehub.settings import Settings
from tests.cli.conftest import hub_database  # noqa: F401
from tests.cli.support import hirehub
from tests.live_server import free_port, serving
from tests.provisioning.support import MONDAY, running_engine
from tests.web.console_support import signed_in
from tests.web.support import make_admin


async def test_the_preview_as_of_a_later_day_plans_from_the_transfer_taking_effect_that_day(database: Database) -> None:
    async with running_engine(database) as engine:
        await engine.set_policy()
        seats = {}
        async with engine.transaction() as session:
            for code, name in (("P-SALES", "Sales"), ("P-MKT", "Marketing")):
                department, title = Department(department_number=code, name=name), Title(title_id=f"{name} lead")
                session.add_all([department, title])
                await session.flush()
                seats[name] = Position(position_id=code, department_id=department.id, title_id=title.id)
                session.add(seats[name])
        async with engine.transaction() as session:
            candidate = await services.create_candidate(session, services.NewCandidate(first_name="Jo", last_name="Ng"))
            await session.flush()
            hired = await services.hire(
                session, candidate.id, HireDetails(MONDAY), position_id=seats["Sales"].id, today=MONDAY
            )
            effective = MONDAY + timedelta(days=14)
            await services.transfer(
                session, hired.worker.id, effective, position_id=seats["Marketing"].id, today=MONDAY
            )
        number = hired.worker.personnel_number

        async def preview(*, as_of: date) -> str:
            result = await operations.preview(
                database, connectors=engine.connectors, tenant_id=engine.tenant_id, personnel_number=number, as_of=as_of
            )
            return str(result["plan"])

        assert "Sales" in await preview(as_of=MONDAY) and "Marketing" not in await preview(as_of=MONDAY)
        assert "Sales" in await preview(as_of=effective - timedelta(days=1))
        assert "Marketing" in await preview(as_of=effective) and "Sales" not in await preview(as_of=effective)


def test_the_command_refuses_an_as_of_that_is_not_a_date(hub_database: str) -> None:  # noqa: F811
    refused = hirehub(
        "plan", "preview", "--tenant", "contoso.example", "--personnel-number", "HR000001", "--as-of", "20 Dec",
        expect=1,
    )  # fmt: skip
    assert refused == {"error": "--as-of '20 Dec' is not a date (YYYY-MM-DD)"}


async def test_the_console_preview_takes_a_day_and_shows_a_wrong_one_at_its_field(database_url: str) -> None:
    port = free_port()
    settings = Settings(database_url=database_url, log_level="WARNING", base_url=f"http://127.0.0.1:{port}")
    database = open_database(database_url)
    try:
        admin = await make_admin(database, "contoso.example", "Contoso")
        async with database.tenant_transaction(admin.tenant_id) as session:
            candidate = await services.create_candidate(session, services.NewCandidate(first_name="Jo", last_name="Ng"))
            await session.flush()
            hired = await services.hire(session, candidate.id, HireDetails(MONDAY), today=MONDAY)
        number = hired.worker.personnel_number
    finally:
        await database.dispose()
    with serving(create_app(settings), port):
        async with signed_in(f"http://127.0.0.1:{port}", admin) as client:
            wrong = await client.get("/console/lifecycle/preview", params={"personnel_number": number, "as_of": "soon"})
            right = await client.get(
                "/console/lifecycle/preview", params={"personnel_number": number, "as_of": "2027-02-01"}
            )
    assert wrong.status_code == 400 and "As of &#39;soon&#39; is not a date" in wrong.text
    assert right.status_code == 200 and "As of 2027-02-01." in right.text
