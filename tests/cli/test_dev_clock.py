"""Development's time travel: ``hirehub demo clock advance|show|reset`` shift the clock every process of the
development group reads (through a file in the data directory), so the job runner runs what became due; a
production hub never moves."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hirehub.bootstrap import build_hub
from hirehub.db import clock_offset
from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.demo import advance_clock, clock_state
from hirehub.errors import Forbidden, Invalid
from hirehub.jobs.context import JobContext
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.jobs.queue import enqueue
from hirehub.settings import Environment, Settings, get_settings
from hirehub.tenancy import service
from tests.cli.support import hirehub

WALL = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_clock_followed() -> Iterator[None]:
    """Whatever a test makes this process follow, the next test starts on the wall clock."""
    yield
    clock_offset.follow(None)


@pytest.fixture
def development(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The environment of a development group on ``tmp_path``; yields its data directory."""
    monkeypatch.setenv("HIREHUB_ENV", "development")
    monkeypatch.setenv("HIREHUB_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_advancing_the_clock_by_days_shifts_the_time_the_group_reads(development: Path) -> None:
    before = hirehub("demo", "clock", "show")
    moved = hirehub("demo", "clock", "advance", "--days", "2")

    assert before["offset_seconds"] == 0
    assert moved["offset_seconds"] == 2 * 86400
    assert moved["offset_days"] == 2
    assert datetime.fromisoformat(moved["now"]) - datetime.fromisoformat(before["now"]) >= timedelta(days=2)
    assert clock_offset.read_offset(development / clock_offset.OFFSET_FILE_NAME) == timedelta(days=2)


def test_advancing_twice_adds_up_and_reset_returns_to_the_wall_clock(development: Path) -> None:
    hirehub("demo", "clock", "advance", "--days", "1")
    moved = hirehub("demo", "clock", "advance", "--hours", "6")
    reset = hirehub("demo", "clock", "reset")

    assert moved["offset_seconds"] == 30 * 3600
    assert reset["offset_seconds"] == 0
    assert not (development / clock_offset.OFFSET_FILE_NAME).exists()


def test_advancing_by_nothing_is_refused_and_moves_nothing(development: Path) -> None:
    refusal = hirehub("demo", "clock", "advance", expect=1)

    assert "forward" in refusal["error"]
    assert hirehub("demo", "clock", "show")["offset_seconds"] == 0


def test_time_travel_outside_development_is_refused_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIREHUB_ENV", "production")
    monkeypatch.setenv("HIREHUB_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        advance = hirehub("demo", "clock", "advance", "--days", "1", expect=1)
        show = hirehub("demo", "clock", "show", expect=1)
    finally:
        get_settings.cache_clear()

    assert "development mode only" in advance["error"]
    assert "development mode only" in show["error"]
    assert list(tmp_path.iterdir()) == []


def test_the_service_refuses_a_production_hub_with_forbidden(tmp_path: Path) -> None:
    with pytest.raises(Forbidden):
        advance_clock(Settings(data_dir=tmp_path, env=Environment.PRODUCTION, database_url=""), by=timedelta(days=1))


def test_the_service_refuses_a_hub_on_a_named_database_with_forbidden(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, env=Environment.DEVELOPMENT, database_url="sqlite+aiosqlite:///x.db")

    with pytest.raises(Forbidden):
        advance_clock(settings, by=timedelta(days=1))


def test_the_service_refuses_a_move_backwards_as_invalid_days(tmp_path: Path) -> None:
    with pytest.raises(Invalid) as refused:
        advance_clock(Settings(data_dir=tmp_path, env=Environment.DEVELOPMENT, database_url=""), by=timedelta(days=-1))
    assert refused.value.field == "days"


def test_the_state_reads_the_wall_clock_plus_the_shift(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, env=Environment.DEVELOPMENT, database_url="")
    advance_clock(settings, by=timedelta(days=1), wall=WALL)

    state = clock_state(settings, wall=WALL)

    assert state["now"] == "2027-03-02T09:00:00+00:00"
    assert state["today"] == "2027-03-02"


def test_a_development_hub_on_its_embedded_database_follows_the_shift_and_no_other_hub_does(tmp_path: Path) -> None:
    clock_offset.write_offset(tmp_path / clock_offset.OFFSET_FILE_NAME, timedelta(days=3))

    build_hub(Settings(data_dir=tmp_path, env=Environment.DEVELOPMENT, database_url=""))
    shifted = utcnow() - datetime.now(UTC)
    build_hub(Settings(data_dir=tmp_path, env=Environment.PRODUCTION, database_url=""))
    unshifted = utcnow() - datetime.now(UTC)

    build_hub(Settings(data_dir=tmp_path, env=Environment.DEVELOPMENT, database_url="sqlite+aiosqlite:///x.db"))
    on_a_named_database = utcnow() - datetime.now(UTC)

    assert timedelta(days=3) - timedelta(seconds=5) < shifted <= timedelta(days=3)
    assert abs(unshifted) < timedelta(seconds=5)
    assert abs(on_a_named_database) < timedelta(seconds=5)


def test_a_follower_sees_a_new_shift_once_the_recheck_interval_has_passed(tmp_path: Path) -> None:
    path = tmp_path / clock_offset.OFFSET_FILE_NAME
    ticks = iter([0.0, 0.1, 1.0, 1.1])
    follower = clock_offset.OffsetFollower(path, monotonic=lambda: next(ticks))

    assert follower.offset() == timedelta(0)
    clock_offset.write_offset(path, timedelta(hours=5))
    assert follower.offset() == timedelta(0)  # within the recheck interval: not looked at yet
    assert follower.offset() == timedelta(hours=5)
    path.unlink()
    assert follower.offset() == timedelta(hours=5)  # 0.1 s later: still the cached view


def test_a_file_that_is_not_a_shift_is_an_error_not_the_wall_clock(tmp_path: Path) -> None:
    path = tmp_path / clock_offset.OFFSET_FILE_NAME
    path.write_text('{"offset_seconds": "tomorrow"}')

    with pytest.raises(ValueError):
        clock_offset.read_offset(path)


async def test_the_job_runner_runs_a_job_that_became_due_when_the_clock_moved(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    # The development group's hub: on the embedded database (here the test's, handed over as the database).
    hub = build_hub(Settings(data_dir=tmp_path, env=Environment.DEVELOPMENT, database_url=""), database=database)
    async with database.system_transaction() as session:
        tenant = await service.create_tenant(session, name="Contoso", domain="contoso.example", time_zone="UTC")
    async with database.tenant_transaction(tenant.id) as session:
        job = await enqueue(session, "demo.last_day", {}, run_at=utcnow() + timedelta(days=1))
        job_id: uuid.UUID = job.id
    ran: list[uuid.UUID] = []

    async def last_day(context: JobContext) -> dict[str, Any]:
        ran.append(context.job.id)
        return {}

    runner = hub.job_runner(handlers={"demo.last_day": last_day})
    assert await runner.run_once() == 0
    advance_clock(hub.settings, by=timedelta(days=1, minutes=1))
    clock_offset.follow(clock_offset.offset_file(tmp_path))  # the file is re-read at once by a new follower
    assert await runner.run_once() == 1

    async with database.tenant_session(tenant.id) as session:
        stored = await session.scalar(select(DurableJob).where(DurableJob.id == job_id))
    assert ran == [job_id]
    assert stored is not None and stored.status == JobStatus.SUCCEEDED
    await hub.aclose()
