"""Changes entered ahead of their date reach the Entra account on that date: never early, and late by no more than
the scheduling granularity (the engine looks again at the start of each day a change takes effect).

HR changes go through the services on the day they are entered; jobs run on a controlled clock against the Entra
sandbox; on every day of the range the account's department, jobTitle, manager and accountEnabled are compared
with the HR view as of that day — one minute before the day begins (still the previous day's view) and at its
first instant (already the new one).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from hirehub.errors import HubError
from hirehub.hr import scheduled, services
from hirehub.hr.as_of import Status, worker_as_of
from hirehub.hr.domain import HireDetails
from hirehub.hr.models import Department, Position, Title
from hirehub.sandbox.entra.graph_store import GraphProblem
from hirehub.sandbox.entra.world import EntraWorld, SandboxClock
from tests.entra.support import START, Hub
from tests.entra.test_provisioning_through_graph import DOMAIN, SANDBOX_SPEED, hub  # noqa: F401
from tests.sandbox.entra.conftest import entra_sandbox, sandbox_certificate_authority  # noqa: F401

ENTERED = START
DAYS = [START + timedelta(days=n) for n in range(12)]


@pytest.fixture
def entra_world() -> EntraWorld:
    return EntraWorld(clock=SandboxClock(speed=SANDBOX_SPEED))


async def _position(rig: Hub, code: str, department: str, title: str) -> uuid.UUID:
    async with rig.transaction() as session:
        dept = Department(department_number=f"D-{code}", name=department)
        job_title = Title(title_id=title)
        session.add_all([dept, job_title])
        await session.flush()
        position = Position(position_id=code, department_id=dept.id, title_id=job_title.id)
        session.add(position)
        await session.flush()
        return position.id


async def _hire(rig: Hub, first: str, last: str, **placement: Any) -> uuid.UUID:
    async with rig.transaction() as session:
        candidate = await services.create_candidate(session, services.NewCandidate(first_name=first, last_name=last))
    async with rig.transaction() as session:
        outcome = await services.hire(session, candidate.id, HireDetails(START), today=ENTERED, **placement)
    return outcome.worker.id


async def _hr_on(rig: Hub, worker_id: uuid.UUID, day: date) -> dict[str, Any]:
    """What the account should read when HR's view is the one as of ``day``."""
    async with rig.transaction() as session:
        view = await worker_as_of(session, worker_id, as_of=day)
        manager_number = view.manager.personnel_number if view.manager else None
    return {
        "department": view.department.name if view.department else None,
        "jobTitle": view.title.title_id if view.title else None,
        "manager": manager_number,
        "accountEnabled": view.status not in (Status.TERMINATED, Status.RESCINDED),
    }


def _account(rig: Hub, upn: str) -> dict[str, Any]:
    user = rig.account(upn)
    try:
        manager = rig.store.manager_of(user["id"]).props.get("employeeId")
    except GraphProblem:
        manager = None
    return {
        "department": user.get("department"),
        "jobTitle": user.get("jobTitle"),
        "manager": manager,
        "accountEnabled": user["accountEnabled"],
    }


async def test_every_scheduled_change_reaches_the_account_on_its_day_and_not_before(hub: Hub) -> None:  # noqa: F811
    sales = await _position(hub, "P-SALES", "Sales", "Account Executive")
    marketing = await _position(hub, "P-MKT", "Marketing", "Marketing Lead")
    ana = await _hire(hub, "Ana", "Silva")
    bea = await _hire(hub, "Bea", "Costa")
    jose = await _hire(hub, "José", "Núñez", position_id=sales, manager_id=ana)
    async with hub.transaction() as session:
        # Entered on the first day, each for a later one; one is moved, another entered and then cancelled.
        await services.transfer(session, jose, START + timedelta(days=2), position_id=marketing, today=ENTERED)
        await services.change_manager(session, jose, START + timedelta(days=5), manager_id=bea, today=ENTERED)
        await services.terminate(session, jose, START + timedelta(days=8), today=ENTERED)
        await services.change_manager(session, jose, START + timedelta(days=4), manager_id=ana, today=ENTERED)
    async with hub.transaction() as session:
        view = await worker_as_of(session, jose, as_of=ENTERED)
        transfer, cancelled = view.scheduled[0], view.scheduled[1]
        await scheduled.reschedule(session, jose, transfer.id, effective=START + timedelta(days=3), today=ENTERED)
        await scheduled.cancel(session, jose, cancelled.id, today=ENTERED)
    upn = f"jose.nunez@{DOMAIN}"
    hub.clock.now = datetime.combine(START, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    await hub.settle()
    assert _account(hub, upn) == await _hr_on(hub, jose, START)

    seen: list[dict[str, Any]] = []
    for day in DAYS[1:]:
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        hub.clock.now = midnight - timedelta(minutes=1)
        await hub.settle(horizon=timedelta(0))
        assert _account(hub, upn) == await _hr_on(hub, jose, day - timedelta(days=1)), f"early before {day}"
        hub.clock.now = midnight
        await hub.settle(horizon=timedelta(0))
        account = _account(hub, upn)
        assert account == await _hr_on(hub, jose, day), f"late on {day}"
        seen.append(account)

    # The range did exercise every kind of change: a move, a manager change, a leaver.
    assert {a["department"] for a in seen} == {"Sales", "Marketing"}
    assert len({a["manager"] for a in seen}) == 2
    assert {a["accountEnabled"] for a in seen} == {True, False}


async def test_a_transfer_effective_in_fourteen_days_leaves_the_account_alone_today(hub: Hub) -> None:  # noqa: F811
    sales = await _position(hub, "P-SALES", "Sales", "Data Engineer")
    marketing = await _position(hub, "P-MKT", "Marketing", "Account Executive")
    jose = await _hire(hub, "José", "Núñez", position_id=sales)
    hub.clock.now = datetime.combine(START, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    await hub.settle()
    effective = START + timedelta(days=14)
    async with hub.transaction() as session:
        await services.transfer(session, jose, effective, position_id=marketing, today=START)
    await hub.settle()
    account = hub.account(f"jose.nunez@{DOMAIN}")
    assert (account["department"], account["jobTitle"]) == ("Sales", "Data Engineer")
    hub.clock.now = datetime.combine(effective, datetime.min.time(), tzinfo=UTC)
    await hub.settle(horizon=timedelta(0))
    account = hub.account(f"jose.nunez@{DOMAIN}")
    assert (account["department"], account["jobTitle"]) == ("Marketing", "Account Executive")


async def test_a_refused_change_leaves_the_directory_as_it_was(hub: Hub) -> None:  # noqa: F811
    jose = await _hire(hub, "José", "Núñez")
    hub.clock.now = datetime.combine(START, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    await hub.settle()
    before = _account(hub, f"jose.nunez@{DOMAIN}")
    with pytest.raises(HubError):
        async with hub.transaction() as session:
            await services.change_manager(session, jose, START + timedelta(days=1), manager_id=jose, today=START)
    await hub.settle()
    assert _account(hub, f"jose.nunez@{DOMAIN}") == before
