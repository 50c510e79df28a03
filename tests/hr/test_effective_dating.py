"""The worker on the calendar: reads as of a date, a status that follows the dates, changes entered ahead of their
date, and moving or cancelling them before they take effect."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hirehub.db.session import Database
from hirehub.hr import errors, scheduled, services, transitions
from hirehub.hr.as_of import ChangeKind, Status, WorkerAsOf, worker_as_of
from hirehub.hr.daily import DAILY, pending_job
from hirehub.hr.models import Employment, EmploymentLeave, PositionWorkerAssignment, Worker, WorkerPlacement
from hirehub.hr.models.options import WorkerStatus
from hirehub.jobs.models import DurableJob
from hirehub.tenancy import service as tenancy
from tests.hr.conftest import HR, START, TODAY

ENTERED = date(2026, 12, 6)
EFFECTIVE = date(2026, 12, 20)


async def _as_of(hr: HR, worker_id: uuid.UUID, day: date) -> WorkerAsOf:
    async with hr.transaction() as session:
        return await worker_as_of(session, worker_id, as_of=day)


async def _ranges(hr: HR, worker_id: uuid.UUID) -> list[tuple[Any, ...]]:
    assignments = await hr.rows(PositionWorkerAssignment, worker_id=worker_id)
    placements = await hr.rows(WorkerPlacement, worker_id=worker_id)
    return sorted((a.position_id, a.valid_from, a.valid_to) for a in assignments) + sorted(
        (str(p.id), p.valid_from, p.valid_to) for p in placements
    )


async def _moved_worker(hr: HR) -> tuple[Worker, Any, Any]:
    """A worker who started on START in POS-1, with a transfer to POS-2 entered on ENTERED for EFFECTIVE."""
    first, second = await hr.position("POS-1"), await hr.position("POS-2")
    worker = await hr.hired(position_id=first.id)
    async with hr.transaction() as session:
        await services.transfer(session, worker.id, EFFECTIVE, position_id=second.id, today=ENTERED)
    return worker, first, second


# --- status ----------------------------------------------------------------------------------------------------


async def test_the_status_is_pending_before_the_first_day_and_employed_from_it(hr: HR) -> None:
    worker = await hr.hired(start=START)
    assert (await _as_of(hr, worker.id, START - timedelta(days=1))).status is Status.PENDING
    assert (await _as_of(hr, worker.id, START)).status is Status.EMPLOYED
    assert (await hr.get(Worker, worker.id)).status == WorkerStatus.PENDING, "entered on TODAY, before the start"


async def test_a_hire_entered_on_its_first_day_reads_employed_on_the_row(hr: HR) -> None:
    worker = await hr.hired(start=START, today=START)
    assert (await hr.get(Worker, worker.id)).status == WorkerStatus.EMPLOYED


async def test_the_status_is_on_leave_during_a_leave_and_terminated_after_the_last_day(hr: HR) -> None:
    worker = await hr.hired(start=START)
    async with hr.transaction() as session:
        await services.start_leave(
            session, worker.id, first_day=date(2027, 2, 1), expected_return=date(2027, 3, 1), reason="Parental",
            today=TODAY,
        )  # fmt: skip
        await services.end_leave(session, worker.id, return_day=date(2027, 3, 1), today=TODAY)
        await services.terminate(session, worker.id, date(2027, 6, 30), today=TODAY)
    expected = {
        date(2027, 1, 31): Status.EMPLOYED,
        date(2027, 2, 1): Status.ON_LEAVE,
        date(2027, 2, 28): Status.ON_LEAVE,
        date(2027, 3, 1): Status.EMPLOYED,
        date(2027, 6, 30): Status.EMPLOYED,
        date(2027, 7, 1): Status.TERMINATED,
    }
    assert {day: (await _as_of(hr, worker.id, day)).status for day in expected} == expected


# --- a transfer ahead of its date ------------------------------------------------------------------------------


async def test_a_transfer_effective_in_fourteen_days_changes_nothing_today(hr: HR) -> None:
    worker, first, second = await _moved_worker(hr)

    today = await _as_of(hr, worker.id, ENTERED)
    assert today.position is not None and today.position.id == first.id
    assert today.department is not None and today.department.id == first.department_id
    row = await hr.get(Worker, worker.id)
    assert (row.department_id, row.title_id) == (first.department_id, first.title_id)
    [change] = today.scheduled
    assert (change.kind, change.effective, change.details["position_id"]) == (
        ChangeKind.TRANSFER,
        EFFECTIVE,
        str(second.id),
    )
    then = await _as_of(hr, worker.id, EFFECTIVE)
    assert then.position is not None and then.position.id == second.id and then.scheduled == []
    assert (await _as_of(hr, worker.id, EFFECTIVE - timedelta(days=1))).position.id == first.id  # type: ignore[union-attr]


async def test_the_position_assignments_end_on_the_last_day_in_the_position(hr: HR) -> None:
    worker, first, second = await _moved_worker(hr)
    assignments = sorted(await hr.rows(PositionWorkerAssignment, worker_id=worker.id), key=lambda a: a.valid_from)
    assert [(a.position_id, a.valid_from, a.valid_to) for a in assignments] == [
        (first.id, START, EFFECTIVE - timedelta(days=1)),
        (second.id, EFFECTIVE, None),
    ]


async def test_cancelling_a_scheduled_transfer_restores_the_previous_validity_exactly(hr: HR) -> None:
    first, second = await hr.position("POS-1"), await hr.position("POS-2")
    worker = await hr.hired(position_id=first.id)
    before = await _ranges(hr, worker.id)
    async with hr.transaction() as session:
        await services.transfer(session, worker.id, EFFECTIVE, position_id=second.id, today=ENTERED)
    [change] = (await _as_of(hr, worker.id, ENTERED)).scheduled

    async with hr.transaction() as session:
        await scheduled.cancel(session, worker.id, change.id, today=ENTERED)

    assert await _ranges(hr, worker.id) == before
    assert (await _as_of(hr, worker.id, EFFECTIVE)).position.id == first.id  # type: ignore[union-attr]
    assert (await hr.events())[-1].type == "worker.scheduled_change_revised"


async def test_a_scheduled_transfer_can_be_moved_to_another_day_and_position(hr: HR) -> None:
    worker, first, _second = await _moved_worker(hr)
    third = await hr.position("POS-3")
    [change] = (await _as_of(hr, worker.id, ENTERED)).scheduled
    later = EFFECTIVE + timedelta(days=10)

    async with hr.transaction() as session:
        moved = await scheduled.reschedule(
            session, worker.id, change.id, effective=later, position_id=third.id, today=ENTERED
        )

    assert moved.effective == later
    assert (await _as_of(hr, worker.id, later - timedelta(days=1))).position.id == first.id  # type: ignore[union-attr]
    assert (await _as_of(hr, worker.id, later)).position.id == third.id  # type: ignore[union-attr]
    assignments = sorted(await hr.rows(PositionWorkerAssignment, worker_id=worker.id), key=lambda a: a.valid_from)
    assert [(a.position_id, a.valid_to) for a in assignments] == [
        (first.id, later - timedelta(days=1)),
        (third.id, None),
    ]


async def test_a_change_in_force_can_no_longer_be_cancelled(hr: HR) -> None:
    worker, _, _ = await _moved_worker(hr)
    [change] = (await _as_of(hr, worker.id, ENTERED)).scheduled
    before = await hr.state()
    with pytest.raises(errors.ChangeAlreadyEffective):
        async with hr.transaction() as session:
            await scheduled.cancel(session, worker.id, change.id, today=EFFECTIVE)
    assert await hr.state() == before


async def test_a_scheduled_change_cannot_be_moved_into_the_past(hr: HR) -> None:
    worker, _, _ = await _moved_worker(hr)
    [change] = (await _as_of(hr, worker.id, ENTERED)).scheduled
    before = await hr.state()
    with pytest.raises(errors.EffectiveDateInvalid):
        async with hr.transaction() as session:
            await scheduled.reschedule(session, worker.id, change.id, effective=ENTERED - timedelta(1), today=ENTERED)
    assert await hr.state() == before


async def test_a_manager_change_ahead_takes_effect_on_its_date(hr: HR) -> None:
    manager = await hr.hired("Grace", "Hopper")
    worker = await hr.hired()
    async with hr.transaction() as session:
        await services.change_manager(session, worker.id, EFFECTIVE, manager_id=manager.id, today=ENTERED)
    assert (await _as_of(hr, worker.id, EFFECTIVE - timedelta(days=1))).manager is None
    then = await _as_of(hr, worker.id, EFFECTIVE)
    assert then.manager is not None and then.manager.id == manager.id
    assert (await hr.get(Worker, worker.id)).manager_id is None


async def test_the_manager_is_the_worker_in_the_reports_to_position_on_that_day(hr: HR) -> None:
    lead = await hr.position("LEAD")
    seat = await hr.position("SEAT")
    async with hr.transaction() as session:
        (await session.get(type(seat), seat.id)).reports_to_id = lead.id  # type: ignore[union-attr]
    boss = await hr.hired("Grace", "Hopper", position_id=lead.id)
    worker = await hr.hired(position_id=seat.id)
    view = await _as_of(hr, worker.id, START)
    assert view.manager is not None and view.manager.id == boss.id
    async with hr.transaction() as session:
        await services.terminate(session, boss.id, date(2027, 1, 31), today=TODAY)
    assert (await _as_of(hr, worker.id, date(2027, 2, 1))).manager is None


# --- terminations, leaves and rehires ahead ---------------------------------------------------------------------


async def test_cancelling_a_future_termination_reopens_the_employment(hr: HR) -> None:
    position = await hr.position("POS-1")
    worker = await hr.hired(position_id=position.id)
    reason = await hr.reason()
    before = await _ranges(hr, worker.id)
    async with hr.transaction() as session:
        await services.terminate(session, worker.id, date(2027, 1, 31), reason_id=reason.id, today=ENTERED)
    [change] = (await _as_of(hr, worker.id, ENTERED)).scheduled
    assert (change.kind, change.effective) == (ChangeKind.TERMINATION, date(2027, 2, 1))

    async with hr.transaction() as session:
        await scheduled.cancel(session, worker.id, change.id, today=ENTERED)

    [employment] = await hr.rows(Employment, worker_id=worker.id)
    assert (employment.end_date, employment.termination_reason_id) == (None, None)
    assert await _ranges(hr, worker.id) == before


async def test_a_termination_can_be_moved_to_another_last_day(hr: HR) -> None:
    worker = await hr.hired()
    async with hr.transaction() as session:
        await services.terminate(session, worker.id, date(2027, 1, 31), today=ENTERED)
    [change] = (await _as_of(hr, worker.id, ENTERED)).scheduled
    async with hr.transaction() as session:
        await scheduled.reschedule(session, worker.id, change.id, effective=date(2027, 3, 1), today=ENTERED)
    assert (await _as_of(hr, worker.id, date(2027, 2, 28))).status is Status.EMPLOYED
    assert (await _as_of(hr, worker.id, date(2027, 3, 1))).last_day == date(2027, 2, 28)


async def test_a_termination_before_a_scheduled_transfer_is_refused_until_the_transfer_is_cancelled(hr: HR) -> None:
    worker, _, _ = await _moved_worker(hr)
    before = await hr.state()
    with pytest.raises(errors.ChangeScheduledAfter):
        async with hr.transaction() as session:
            await services.terminate(session, worker.id, EFFECTIVE - timedelta(days=1), today=ENTERED)
    assert await hr.state() == before


async def test_a_leave_ahead_can_be_cancelled_and_a_return_moved(hr: HR) -> None:
    worker = await hr.hired()
    async with hr.transaction() as session:
        leave = await services.start_leave(
            session, worker.id, first_day=date(2027, 2, 1), reason="Sabbatical", today=ENTERED
        )
        await services.end_leave(session, worker.id, return_day=date(2027, 3, 1), today=ENTERED)
    kinds = [(c.kind, c.effective) for c in (await _as_of(hr, worker.id, ENTERED)).scheduled]
    assert kinds == [(ChangeKind.LEAVE, date(2027, 2, 1)), (ChangeKind.RETURN, date(2027, 3, 1))]

    async with hr.transaction() as session:
        await scheduled.reschedule(
            session, worker.id, leave.id, kind=ChangeKind.RETURN, effective=date(2027, 4, 1), today=ENTERED
        )
    assert (await _as_of(hr, worker.id, date(2027, 3, 15))).status is Status.ON_LEAVE

    async with hr.transaction() as session:
        await scheduled.cancel(session, worker.id, leave.id, kind=ChangeKind.LEAVE, today=ENTERED)
    assert await hr.rows(EmploymentLeave, worker_id=worker.id) == []
    assert (await _as_of(hr, worker.id, date(2027, 3, 15))).status is Status.EMPLOYED


async def test_a_rehire_ahead_is_listed_and_cancelling_it_rescinds_it(hr: HR) -> None:
    worker = await hr.hired(start=date(2025, 1, 6))
    async with hr.transaction() as session:
        await services.terminate(session, worker.id, date(2026, 6, 30), today=ENTERED)
        await services.rehire(session, worker.id, date(2027, 1, 4), today=ENTERED)
    view = await _as_of(hr, worker.id, ENTERED)
    assert view.status is Status.PENDING and view.employment_start == date(2027, 1, 4)
    [change] = view.scheduled
    assert (change.kind, change.effective) == (ChangeKind.REHIRE, date(2027, 1, 4))

    async with hr.transaction() as session:
        await scheduled.cancel(session, worker.id, change.id, today=ENTERED)
    after = await _as_of(hr, worker.id, date(2027, 2, 1))
    assert (after.status, after.last_day) == (Status.TERMINATED, date(2026, 6, 30))


async def test_a_rescind_leaves_no_inverted_range(hr: HR) -> None:
    position = await hr.position("POS-1")
    worker = await hr.hired(position_id=position.id, start=EFFECTIVE)
    async with hr.transaction() as session:
        await services.rescind_hire(session, worker.id, today=ENTERED)
    for row in [*await hr.rows(PositionWorkerAssignment), *await hr.rows(WorkerPlacement)]:
        assert row.valid_to is None or row.valid_to >= row.valid_from
    assert (await _as_of(hr, worker.id, ENTERED)).status is Status.RESCINDED


# --- the daily transition -------------------------------------------------------------------------------------


async def test_a_change_ahead_schedules_one_daily_transition_for_the_next_morning(hr: HR) -> None:
    worker, _, _ = await _moved_worker(hr)
    async with hr.transaction() as session:
        await services.change_manager(session, worker.id, EFFECTIVE, manager_id=None, today=ENTERED)
    [job] = await hr.rows(DurableJob, kind=DAILY)
    assert job.payload == {"applied_through": TODAY.isoformat()}, "the earliest day a change was entered on"
    assert job.run_at.date() == TODAY + timedelta(days=1)


async def test_the_daily_transition_brings_the_rows_to_the_dates_and_is_idempotent(hr: HR) -> None:
    worker, _first, second = await _moved_worker(hr)
    async with hr.transaction() as session:
        assert await transitions.apply_through(session, after=ENTERED, today=EFFECTIVE) == 1
    row = await hr.get(Worker, worker.id)
    assert (row.department_id, row.title_id, row.status) == (
        second.department_id,
        second.title_id,
        WorkerStatus.EMPLOYED,
    )
    version = row.version
    async with hr.transaction() as session:
        await transitions.apply_through(session, after=ENTERED, today=EFFECTIVE)
    assert (await hr.get(Worker, worker.id)).version == version
    async with hr.transaction() as session:
        assert await pending_job(session) is not None


async def test_when_a_lead_position_changes_holder_its_reports_follow_on_that_morning(hr: HR) -> None:
    lead, seat, elsewhere = await hr.position("LEAD"), await hr.position("SEAT"), await hr.position("ELSEWHERE")
    away = await hr.position("AWAY")
    async with hr.transaction() as session:
        (await session.get(type(seat), seat.id)).reports_to_id = lead.id  # type: ignore[union-attr]
    boss = await hr.hired("Grace", "Hopper", position_id=lead.id)
    report = await hr.hired(position_id=seat.id)
    successor = await hr.hired("Alan", "Turing", position_id=elsewhere.id)
    async with hr.transaction() as session:
        await services.transfer(session, boss.id, EFFECTIVE, position_id=away.id, today=ENTERED)
        await services.transfer(session, successor.id, EFFECTIVE, position_id=lead.id, today=ENTERED)
    async with hr.transaction() as session:
        await transitions.apply_through(session, after=TODAY, today=ENTERED)
    assert (await hr.get(Worker, report.id)).manager_id == boss.id
    events_before = len(await hr.events())

    async with hr.transaction() as session:
        await transitions.apply_through(session, after=ENTERED, today=EFFECTIVE)

    assert (await hr.get(Worker, report.id)).manager_id == successor.id
    told = [e.type for e in (await hr.events())[events_before:] if e.payload.get("worker_id") == str(report.id)]
    assert told == ["worker.manager_changed"], "the directory is told about the report too"


# --- tenants ---------------------------------------------------------------------------------------------------


async def test_another_tenants_worker_cannot_be_read_or_changed(hr: HR, database: Database) -> None:
    worker, _, _ = await _moved_worker(hr)
    [change] = (await _as_of(hr, worker.id, ENTERED)).scheduled
    async with database.system_transaction() as session:
        other = await tenancy.create_tenant(session, name="Fabrikam", domain="fabrikam.example")
    async with database.tenant_transaction(other.id) as session:
        with pytest.raises(errors.NotFound):
            await worker_as_of(session, worker.id, as_of=ENTERED)
        with pytest.raises(errors.NotFound):
            await scheduled.cancel(session, worker.id, change.id, today=ENTERED)
        assert list(await session.scalars(select(WorkerPlacement))) == []
