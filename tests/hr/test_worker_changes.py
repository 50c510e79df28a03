"""Transfer, terminate, rehire and rescind: the worker's life after the hire."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.hr import errors, services
from hirehub.hr.as_of import worker_as_of
from hirehub.hr.domain import HireDetails
from hirehub.hr.events import HireRescinded, WorkerTerminated, WorkerTransferred
from hirehub.hr.models import Employment, Person, PositionWorkerAssignment, Worker
from hirehub.hr.models.options import WorkerStatus
from tests.hr.conftest import HR, START, TODAY


async def _refused(hr: HR, error: type[Exception], change: Callable[[AsyncSession], Awaitable[Any]]) -> str:
    before = await hr.state()
    with pytest.raises(error) as refused:
        async with hr.transaction() as session:
            await change(session)
    assert await hr.state() == before, "a refused change changed something"
    return str(refused.value)


# --- transfer -----------------------------------------------------------------------------------------


async def test_a_transfer_moves_the_worker_to_the_new_position_from_the_effective_date(hr: HR) -> None:
    first, second = await hr.position("POS-1"), await hr.position("POS-2")
    manager = await hr.hired("Grace", "Hopper")
    worker = await hr.hired(position_id=first.id)
    moved_on = date(2027, 3, 1)

    async with hr.transaction() as session:
        [event] = await services.transfer(
            session, worker.id, moved_on, position_id=second.id, manager_id=manager.id, today=TODAY
        )

    assignments = sorted(await hr.rows(PositionWorkerAssignment, worker_id=worker.id), key=lambda a: a.valid_from)
    assert [(a.position_id, a.valid_from, a.valid_to) for a in assignments] == [
        (first.id, START, moved_on - timedelta(days=1)),
        (second.id, moved_on, None),
    ]
    today = await hr.get(Worker, worker.id)
    assert (today.department_id, today.title_id, today.manager_id) == (first.department_id, first.title_id, None)
    async with hr.transaction() as session:
        then = await worker_as_of(session, worker.id, as_of=moved_on)
        before = await worker_as_of(session, worker.id, as_of=moved_on - timedelta(days=1))
        assert (then.position, then.department, then.title, then.manager) == (
            await session.get(type(second), second.id),
            await session.get(type(then.department), second.department_id),
            await session.get(type(then.title), second.title_id),
            await session.get(Worker, manager.id),
        )
        assert before.position is not None and before.position.id == first.id and before.manager is None
    assert isinstance(event, WorkerTransferred)
    assert (event.position_id, event.manager_personnel_number, event.effective_date) == (
        "POS-2",
        manager.personnel_number,
        moved_on,
    )


async def test_a_transfer_without_a_new_position_changes_only_what_it_names(hr: HR) -> None:
    position = await hr.position("POS-1")
    manager = await hr.hired("Grace", "Hopper")
    worker = await hr.hired(position_id=position.id)
    async with hr.transaction() as session:
        await services.transfer(session, worker.id, date(2027, 1, 1), manager_id=manager.id, today=TODAY)
        then = await worker_as_of(session, worker.id, as_of=date(2027, 1, 1))
    assert then.manager is not None and then.manager.id == manager.id
    assert then.department is not None and then.department.id == position.department_id
    assert (await hr.get(Worker, worker.id)).manager_id is None, "not before the effective date"
    assert len(await hr.rows(PositionWorkerAssignment, worker_id=worker.id)) == 1


async def test_a_transfer_into_a_full_position_is_refused(hr: HR) -> None:
    full = await hr.position("POS-1")
    await hr.hired("Grace", "Hopper", position_id=full.id)
    worker = await hr.hired()
    await _refused(hr, errors.PositionOccupied, lambda s: services.transfer(s, worker.id, START, position_id=full.id))


async def test_a_worker_cannot_become_their_own_manager(hr: HR) -> None:
    worker = await hr.hired()
    message = await _refused(hr, errors.HRError, lambda s: services.transfer(s, worker.id, START, manager_id=worker.id))
    assert "own manager" in message


async def test_a_transfer_before_the_employment_starts_is_refused(hr: HR) -> None:
    worker = await hr.hired()
    await _refused(hr, errors.TerminationBeforeStart, lambda s: services.transfer(s, worker.id, date(2026, 1, 1)))


async def test_a_terminated_worker_cannot_be_transferred(hr: HR) -> None:
    worker = await hr.hired()
    async with hr.transaction() as session:
        await services.terminate(session, worker.id, date(2026, 12, 31), today=TODAY)
    await _refused(hr, errors.WorkerNotEmployed, lambda s: services.transfer(s, worker.id, date(2027, 1, 1)))


# --- terminate ----------------------------------------------------------------------------------------


async def test_a_future_dated_termination_ends_the_employment_and_keeps_the_worker_until_then(hr: HR) -> None:
    position = await hr.position("POS-1")
    worker = await hr.hired(position_id=position.id, start=date(2026, 1, 5))
    reason = await hr.reason("RESIGN")

    async with hr.transaction() as session:
        [event] = await services.terminate(session, worker.id, date(2027, 1, 31), reason_id=reason.id, today=TODAY)

    [employment] = await hr.rows(Employment, worker_id=worker.id)
    assert (employment.end_date, employment.termination_reason_id) == (date(2027, 1, 31), reason.id)
    [assignment] = await hr.rows(PositionWorkerAssignment, worker_id=worker.id)
    assert assignment.valid_to == date(2027, 1, 31)
    assert (await hr.get(Worker, worker.id)).status == WorkerStatus.EMPLOYED
    assert isinstance(event, WorkerTerminated)
    assert (event.end_date, event.reason) == (date(2027, 1, 31), "RESIGN")


async def test_a_termination_in_the_past_marks_the_worker_terminated(hr: HR) -> None:
    worker = await hr.hired(start=date(2025, 1, 6))
    async with hr.transaction() as session:
        await services.terminate(session, worker.id, date(2026, 10, 31), today=TODAY)
    assert (await hr.get(Worker, worker.id)).status == WorkerStatus.TERMINATED


async def test_a_termination_before_the_start_is_refused(hr: HR) -> None:
    worker = await hr.hired()
    message = await _refused(
        hr, errors.TerminationBeforeStart, lambda s: services.terminate(s, worker.id, date(2026, 11, 30), today=TODAY)
    )
    assert "2026-11-30" in message and "2026-12-01" in message


async def test_a_worker_cannot_be_terminated_twice(hr: HR) -> None:
    worker = await hr.hired()
    async with hr.transaction() as session:
        await services.terminate(session, worker.id, date(2027, 1, 31), today=TODAY)
    await _refused(
        hr, errors.AlreadyTerminated, lambda s: services.terminate(s, worker.id, date(2027, 2, 28), today=TODAY)
    )


@pytest.mark.parametrize("unknown", ["worker", "reason"])
async def test_an_unknown_worker_or_reason_is_not_found(hr: HR, unknown: str) -> None:
    worker = await hr.hired()
    worker_id = uuid.uuid4() if unknown == "worker" else worker.id
    reason_id = uuid.uuid4() if unknown == "reason" else None
    await _refused(
        hr,
        errors.NotFound,
        lambda s: services.terminate(s, worker_id, date(2027, 1, 1), reason_id=reason_id, today=TODAY),
    )


# --- rehire -------------------------------------------------------------------------------------------


async def test_a_rehire_is_the_same_person_and_worker_with_a_new_employment(hr: HR) -> None:
    worker = await hr.hired(start=date(2024, 1, 8))
    async with hr.transaction() as session:
        await services.terminate(session, worker.id, date(2025, 6, 30), today=TODAY)
    position = await hr.position("POS-9")

    async with hr.transaction() as session:
        outcome = await services.rehire(session, worker.id, date(2027, 1, 4), position_id=position.id, today=TODAY)

    assert outcome.rehire and outcome.worker.id == worker.id
    assert outcome.worker.personnel_number == "HR000001"
    employments = sorted(await hr.rows(Employment, worker_id=worker.id), key=lambda e: e.start_date)
    assert [(e.start_date, e.end_date) for e in employments] == [
        (date(2024, 1, 8), date(2025, 6, 30)),
        (date(2027, 1, 4), None),
    ]
    assert len(await hr.rows(Person)) == 1 and len(await hr.rows(Worker)) == 1
    assert (await hr.get(Worker, worker.id)).status == WorkerStatus.PENDING
    assert (await hr.events())[-1].type == "worker.rehired"


async def test_a_rehire_while_still_employed_is_refused(hr: HR) -> None:
    worker = await hr.hired()
    message = await _refused(hr, errors.RehireWhileEmployed, lambda s: services.rehire(s, worker.id, date(2027, 1, 1)))
    assert "terminate first" in message


async def test_a_rehire_starting_before_the_last_employment_ended_is_refused(hr: HR) -> None:
    worker = await hr.hired(start=date(2024, 1, 8))
    async with hr.transaction() as session:
        await services.terminate(session, worker.id, date(2025, 6, 30), today=TODAY)
    await _refused(hr, errors.RehireWhileEmployed, lambda s: services.rehire(s, worker.id, date(2025, 6, 30)))


# --- rescind ------------------------------------------------------------------------------------------


async def test_a_hire_not_yet_started_can_be_rescinded(hr: HR) -> None:
    position = await hr.position("POS-1")
    worker = await hr.hired(position_id=position.id, start=date(2027, 1, 4))
    async with hr.transaction() as session:
        [event] = await services.rescind_hire(session, worker.id, today=TODAY)
    assert (await hr.get(Worker, worker.id)).status == WorkerStatus.RESCINDED
    [employment] = await hr.rows(Employment, worker_id=worker.id)
    assert employment.rescinded
    assert await hr.rows(PositionWorkerAssignment, worker_id=worker.id) == [], "no range for a hire that never began"
    assert isinstance(event, HireRescinded)
    # The seat is free again.
    await hr.hired("Grace", "Hopper", position_id=position.id)


async def test_a_hire_that_has_started_cannot_be_rescinded(hr: HR) -> None:
    worker = await hr.hired(start=date(2026, 11, 2))
    await _refused(hr, errors.HireAlreadyStarted, lambda s: services.rescind_hire(s, worker.id, today=TODAY))


async def test_there_is_nothing_to_rescind_after_a_termination(hr: HR) -> None:
    worker = await hr.hired(start=date(2026, 11, 2))
    async with hr.transaction() as session:
        await services.terminate(session, worker.id, date(2026, 11, 20), today=TODAY)
    await _refused(hr, errors.WorkerNotEmployed, lambda s: services.rescind_hire(s, worker.id, today=TODAY))


# --- several hires -------------------------------------------------------------------------------------


async def test_hires_in_one_transaction_take_consecutive_personnel_numbers_and_record_an_event_each(hr: HR) -> None:
    candidates = [await hr.candidate(f"Person{i}", "Bulk") for i in range(5)]

    async with hr.transaction() as session:
        outcomes = [await services.hire(session, c.id, HireDetails(START)) for c in candidates]

    assert [o.worker.personnel_number for o in outcomes] == [f"HR00000{i}" for i in range(1, 6)]
    assert len(await hr.rows(Employment)) == 5
    assert [e.type for e in await hr.events()] == ["worker.hired"] * 5
