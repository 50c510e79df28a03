"""Property: whatever dated HR changes are entered, on whichever days, the worker as of every date equals a plain
oracle — status, position, department, title and manager — and the worker row holds the view as of the day it was
last changed on.

Changes (hire, transfers, manager changes, leaves, terminations, rehires, rescinds, cancelling a scheduled change)
go through the services on an advancing "today". The oracle keeps the employments, leaves and placement changes
as plain lists and answers a day by looking at each of them; the services' refusals are left out of the oracle
(a refusal must leave every date's view as it was).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hirehub.db.session import Database
from hirehub.hr import errors, scheduled, services
from hirehub.hr.as_of import ChangeKind, worker_as_of
from hirehub.hr.domain import HireDetails
from hirehub.hr.models import (
    Department,
    Employment,
    EmploymentLeave,
    Position,
    PositionWorkerAssignment,
    Title,
    Worker,
    WorkerPlacement,
)
from hirehub.hr.models.options import WorkerStatus
from hirehub.tenancy import service as tenancy

EXAMPLES = int(os.environ.get("HIREHUB_PROPERTY_EXAMPLES", "8"))
DB_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
DAY0 = date(2027, 1, 4)


# --- the oracle ------------------------------------------------------------------------------------------------


@dataclass
class Job:
    start: date
    end: date | None = None
    rescinded: bool = False


@dataclass
class Away:
    job: uuid.UUID
    start: date
    back: date | None = None


@dataclass
class Change:
    job: uuid.UUID
    day: date
    seq: int
    position: uuid.UUID | None = None
    manager: uuid.UUID | None = None
    sets_position: bool = False
    sets_manager: bool = False


@dataclass
class Oracle:
    jobs: dict[uuid.UUID, Job] = field(default_factory=dict)
    aways: dict[uuid.UUID, Away] = field(default_factory=dict)
    changes: dict[uuid.UUID, Change] = field(default_factory=dict)
    seq: int = 0

    def days(self, today: date) -> list[date]:
        """The days around every date a record names (where a view can change), and a day a week in between."""
        named = {today}
        for job in self.jobs.values():
            named |= {job.start, *([job.end + timedelta(days=1)] if job.end else [])}
        for away in self.aways.values():
            named |= {away.start, *([away.back] if away.back else [])}
        named |= {change.day for change in self.changes.values()}
        around = {day + timedelta(days=n) for day in named for n in (-1, 0)}
        weekly = {DAY0 + timedelta(days=7 * n) for n in range(-60, 40)}
        return sorted(around | weekly)

    def job_on(self, day: date) -> uuid.UUID | None:
        """The employment covering the day; else the next to start; else the last one that ended."""
        live = {key: job for key, job in self.jobs.items() if not job.rescinded}
        for key, job in live.items():
            if job.start <= day and (job.end is None or day <= job.end):
                return key
        ahead = [key for key, job in live.items() if job.start > day]
        if ahead:
            return min(ahead, key=lambda key: live[key].start)
        ended = [key for key, job in live.items() if job.end is not None and job.end < day]
        return max(ended, key=lambda key: live[key].start) if ended else None

    def status(self, day: date) -> str:
        key = self.job_on(day)
        if key is None:
            return "rescinded" if self.jobs else "pending"
        job = self.jobs[key]
        if day < job.start:
            return "pending"
        if job.end is not None and day > job.end:
            return "terminated"
        for away in self.aways.values():
            if away.job == key and away.start <= day and (away.back is None or day < away.back):
                return "on_leave"
        return "employed"

    def placement(self, day: date) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        """(position, manager) on the day."""
        key = self.job_on(day)
        if key is None:
            return None, None
        mine = sorted((c for c in self.changes.values() if c.job == key), key=lambda c: (c.day, c.seq))
        due = [c for c in mine if c.day <= day] or mine[:1]
        position = manager = None
        for change in due:
            if change.sets_position:
                position = change.position
            if change.sets_manager:
                manager = change.manager
        return position, manager


# --- the world -------------------------------------------------------------------------------------------------


@dataclass
class World:
    database: Database
    tenant_id: uuid.UUID
    positions: list[Position]
    managers: list[uuid.UUID]
    worker_id: uuid.UUID

    def transaction(self) -> Any:
        return self.database.tenant_transaction(self.tenant_id)

    async def ids(self) -> dict[str, set[uuid.UUID]]:
        async with self.database.tenant_session(self.tenant_id) as session:
            return {
                model.__name__: set(await session.scalars(select(model.id).where(model.worker_id == self.worker_id)))
                for model in (Employment, EmploymentLeave, WorkerPlacement)
            }

    async def row(self, model: type[Any], row_id: uuid.UUID) -> Any:
        async with self.database.tenant_session(self.tenant_id) as session:
            return await session.get(model, row_id)


async def _world(database: Database) -> tuple[World, Oracle]:
    async with database.system_transaction() as session:
        tenant = await tenancy.create_tenant(session, name="T", domain=f"t{uuid.uuid4().hex[:12]}.example")
    positions: list[Position] = []
    async with database.tenant_transaction(tenant.id) as session:
        for n in range(3):
            department = Department(department_number=f"D{n}", name=f"Department {n}")
            title = Title(title_id=f"Title {n}")
            session.add_all([department, title])
            await session.flush()
            position = Position(position_id=f"P{n}", department_id=department.id, title_id=title.id, max_workers=50)
            session.add(position)
            positions.append(position)
    managers = []
    for name in ("Grace", "Alan", "Ada"):
        async with database.tenant_transaction(tenant.id) as session:
            candidate = await services.create_candidate(session, services.NewCandidate(first_name=name, last_name="X"))
            await session.flush()
            outcome = await services.hire(session, candidate.id, HireDetails(DAY0 - timedelta(days=400)), today=DAY0)
            managers.append(outcome.worker.id)
    worker_id = managers.pop()
    world = World(database, tenant.id, positions, managers, worker_id)
    oracle = Oracle()
    for key in (await world.ids())["Employment"]:
        oracle.jobs[key] = Job(DAY0 - timedelta(days=400))
    for key in (await world.ids())["WorkerPlacement"]:
        record = await world.row(WorkerPlacement, key)
        oracle.seq += 1
        oracle.changes[key] = Change(
            record.employment_id, record.valid_from, oracle.seq, None, None, sets_position=True, sets_manager=True,
        )  # fmt: skip
    return world, oracle


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["transfer", "manager", "leave", "terminate", "rehire", "rescind", "cancel", "cancel", "cycle", "cycle"]
        ),
        st.integers(0, 20),  # days "today" moves on before the change is entered
        st.integers(-10, 60),  # the change's day, from today
        st.integers(0, 2),  # which position, manager or scheduled change
        st.integers(1, 40),  # a leave's length
    ),
    min_size=1,
    max_size=9,
)


async def _apply(world: World, oracle: Oracle, op: tuple[str, int, int, int, int], today: date) -> None:
    kind, _, offset, pick, length = op
    day = today + timedelta(days=offset)
    before = await world.ids()
    worker = world.worker_id
    async with world.transaction() as session:
        if kind == "transfer":
            await services.transfer(session, worker, day, position_id=world.positions[pick].id, today=today)
        elif kind == "manager":
            manager = world.managers[pick] if pick < len(world.managers) else None
            await services.change_manager(session, worker, day, manager_id=manager, today=today)
        elif kind == "leave":
            await services.start_leave(session, worker, first_day=day, reason="Leave", today=today)
            await services.end_leave(session, worker, return_day=day + timedelta(days=length), today=today)
        elif kind == "terminate":
            await services.terminate(session, worker, day, today=today)
        elif kind == "rehire":
            await services.rehire(session, worker, day, position_id=world.positions[pick].id, today=today)
        elif kind == "cycle":  # a leaver who comes back: the last day, then a rehire some days later
            await services.terminate(session, worker, day, today=today)
            back = day + timedelta(days=length)
            await services.rehire(session, worker, back, position_id=world.positions[pick].id, today=today)
        elif kind == "rescind":
            await services.rescind_hire(session, worker, today=today)
        else:
            changes = (await worker_as_of(session, worker, as_of=today)).scheduled
            if not changes:
                raise errors.NotFound("nothing scheduled")
            change = changes[pick % len(changes)]
            await scheduled.cancel(session, worker, change.id, kind=change.kind, today=today)
            _cancel_in(oracle, change.kind, change.id)
            return
    after = await world.ids()
    new = {name: after[name] - before[name] for name in after}
    if kind in ("transfer", "manager"):
        (key,) = new["WorkerPlacement"]
        record = await world.row(WorkerPlacement, key)
        oracle.seq += 1
        oracle.changes[key] = Change(
            record.employment_id, day, oracle.seq, record.position_id, record.manager_id,
            sets_position=kind == "transfer", sets_manager=kind == "manager",
        )  # fmt: skip
    elif kind == "leave":
        (key,) = new["EmploymentLeave"]
        record = await world.row(EmploymentLeave, key)
        oracle.aways[key] = Away(record.employment_id, day, day + timedelta(days=length))
    if kind in ("terminate", "cycle"):
        (key,) = [k for k, job in oracle.jobs.items() if not job.rescinded and job.end is None]
        oracle.jobs[key].end = day
    if kind in ("rehire", "cycle"):
        start = day + timedelta(days=length) if kind == "cycle" else day
        (key,) = new["Employment"]
        oracle.jobs[key] = Job(start)
        (record_key,) = new["WorkerPlacement"]
        oracle.seq += 1
        oracle.changes[record_key] = Change(key, start, oracle.seq, world.positions[pick].id, None, True, True)
    elif kind == "rescind":
        (key,) = [k for k, job in oracle.jobs.items() if not job.rescinded and job.end is None]
        oracle.jobs[key].rescinded = True


def _cancel_in(oracle: Oracle, kind: ChangeKind, key: uuid.UUID) -> None:
    if kind in (ChangeKind.TRANSFER, ChangeKind.MANAGER_CHANGE):
        del oracle.changes[key]
    elif kind is ChangeKind.TERMINATION:
        oracle.jobs[key].end = None
    elif kind is ChangeKind.LEAVE:
        del oracle.aways[key]
    elif kind is ChangeKind.RETURN:
        oracle.aways[key].back = None
    else:
        oracle.jobs[key].rescinded = True


async def _views(world: World, days: list[date]) -> dict[date, tuple[Any, ...]]:
    seen: dict[date, tuple[Any, ...]] = {}
    async with world.database.tenant_session(world.tenant_id) as session:
        for day in days:
            view = await worker_as_of(session, world.worker_id, as_of=day)
            seen[day] = (
                view.status.value,
                view.position.id if view.position else None,
                view.department.id if view.department else None,
                view.title.id if view.title else None,
                view.manager.id if view.manager else None,
            )
    return seen


def _expected(world: World, oracle: Oracle, days: list[date]) -> dict[date, tuple[Any, ...]]:
    positions = {p.id: p for p in world.positions}
    expected: dict[date, tuple[Any, ...]] = {}
    for day in days:
        position, manager = oracle.placement(day)
        seat = positions.get(position) if position else None
        expected[day] = (
            oracle.status(day),
            position,
            seat.department_id if seat else None,
            seat.title_id if seat else None,
            manager,
        )
    return expected


@DB_SETTINGS
@given(ops=OPERATIONS)
async def test_the_worker_as_of_every_date_equals_the_oracle(database: Database, ops: list[Any]) -> None:
    world, oracle = await _world(database)
    today = DAY0
    for op in ops:
        today += timedelta(days=op[1])
        sample = oracle.days(today)[::4]
        before = await _views(world, sample)
        try:
            await _apply(world, oracle, op, today)
        except errors.HRError:
            assert await _views(world, sample) == before, f"the refused {op[0]} changed a date's view"
            event(f"{op[0]} refused")
            continue
        event(f"{op[0]} accepted")
        row = await world.row(Worker, world.worker_id)
        expected_today = _expected(world, oracle, [today])[today]
        assert (WorkerStatus(row.status).name.lower(), row.department_id, row.title_id, row.manager_id) == (
            expected_today[0], expected_today[2], expected_today[3], expected_today[4],
        ), f"the row after {op[0]} on {today}"  # fmt: skip
    days = oracle.days(today)
    assert await _views(world, days) == _expected(world, oracle, days)
    async with database.tenant_session(world.tenant_id) as session:
        for model in (PositionWorkerAssignment, WorkerPlacement):
            for row in await session.scalars(select(model)):
                assert row.valid_to is None or row.valid_to >= row.valid_from, f"an inverted {model.__name__}"
