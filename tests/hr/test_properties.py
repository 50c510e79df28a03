"""Properties that hold whatever happens: numbers never repeat, and no ordering of hire, transfer,
terminate, rehire and rescind leaves a worker with two open employments or a second identity."""

from __future__ import annotations

import asyncio
import itertools
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hirehub.db.sequences import PARTY_NUMBER, PERSONNEL_NUMBER, take_numbers
from hirehub.db.session import Database
from hirehub.hr import domain, errors, services
from hirehub.hr.domain import HireDetails, Placement
from hirehub.hr.models import CandidateToHire, Employment, Person, Worker
from hirehub.hr.models.options import ApplicantIntegrationResult
from hirehub.tenancy import service as tenancy
from tests.hr.conftest import HR

DB_SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


async def _new_tenant(database: Database) -> uuid.UUID:
    async with database.system_transaction() as session:
        return (await tenancy.create_tenant(session, name="T", domain=f"t{uuid.uuid4().hex[:12]}.example")).id


# --- sequences ----------------------------------------------------------------------------------------


@DB_SETTINGS
@given(counts=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=8))
async def test_numbers_taken_in_any_block_sizes_are_consecutive_and_never_repeat(
    database: Database, counts: list[int]
) -> None:
    tenant_id = await _new_tenant(database)
    taken: list[str] = []
    for count in counts:
        async with database.tenant_transaction(tenant_id) as session:
            block = await take_numbers(session, PERSONNEL_NUMBER.code, count)
        assert len(block) == count
        taken += block
    assert taken == [PERSONNEL_NUMBER.format(n) for n in range(1, sum(counts) + 1)]


async def test_concurrent_takers_never_get_the_same_number(database: Database) -> None:
    """Many transactions at once (truly concurrent on PostgreSQL): every number is handed out once."""
    tenant_id = await _new_tenant(database)
    rng = random.Random(7)

    async def taker(rounds: int) -> list[str]:
        mine: list[str] = []
        for _ in range(rounds):
            async with database.tenant_transaction(tenant_id) as session:
                mine += await take_numbers(session, PARTY_NUMBER.code, rng.randint(1, 5))
                await asyncio.sleep(0)  # hold the transaction across a scheduling point
        return mine

    results = await asyncio.gather(*(taker(12) for _ in range(8)))
    everything = [number for result in results for number in result]
    assert len(everything) == len(set(everything))
    assert sorted(everything) == [PARTY_NUMBER.format(n) for n in range(1, len(everything) + 1)]


async def test_a_rolled_back_take_never_leaves_a_committed_duplicate(database: Database) -> None:
    tenant_id = await _new_tenant(database)
    with pytest.raises(RuntimeError):
        async with database.tenant_transaction(tenant_id) as session:
            await take_numbers(session, PARTY_NUMBER.code, 3)
            raise RuntimeError("rolled back")
    async with database.tenant_transaction(tenant_id) as session:
        assert await take_numbers(session, PARTY_NUMBER.code, 2) == ["000000001", "000000002"]


async def test_each_tenant_counts_on_its_own(database: Database) -> None:
    a, b = await _new_tenant(database), await _new_tenant(database)
    for tenant in (a, b, a):
        async with database.tenant_transaction(tenant) as session:
            await take_numbers(session, PERSONNEL_NUMBER.code)
    async with database.tenant_transaction(b) as session:
        assert await take_numbers(session, PERSONNEL_NUMBER.code) == ["HR000002"]


# --- orderings of the worker's life -------------------------------------------------------------------

DAY0 = date(2026, 1, 1)
operations = st.lists(
    st.tuples(st.sampled_from(["terminate", "rehire", "rescind", "transfer"]), st.integers(-30, 400)),
    max_size=12,
)


@dataclass
class Expected:
    """An independent, simple model of what each operation should do."""

    open_start: date | None
    last_end: date | None
    spans: tuple[tuple[date, date | None], ...] = ()
    """The employments not rescinded, as (start, last day), earliest first."""

    def allows(self, operation: str, day: date, today: date) -> bool:
        if operation == "terminate":
            return self.open_start is not None and day >= self.open_start
        if operation == "rehire":
            return self.open_start is None and (self.last_end is None or day > self.last_end)
        if operation == "rescind":
            return self.open_start is not None and self.open_start > today
        if not self.spans:  # transfer: within the latest employment
            return False
        start, end = self.spans[-1]
        return start <= day and (end is None or day <= end)


def _check_invariants(worker: Worker, number: str, employments: list[Employment]) -> None:
    assert worker.personnel_number == number
    assert sum(1 for e in employments if e.end_date is None and not e.rescinded) <= 1
    real = sorted((e for e in employments if not e.rescinded), key=lambda e: e.start_date)
    for earlier, later in itertools.pairwise(real):
        assert earlier.end_date is not None and earlier.end_date < later.start_date


@settings(max_examples=300, deadline=None)
@given(ops=operations)
def test_no_ordering_of_life_events_breaks_the_worker(ops: list[tuple[str, int]]) -> None:
    person = Person(id=uuid.uuid4(), first_name="Ada", last_name="Lovelace")
    candidate = CandidateToHire(
        candidate_id="CAND-1", first_name="Ada", last_name="Lovelace",
        applicant_integration_result=ApplicantIntegrationResult.NOT_PROCESSED,
    )  # fmt: skip
    case = domain.HireCase(
        candidate=candidate, person=person, existing_worker=None, existing_employments=[],
        details=HireDetails(DAY0), placement=Placement(),
    )  # fmt: skip
    outcome = domain.hire(case, personnel_number="HR1", company_code=None)
    worker, employments = outcome.worker, [outcome.employment]
    expected = Expected(DAY0, None, ((DAY0, None),))
    for index, (operation, offset) in enumerate(ops):
        today = DAY0 + timedelta(days=index * 40)
        day = today + timedelta(days=offset)
        before = [(e.start_date, e.end_date, e.rescinded) for e in employments]
        allowed = expected.allows(operation, day, today)
        try:
            if operation == "terminate":
                events = domain.terminate(
                    worker, employments, last_day=day, reason=None, today=today, placement=Placement()
                )
            elif operation == "rehire":
                rehired = domain.rehire(worker, employments, start_date=day, placement=Placement())
                employments.append(rehired.employment)
                events = rehired.events
            elif operation == "rescind":
                events = domain.rescind_hire(worker, employments, today=today, placement=Placement())
            else:
                _, events = domain.transfer(worker, employments, placement=Placement(), effective=day)
        except errors.HRError:
            assert not allowed, f"{operation} on {day} was refused but should have worked"
            assert [(e.start_date, e.end_date, e.rescinded) for e in employments] == before
            continue
        assert allowed, f"{operation} on {day} worked but should have been refused"
        assert len(events) == 1 and events[0].subject_id == person.id
        if operation == "terminate":
            expected = Expected(None, day, (*expected.spans[:-1], (expected.spans[-1][0], day)))
        elif operation == "rehire":
            expected = Expected(day, expected.last_end, (*expected.spans, (day, None)))
        elif operation == "rescind":
            assert expected.open_start is not None
            latest = max(filter(None, [expected.last_end, expected.open_start]))
            expected = Expected(None, latest, expected.spans[:-1])
        _check_invariants(worker, "HR1", employments)


@DB_SETTINGS
@given(ops=operations)
async def test_the_same_orderings_through_the_database_keep_one_person_and_one_worker(
    database: Database, ops: list[tuple[str, int]]
) -> None:
    hr = HR(database, await _new_tenant(database))
    worker = await hr.hired(start=DAY0)
    successes = 0
    for index, (operation, offset) in enumerate(ops):
        today = DAY0 + timedelta(days=index * 40)
        day = today + timedelta(days=offset)
        try:
            async with hr.transaction() as session:
                if operation == "terminate":
                    await services.terminate(session, worker.id, day, today=today)
                elif operation == "rehire":
                    await services.rehire(session, worker.id, day)
                elif operation == "rescind":
                    await services.rescind_hire(session, worker.id, today=today)
                else:
                    await services.transfer(session, worker.id, day)
            successes += 1
        except errors.HRError:
            pass
    assert len(await hr.rows(Person)) == 1
    [stored] = await hr.rows(Worker)
    _check_invariants(stored, worker.personnel_number, await hr.rows(Employment, worker_id=worker.id))
    # One worker.hired, and one event per change that went through.
    assert len(await hr.events()) == 1 + successes
