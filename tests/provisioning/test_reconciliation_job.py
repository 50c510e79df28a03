"""The scheduled reconciliation: drift between HR and the directory is stored, fixed through the engine's syncs
as the policy says, and exactly one reconciliation is always pending for the tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from hirehub.audit.models import AuditEntry
from hirehub.db.session import Database
from hirehub.errors import Invalid, NotFound
from hirehub.hr import services
from hirehub.jobs.models import JobStatus
from hirehub.lifecycle.planning import AttributeChange, EnableAccount, UpdateAttributes
from hirehub.lifecycle.policy import ReconciliationOptions
from hirehub.provisioning import operations
from hirehub.provisioning.scheduling import RECONCILE
from hirehub.provisioning.sync import SYNC
from tests.provisioning.support import MONDAY, Engine, running_engine

STARTED = MONDAY - timedelta(days=100)


@pytest.fixture
async def engine(database: Database) -> AsyncIterator[Engine]:
    async with running_engine(database) as engine:
        yield engine


async def request(engine: Engine) -> dict[str, object]:
    async with engine.transaction() as session:
        return await operations.request_reconciliation(session, by="test", now=engine.clock())


async def show(engine: Engine, run_id: object) -> dict[str, object]:
    async with engine.session() as session:
        return await operations.show_reconciliation(session, str(run_id))


async def pending(engine: Engine) -> list[object]:
    return [job for job in await engine.jobs(kind=RECONCILE) if job.status in ("queued", "failed", "held")]


async def drifted(engine: Engine) -> None:
    """Ann's department edited by hand, Bo a leaver whose account someone enabled again, an orphan account."""
    ann = await engine.hire("Ann", "Lee", STARTED)
    bo = await engine.hire("Bo", "Chen", STARTED)
    await engine.settle()
    async with engine.transaction() as session:
        await services.terminate(session, bo, MONDAY - timedelta(days=2), today=MONDAY)
    await engine.settle()
    assert engine.account_of("Bo").enabled is False
    await engine.tamper(engine.account_of("Ann"), UpdateAttributes((AttributeChange("jobTitle", None, "Boss"),)))
    await engine.tamper(engine.account_of("Bo"), EnableAccount("by hand"))
    engine.directory.add_account(anchor="HR999999", user_principal_name="ghost@contoso.example")
    assert ann


async def test_a_run_stores_the_drift_and_fixes_mismatches_and_enabled_leavers_through_syncs(engine: Engine) -> None:
    await drifted(engine)
    run = await request(engine)
    assert run["status"] == "queued"
    await engine.settle()

    shown = await show(engine, run["id"])
    assert shown["status"] == "finished" and shown["started_at"] and shown["finished_at"]
    counts = shown["counts"]
    assert isinstance(counts, dict)
    assert (counts["mismatched"], counts["enabled_leavers"], counts["orphans"]) == (1, 1, 1)
    report = shown["report"]
    assert isinstance(report, dict)
    (mismatch,) = report["mismatched"]
    assert mismatch["attributes"]["jobTitle"] == {"directory": "Boss", "desired": None}
    fixed = shown["fixed"]
    assert isinstance(fixed, dict)
    assert sorted(fixed["syncs_queued"]) == sorted([engine.account_of("Ann").anchor, engine.account_of("Bo").anchor])
    assert fixed["orphans_disabled"] == []

    # The syncs ran as the engine's own, audited, and put the directory right
    assert "jobTitle" not in engine.account_of("Ann").attributes
    assert engine.account_of("Bo").enabled is False
    assert next(a for a in engine.directory.accounts() if a.anchor == "HR999999").enabled is True  # only reported
    reasons = [job.payload["reason"] for job in await engine.jobs(kind=SYNC)]
    assert reasons.count("reconciliation") == 2
    again = await request(engine)
    await engine.settle()
    assert (await show(engine, again["id"]))["counts"]["mismatched"] == 0  # type: ignore[index]


async def test_orphans_are_disabled_only_when_the_policy_says_so(engine: Engine) -> None:
    await engine.set_policy(reconciliation=ReconciliationOptions(disable_orphans=True))
    await drifted(engine)
    run = await request(engine)
    await engine.settle()
    fixed = (await show(engine, run["id"]))["fixed"]
    (ghost,) = [a for a in engine.directory.accounts() if a.anchor == "HR999999"]
    assert ghost.enabled is False
    assert fixed["orphans_disabled"] == [ghost.object_id]  # type: ignore[index]
    async with engine.session() as session:
        (entry,) = await session.scalars(select(AuditEntry).where(AuditEntry.action == "directory.disable_orphan"))
    assert entry.subject_id == ghost.object_id and entry.job_id is not None


async def test_without_fixing_a_run_only_reports(engine: Engine) -> None:
    await engine.set_policy(reconciliation=ReconciliationOptions(fix=False))
    await drifted(engine)
    run = await request(engine)
    await engine.settle()
    assert (await show(engine, run["id"]))["fixed"]["syncs_queued"] == []  # type: ignore[index]
    assert engine.account_of("Bo").enabled is True


async def test_duplicates_are_reported_and_left_alone(engine: Engine) -> None:
    await engine.hire("Ann", "Lee", STARTED)
    await engine.settle()
    anchor = engine.account_of("Ann").anchor
    engine.directory.add_account(anchor=anchor, user_principal_name="ann.again@contoso.example")
    run = await request(engine)
    await engine.settle()
    report = (await show(engine, run["id"]))["report"]
    assert list(report["duplicates"]) == [anchor]  # type: ignore[index]
    assert len(engine.directory.accounts_with_anchor(anchor or "")) == 2


async def test_saving_a_policy_schedules_one_reconciliation_and_each_run_schedules_the_next(engine: Engine) -> None:
    await engine.set_policy(reconciliation=ReconciliationOptions(every_hours=6))
    await engine.set_policy(reconciliation=ReconciliationOptions(every_hours=6))
    (scheduled,) = await pending(engine)
    assert scheduled.run_at == engine.clock() + timedelta(hours=6)  # type: ignore[attr-defined]

    engine.clock.advance(hours=6)
    await engine.settle()
    assert len(await engine.jobs(status=JobStatus.SUCCEEDED, kind=RECONCILE)) == 1
    (following,) = await pending(engine)
    assert following.run_at == engine.clock() + timedelta(hours=6)  # type: ignore[attr-defined]
    async with engine.session() as session:
        listed = await operations.list_reconciliations(session)
    assert [r["requested_by"] for r in listed["reconciliations"]] == ["schedule"]
    assert listed["next_run_at"] == following.run_at.isoformat()  # type: ignore[attr-defined]


async def test_asking_twice_before_it_starts_is_one_run_and_still_one_pending_job(engine: Engine) -> None:
    await engine.set_policy()
    first = await request(engine)
    second = await request(engine)
    assert first["id"] == second["id"]
    (job,) = await pending(engine)
    assert job.run_at <= engine.clock()  # type: ignore[attr-defined]  # the scheduled one, brought forward
    await engine.settle()
    (following,) = await pending(engine)
    assert following.run_at == engine.clock() + timedelta(hours=24)  # type: ignore[attr-defined]


async def test_a_directory_that_is_down_is_retried_and_the_schedule_goes_on(engine: Engine) -> None:
    await engine.hire("Ann", "Lee", STARTED)
    await engine.settle()
    engine.directory.down_until(engine.clock() + timedelta(minutes=10))
    run = await request(engine)
    await engine.settle()
    assert (await show(engine, run["id"]))["status"] == "retrying"
    assert len(await pending(engine)) == 1  # the failed one, waiting for its retry

    await engine.settle(retry_within=timedelta(hours=1))
    assert (await show(engine, run["id"]))["status"] == "finished"
    assert len(await pending(engine)) == 1


async def test_a_policy_without_a_schedule_runs_only_on_request(engine: Engine) -> None:
    await engine.set_policy(reconciliation=ReconciliationOptions(every_hours=0))
    assert await pending(engine) == []
    run = await request(engine)
    await engine.settle()
    assert (await show(engine, run["id"]))["status"] == "finished"
    assert await pending(engine) == []


async def test_an_unknown_or_malformed_reconciliation_id_is_refused(engine: Engine) -> None:
    with pytest.raises(NotFound):
        await show(engine, "00000000-0000-4000-8000-000000000001")
    with pytest.raises(Invalid) as malformed:
        await show(engine, "yesterday")
    assert malformed.value.field == "run_id"
