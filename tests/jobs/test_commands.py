"""``hirehub job …``: the queue as an operator sees it, one JSON object per command."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.jobs.claiming import claim, fail
from hirehub.settings import get_settings
from tests.cli.support import hirehub
from tests.jobs.conftest import make_tenant
from tests.jobs.support import add_job


@pytest.fixture
def hub(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("HIREHUB_DATABASE_URL", database_url)
    monkeypatch.setenv("HIREHUB_LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def _setup(url: str) -> dict[str, uuid.UUID]:
    """Two tenants; contoso has a queued and a dead job, fabrikam a queued one."""

    async def build() -> dict[str, uuid.UUID]:
        database = Database(url)
        try:
            now = utcnow()
            contoso = await make_tenant(database, "contoso.example")
            fabrikam = await make_tenant(database, "fabrikam.example")
            dead = await add_job(database, contoso, now, "lifecycle.joiner", {"person": "P1"}, max_attempts=1)
            await claim(database, "w1", now, timedelta(seconds=60))
            await fail(database, dead, "w1", "PermanentFailure: UPN taken", now)
            queued = await add_job(database, contoso, now, "lifecycle.mover", {"person": "P2"})
            elsewhere = await add_job(database, fabrikam, now, "lifecycle.leaver", {"person": "P9"})
            return {"dead": dead, "queued": queued, "elsewhere": elsewhere}
        finally:
            await database.dispose()

    return asyncio.run(build())


def test_job_list_shows_every_tenants_jobs_or_one_tenants(hub: str) -> None:
    jobs = _setup(hub)

    everything = hirehub("job", "list")["jobs"]
    contoso = hirehub("job", "list", "--tenant", "contoso.example")["jobs"]
    dead = hirehub("job", "list", "--status", "dead")["jobs"]

    assert [j["id"] for j in everything] == [str(jobs["elsewhere"]), str(jobs["queued"]), str(jobs["dead"])]
    assert [j["id"] for j in contoso] == [str(jobs["queued"]), str(jobs["dead"])]
    assert [(j["id"], j["last_error"]) for j in dead] == [(str(jobs["dead"]), "PermanentFailure: UPN taken")]


def test_job_list_refuses_an_unknown_status_or_tenant(hub: str) -> None:
    _setup(hub)

    assert "not a job status" in hirehub("job", "list", "--status", "sleeping", expect=1)["error"]
    assert "no tenant" in hirehub("job", "list", "--tenant", "nowhere.example", expect=1)["error"]


def test_job_show_gives_the_payload_the_error_and_the_history_of_attempts(hub: str) -> None:
    jobs = _setup(hub)

    shown = hirehub("job", "show", "--id", str(jobs["dead"]))

    assert (shown["kind"], shown["status"], shown["payload"]) == ("lifecycle.joiner", "dead", {"person": "P1"})
    assert (shown["attempts"], shown["last_error"]) == (1, "PermanentFailure: UPN taken")
    [attempt] = shown["history"]
    assert {key: attempt[key] for key in ("attempt", "outcome", "error")} == {
        "attempt": 1,
        "outcome": "dead",
        "error": "PermanentFailure: UPN taken",
    }
    assert attempt["started_at"] is not None and attempt["finished_at"] is not None
    assert shown["history_limit"] == 50


def test_job_retry_requeues_a_dead_job_and_refuses_a_queued_one(hub: str) -> None:
    jobs = _setup(hub)

    retried = hirehub("job", "retry", "--id", str(jobs["dead"]))
    refused = hirehub("job", "retry", "--id", str(jobs["queued"]), expect=1)

    assert (retried["status"], retried["attempts"]) == ("queued", 0)
    assert "is queued" in refused["error"]


def test_job_cancel_cancels_a_queued_job_of_any_tenant(hub: str) -> None:
    jobs = _setup(hub)

    assert hirehub("job", "cancel", "--id", str(jobs["elsewhere"]))["status"] == "cancelled"
    assert "is cancelled" in hirehub("job", "cancel", "--id", str(jobs["elsewhere"]), expect=1)["error"]


def test_job_show_of_an_unknown_or_malformed_id_is_refused(hub: str) -> None:
    _setup(hub)

    assert "no job has the id" in hirehub("job", "show", "--id", str(uuid.uuid4()), expect=1)["error"]
    assert "not a job id" in hirehub("job", "show", "--id", "42", expect=1)["error"]


def test_the_queue_commands_answer_the_same_under_jobs(hub: str) -> None:
    jobs = _setup(hub)

    assert hirehub("jobs", "list") == hirehub("job", "list")
    assert hirehub("jobs", "show", "--id", str(jobs["dead"])) == hirehub("job", "show", "--id", str(jobs["dead"]))
    assert hirehub("jobs", "cancel", "--id", str(jobs["queued"]))["status"] == "cancelled"


def test_job_stats_counts_jobs_per_status(hub: str) -> None:
    _setup(hub)

    stats = hirehub("job", "stats")

    assert stats["depth"]["queued"] == 2
    assert stats["depth"]["dead"] == 1
    assert stats["oldest_queued_age_seconds"] >= 0
