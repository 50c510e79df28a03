"""Leave of absence and return: recorded in HR, seen by provisioning on its dates, acted on as the policy says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hirehub.db.session import Database
from hirehub.events.outbox import OutboxEvent
from hirehub.hr import errors, services
from hirehub.hr.models import EmploymentLeave
from hirehub.hr.models import Worker as HRWorker
from hirehub.lifecycle.policy import LeaveOptions, PolicyError, policy_from_json, policy_to_json, starter_policy
from hirehub.lifecycle.worker_view import HRStatus
from hirehub.provisioning.sync import TICK
from hirehub.provisioning.workers import worker_view
from tests.provisioning.support import DOMAIN, MONDAY, Engine, running_engine

STARTED = MONDAY - timedelta(days=100)


@pytest.fixture
async def engine(database: Database) -> AsyncIterator[Engine]:
    async with running_engine(database) as engine:
        yield engine


async def leave_events(engine: Engine) -> list[str]:
    async with engine.session() as session:
        return list(await session.scalars(select(OutboxEvent.type).where(OutboxEvent.type.like("worker.leave%"))))


async def view_on(engine: Engine, worker_id: object, day: object) -> object:
    async with engine.session() as session:
        worker = await session.get(HRWorker, worker_id)
        assert worker is not None
        return await worker_view(session, worker, "UTC", today=day)  # type: ignore[arg-type]


# --- HR ------------------------------------------------------------------------------------------------------


async def test_a_leave_is_recorded_with_an_event_for_provisioning(engine: Engine) -> None:
    worker_id = await engine.hire("Ann", "Lee", STARTED)
    async with engine.transaction() as session:
        leave = await services.start_leave(
            session, worker_id, first_day=MONDAY, expected_return=MONDAY + timedelta(days=90), reason="Parental"
        )
    assert (leave.start_date, leave.expected_return_date, leave.return_date) == (
        MONDAY,
        MONDAY + timedelta(days=90),
        None,
    )
    async with engine.transaction() as session:
        returned = await services.end_leave(session, worker_id, return_day=MONDAY + timedelta(days=60))
    assert returned.return_date == MONDAY + timedelta(days=60)
    assert await leave_events(engine) == ["worker.leave_started", "worker.leave_ended"]


@pytest.mark.parametrize(
    ("first_day", "expected_return", "reason", "refusal"),
    [
        (MONDAY, None, "  ", errors.MissingRequiredField),
        (STARTED - timedelta(days=1), None, "Sabbatical", errors.LeaveDatesInvalid),
        (MONDAY, MONDAY, "Sabbatical", errors.LeaveDatesInvalid),
    ],
    ids=["without a reason", "before the employment starts", "returning on the first day"],
)
async def test_a_leave_that_does_not_fit_is_refused_and_changes_nothing(
    engine: Engine, first_day: object, expected_return: object, reason: str, refusal: type[Exception]
) -> None:
    worker_id = await engine.hire("Ann", "Lee", STARTED)
    with pytest.raises(refusal):
        async with engine.transaction() as session:
            await services.start_leave(
                session,
                worker_id,
                first_day=first_day,  # type: ignore[arg-type]
                expected_return=expected_return,  # type: ignore[arg-type]
                reason=reason,
            )
    async with engine.session() as session:
        assert await session.scalar(select(func.count()).select_from(EmploymentLeave)) == 0
    assert await leave_events(engine) == []


async def test_a_second_leave_cannot_overlap_an_open_one_but_may_follow_a_return(engine: Engine) -> None:
    worker_id = await engine.hire("Ann", "Lee", STARTED)
    async with engine.transaction() as session:
        await services.start_leave(session, worker_id, first_day=MONDAY, reason="Sick leave")
    with pytest.raises(errors.LeaveOverlaps):
        async with engine.transaction() as session:
            await services.start_leave(session, worker_id, first_day=MONDAY + timedelta(days=30), reason="Sabbatical")
    async with engine.transaction() as session:
        await services.end_leave(session, worker_id, return_day=MONDAY + timedelta(days=10))
    with pytest.raises(errors.LeaveOverlaps):
        async with engine.transaction() as session:
            await services.start_leave(session, worker_id, first_day=MONDAY + timedelta(days=9), reason="Sabbatical")
    async with engine.transaction() as session:
        await services.start_leave(session, worker_id, first_day=MONDAY + timedelta(days=10), reason="Sabbatical")


async def test_a_return_needs_an_open_leave_and_cannot_precede_it(engine: Engine) -> None:
    worker_id = await engine.hire("Ann", "Lee", STARTED)
    with pytest.raises(errors.NotOnLeave):
        async with engine.transaction() as session:
            await services.end_leave(session, worker_id, return_day=MONDAY)
    async with engine.transaction() as session:
        await services.start_leave(session, worker_id, first_day=MONDAY, reason="Sick leave")
    with pytest.raises(errors.LeaveDatesInvalid):
        async with engine.transaction() as session:
            await services.end_leave(session, worker_id, return_day=MONDAY - timedelta(days=1))


async def test_a_worker_without_an_open_employment_cannot_go_on_leave(engine: Engine) -> None:
    worker_id = await engine.hire("Ann", "Lee", STARTED)
    async with engine.transaction() as session:
        await services.terminate(session, worker_id, MONDAY - timedelta(days=5), today=MONDAY)
    with pytest.raises(errors.WorkerNotEmployed):
        async with engine.transaction() as session:
            await services.start_leave(session, worker_id, first_day=MONDAY, reason="Sick leave")


# --- What provisioning sees ------------------------------------------------------------------------------------


async def test_the_worker_is_on_leave_only_from_the_first_day_until_the_day_of_return(engine: Engine) -> None:
    worker_id = await engine.hire("Ann", "Lee", STARTED)
    first, back = MONDAY + timedelta(days=7), MONDAY + timedelta(days=21)
    async with engine.transaction() as session:
        await services.start_leave(session, worker_id, first_day=first, reason="Sabbatical")
        await services.end_leave(session, worker_id, return_day=back)
    before = await view_on(engine, worker_id, first - timedelta(days=1))
    during = await view_on(engine, worker_id, first)
    after = await view_on(engine, worker_id, back)
    assert before.status is not HRStatus.ON_LEAVE  # type: ignore[attr-defined]
    assert (before.leave_from, before.leave_until) == (first, back)  # type: ignore[attr-defined]
    assert during.status is HRStatus.ON_LEAVE  # type: ignore[attr-defined]
    assert after.status is not HRStatus.ON_LEAVE and after.leave_from is None  # type: ignore[attr-defined]


# --- What the engine does --------------------------------------------------------------------------------------


async def test_a_future_leave_disables_the_account_on_its_first_day_and_return_enables_it(engine: Engine) -> None:
    await engine.set_policy(leave_of_absence=LeaveOptions(disable=True))
    worker_id = await engine.hire("Ann", "Lee", STARTED)
    await engine.settle()
    first = MONDAY + timedelta(days=7)
    async with engine.transaction() as session:
        await services.start_leave(session, worker_id, first_day=first, reason="Parental leave")
    await engine.settle()
    assert engine.account_of("Ann").enabled is True  # not on leave yet
    assert any(j.run_at.date() == first for j in await engine.jobs("queued", kind=TICK))  # woken on the day

    engine.clock.to(first)
    await engine.settle()
    assert engine.account_of("Ann").enabled is False

    back = first + timedelta(days=30)
    async with engine.transaction() as session:
        await services.end_leave(session, worker_id, return_day=back)
    await engine.settle()
    assert engine.account_of("Ann").enabled is False  # still away until the day of return
    engine.clock.to(back)
    await engine.settle()
    assert engine.account_of("Ann").enabled is True


async def test_a_leave_removes_the_groups_the_policy_names_and_the_return_gives_them_back(engine: Engine) -> None:
    await engine.set_policy(
        default_groups=("All staff", "VPN users"), leave_of_absence=LeaveOptions(remove_groups=("VPN users",))
    )
    worker_id = await engine.hire("Ann", "Lee", STARTED)
    await engine.settle()
    assert set(engine.account_of("Ann").groups) == {"All staff", "VPN users"}
    async with engine.transaction() as session:
        await services.start_leave(session, worker_id, first_day=MONDAY, reason="Sick leave")
    await engine.settle()
    account = engine.account_of("Ann")
    assert (account.enabled, set(account.groups)) == (True, {"All staff"})  # disabling is not this policy's
    async with engine.transaction() as session:
        await services.end_leave(session, worker_id, return_day=MONDAY + timedelta(days=3))
    engine.clock.to(MONDAY + timedelta(days=3))
    await engine.settle()
    assert set(engine.account_of("Ann").groups) == {"All staff", "VPN users"}


async def test_by_default_a_leave_changes_nothing_in_the_directory(engine: Engine) -> None:
    worker_id = await engine.hire("Ann", "Lee", STARTED)
    await engine.settle()
    before = engine.directory.accounts()
    async with engine.transaction() as session:
        await services.start_leave(session, worker_id, first_day=MONDAY, reason="Sick leave")
    await engine.settle()
    assert engine.directory.accounts() == before


# --- The policy section ----------------------------------------------------------------------------------------


def test_a_stored_policy_from_before_leave_groups_and_reconciliation_still_reads() -> None:
    stored = policy_to_json(starter_policy(DOMAIN))
    stored["leave_of_absence"] = {"disable": True}
    del stored["reconciliation"]
    policy = policy_from_json(stored)
    assert policy.leave_of_absence == LeaveOptions(disable=True, remove_groups=())
    assert (policy.reconciliation.fix, policy.reconciliation.disable_orphans) == (True, False)
    assert policy_from_json(policy_to_json(policy)) == policy


def test_a_leave_cannot_remove_a_group_the_policy_does_not_grant() -> None:
    stored = policy_to_json(starter_policy(DOMAIN))
    stored["leave_of_absence"] = {"disable": False, "remove_groups": ["Domain admins"]}
    with pytest.raises(PolicyError, match="does not grant 'Domain admins'"):
        policy_from_json(stored)
