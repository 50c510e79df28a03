"""Joiners, movers and leavers processed through a directory that fails (transient errors, lost replies, throttling
with retry-after hints, an outage) end exactly where the same changes end through one that never fails."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hirehub.db.session import Database
from hirehub.hr import services
from hirehub.hr.daily import DAILY
from hirehub.hr.models import Department
from hirehub.jobs.models import JobStatus
from hirehub.lifecycle.directory_state import DirectoryAccount
from hirehub.lifecycle.policy import LeaveOptions
from hirehub.provisioning.scheduling import RECONCILE
from hirehub.provisioning.sync import TICK
from tests.provisioning.faults import FaultyConnector
from tests.provisioning.support import MONDAY, Clock, Engine, running_engine

STARTED = MONDAY - timedelta(days=100)
START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
RETRIES = timedelta(hours=2)
PEOPLE = [("Ann", "Lee"), ("Ann", "Lee"), ("Bo", "Chen"), ("Cy", "Diaz"), ("Di", "Evans"), ("Ed", "Fox"),
          ("Flo", "Gray"), ("Gus", "Hill"), ("Hal", "Ito"), ("Ida", "Jones")]  # fmt: skip


async def scenario(engine: Engine) -> None:
    """The same HR changes, in the same order, for any tenant: a batch of joiners reporting to a manager hired
    with them, then movers (manager, department), leavers and a leave of absence."""
    await engine.set_policy(leave_of_absence=LeaveOptions(disable=True))
    manager = await engine.hire("Maria", "Garcia", STARTED)
    workers = [await engine.hire(first, last, STARTED, manager=manager if n % 2 else None)
               for n, (first, last) in enumerate(PEOPLE)]  # fmt: skip
    await engine.settle(retry_within=RETRIES)

    async with engine.transaction() as session:
        sales = Department(department_number="D-SALES", name="Sales")
        session.add(sales)
        await session.flush()
        await services.transfer(session, workers[2], MONDAY, manager_id=workers[3])
        await services.transfer(session, workers[4], MONDAY, department_id=sales.id)
        await services.terminate(session, workers[5], MONDAY - timedelta(days=1), today=MONDAY)
        await services.terminate(session, workers[6], MONDAY - timedelta(days=3), today=MONDAY)
        await services.start_leave(session, workers[7], first_day=MONDAY, reason="Parental leave")
    await engine.settle(retry_within=RETRIES)


def state(accounts: list[DirectoryAccount]) -> tuple[dict[str, Any], list[str]]:
    """The directory as a person would compare it: per anchor, everything but the object id, the timestamps and
    the names (two namesakes may be provisioned in either order); and, apart, every name handed out."""
    by_anchor = {
        account.anchor or "": {
            "enabled": account.enabled,
            "attributes": dict(account.attributes),
            "manager": account.manager_anchor,
            "groups": sorted(account.groups),
            "mailbox": account.mailbox,
        }
        for account in accounts
    }
    return by_anchor, sorted(name for account in accounts for name in account.names())


@pytest.mark.parametrize("seed", [7, 2027])
async def test_a_batch_through_a_failing_directory_ends_as_through_a_working_one(database: Database, seed: int) -> None:
    async with running_engine(database, name="Calm", domain="calm.example", clock=Clock(START)) as calm:
        await scenario(calm)
        expected = calm.directory.accounts()

    def faulty(directory: Any) -> FaultyConnector:
        return FaultyConnector(directory, stormy_clock, seed=seed,
                               outages=[(START, START + timedelta(minutes=20))])  # fmt: skip

    stormy_clock = Clock(START)
    async with running_engine(database, name="Stormy", domain="stormy.example", clock=stormy_clock, wrap=faulty,
                              workers=2) as stormy:  # fmt: skip
        await scenario(stormy)
        ended = stormy_clock.now  # the instant the scenario settled at, fixed before anything else reads the clock
        got = stormy.directory.accounts()
        jobs = await stormy.jobs()
        injected = stormy.connector.injected  # type: ignore[attr-defined]

    assert injected["outage"] and injected.total() - injected["outage"] >= 5, injected  # it really did fail
    (got_state, got_names), (expected_state, expected_names) = state(got), state(expected)
    assert {a: s for a, s in got_state.items() if expected_state.get(a) != s} == {}, expected_state
    assert got_names == expected_names
    anchors = Counter(account.anchor for account in got)
    assert set(anchors.values()) == {1} and len(anchors) == len(PEOPLE) + 1  # no duplicate, nobody missing
    waiting = [job for job in jobs if job.status != JobStatus.SUCCEEDED]  # nothing failed, dead or left behind:
    assert all(job.status == JobStatus.QUEUED and job.run_at > ended for job in waiting)  # only the future
    assert {job.kind for job in waiting} <= {TICK, RECONCILE, DAILY}
