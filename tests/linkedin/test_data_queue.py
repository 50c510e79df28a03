"""RSC data sync's queue: every committed change of a recruiting record marks what LinkedIn must be told, for the
customer's enabled organizations only; a historical sync walks two years of records page by page and resumes after
a crash without skipping or repeating."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from hirehub.bootstrap import event_routes
from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.events.dispatch import OutboxDispatcher
from hirehub.events.outbox import OutboxEvent
from hirehub.hr import services
from hirehub.hr.models import CandidateToHire, JobApplication, RecruitingRequest, RecruitingRequestLocation
from hirehub.hr.record_changes import RecordChanged
from hirehub.jobs.models import DurableJob
from hirehub.linkedin import data_queue
from hirehub.linkedin.data_models import HistoricalSync, SyncedRecord, SyncKind, SyncStatus
from hirehub.linkedin.models import Integration
from hirehub.tenancy import service as tenancy

ORGANIZATION = "urn:li:organization:4gX03uw"


@pytest.fixture
async def tenant_id(database: Database) -> uuid.UUID:
    async with database.system_transaction() as session:
        return (await tenancy.create_tenant(session, name="Contoso", domain="contoso.example")).id


async def _enable(database: Database, tenant_id: uuid.UUID, context: str = ORGANIZATION) -> None:
    async with database.tenant_transaction(tenant_id) as session:
        session.add(
            Integration(
                integration_context=context, integration_type="IN_ATS_INDICATOR", tenant_type="RECRUITER",
                integration_name="In-ATS indicator", onboarding_status="ENABLED",
            )
        )  # fmt: skip


async def _candidate(database: Database, tenant_id: uuid.UUID, first_name: str = "Amara") -> uuid.UUID:
    async with database.tenant_transaction(tenant_id) as session:
        candidate = await services.create_candidate(
            session, services.NewCandidate(first_name=first_name, last_name="Okafor", email="a@mail.example")
        )
        await session.flush()
        return candidate.id


async def _changes(database: Database, tenant_id: uuid.UUID) -> list[tuple[str, str]]:
    async with database.tenant_session(tenant_id) as session:
        rows = await session.scalars(
            select(OutboxEvent).where(OutboxEvent.type == RecordChanged.name).order_by(OutboxEvent.position)
        )
        return [(row.payload["table"], row.payload["operation"]) for row in rows]


async def _records(database: Database, tenant_id: uuid.UUID) -> dict[tuple[str, uuid.UUID], str]:
    async with database.tenant_session(tenant_id) as session:
        rows = await session.scalars(select(SyncedRecord))
        return {(row.kind, row.record_id): row.status for row in rows}


async def _send_jobs(database: Database, tenant_id: uuid.UUID) -> int:
    async with database.tenant_session(tenant_id) as session:
        count = await session.scalar(
            select(func.count()).select_from(DurableJob).where(DurableJob.kind == data_queue.SEND)
        )
        return int(count or 0)


async def test_creating_updating_and_deleting_a_candidate_is_reported_through_the_outbox(
    database: Database, tenant_id: uuid.UUID
) -> None:
    candidate_id = await _candidate(database, tenant_id)
    async with database.tenant_transaction(tenant_id) as session:
        candidate = await session.get(CandidateToHire, candidate_id)
        assert candidate is not None
        candidate.phone = "+49 30 1"
    async with database.tenant_transaction(tenant_id) as session:
        candidate = await session.get(CandidateToHire, candidate_id)
        await session.delete(candidate)

    changes = await _changes(database, tenant_id)

    assert ("hr_candidate_to_hire", "created") in changes and ("hr_person", "created") in changes
    assert changes[-2:] == [("hr_candidate_to_hire", "updated"), ("hr_candidate_to_hire", "deleted")]


async def test_a_change_that_rolls_back_or_changes_nothing_reports_nothing(
    database: Database, tenant_id: uuid.UUID
) -> None:
    candidate_id = await _candidate(database, tenant_id)
    before = await _changes(database, tenant_id)
    with pytest.raises(RuntimeError):
        async with database.tenant_transaction(tenant_id) as session:
            candidate = await session.get(CandidateToHire, candidate_id)
            assert candidate is not None
            candidate.phone = "+49 30 2"
            await session.flush()
            raise RuntimeError("rolled back")
    async with database.tenant_transaction(tenant_id) as session:
        candidate = await session.get(CandidateToHire, candidate_id)
        assert candidate is not None
        candidate.first_name = candidate.first_name  # the same value: not a change

    assert await _changes(database, tenant_id) == before


async def test_changes_mark_the_records_linkedin_must_be_sent_once_per_enabled_organization(
    database: Database, tenant_id: uuid.UUID
) -> None:
    await _enable(database, tenant_id)
    await _enable(database, tenant_id, "urn:li:contract:77")  # a contract carries no data
    first, second = await _candidate(database, tenant_id), await _candidate(database, tenant_id, "Bo")

    await OutboxDispatcher(database, event_routes())()

    records = await _records(database, tenant_id)
    assert records[(SyncKind.CANDIDATE, first)] == records[(SyncKind.CANDIDATE, second)] == SyncStatus.PENDING
    assert (SyncKind.APPLICATION, first) not in records  # recruited through no request: no application
    assert await _send_jobs(database, tenant_id) == 1  # one send job waits for all of it


async def test_nothing_is_queued_for_a_customer_without_an_enabled_integration(
    database: Database, tenant_id: uuid.UUID
) -> None:
    await _candidate(database, tenant_id)

    await OutboxDispatcher(database, event_routes())()

    assert await _records(database, tenant_id) == {} and await _send_jobs(database, tenant_id) == 0


async def test_a_location_of_a_recruiting_request_marks_its_job_posting_and_a_deleted_record_is_deleted_there(
    database: Database, tenant_id: uuid.UUID
) -> None:
    await _enable(database, tenant_id)
    async with database.tenant_transaction(tenant_id) as session:
        request = RecruitingRequest(recruiting_request_id="RR-1")
        session.add(request)
    await OutboxDispatcher(database, event_routes())()
    async with database.tenant_transaction(tenant_id) as session:  # LinkedIn holds it now
        await session.execute(update(SyncedRecord).values(status=SyncStatus.SYNCED.value, ats_id="RR-1"))
    async with database.tenant_transaction(tenant_id) as session:
        session.add(RecruitingRequestLocation(recruiting_request_id=request.id, location="Berlin, Germany"))
    await OutboxDispatcher(database, event_routes())()
    assert (await _records(database, tenant_id))[(SyncKind.JOB_POSTING, request.id)] == SyncStatus.PENDING

    async with database.tenant_transaction(tenant_id) as session:
        await session.execute(update(SyncedRecord).values(status=SyncStatus.SYNCED.value))
        for location in await session.scalars(select(RecruitingRequestLocation)):
            await session.delete(location)
        await session.delete(await session.get(RecruitingRequest, request.id))
    await OutboxDispatcher(database, event_routes())()

    assert (await _records(database, tenant_id))[(SyncKind.JOB_POSTING, request.id)] == SyncStatus.DELETE_PENDING


async def test_a_history_walks_two_years_page_by_page_and_resumes_after_a_crash_without_gaps_or_repeats(
    database: Database, tenant_id: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data_queue, "PAGE", 2)
    candidates = [await _candidate(database, tenant_id, f"C{index}") for index in range(5)]
    async with database.tenant_transaction(tenant_id) as session:
        old = await session.get(CandidateToHire, candidates[0])
        assert old is not None
        old.created_at = utcnow() - timedelta(days=3 * 365)  # older than the two years RSC asks for
        session.add_all([RecruitingRequest(recruiting_request_id=f"RR-{index}") for index in range(3)])
    async with database.tenant_transaction(tenant_id) as session:
        await data_queue.start_history(session, ORGANIZATION)
        assert await data_queue.queue_history_page(session, ORGANIZATION)  # the first page commits…
    with pytest.raises(RuntimeError):
        async with database.tenant_transaction(tenant_id) as session:  # …the second is lost in a crash
            assert await data_queue.queue_history_page(session, ORGANIZATION)
            raise RuntimeError("the runner died")

    pages = 0
    while True:  # the job taken up again
        async with database.tenant_transaction(tenant_id) as session:
            if not await data_queue.queue_history_page(session, ORGANIZATION):
                break
        pages += 1

    records = await _records(database, tenant_id)
    assert sorted(kind for kind, _ in records) == [SyncKind.CANDIDATE] * 4 + [SyncKind.JOB_POSTING] * 3
    assert (SyncKind.CANDIDATE, candidates[0]) not in records
    async with database.tenant_session(tenant_id) as session:
        runs = {run.kind: run for run in await session.scalars(select(HistoricalSync))}
    assert runs[SyncKind.CANDIDATE].queued == 4 and runs[SyncKind.JOB_POSTING].queued == 3
    assert all(run.finished_at is not None for run in runs.values())


async def test_enabling_an_organization_starts_its_history_once(database: Database, tenant_id: uuid.UUID) -> None:
    async with database.tenant_transaction(tenant_id) as session:
        assert await data_queue.start_history_once(session, ORGANIZATION)
        assert not await data_queue.start_history_once(session, ORGANIZATION)
        assert not await data_queue.start_history_once(session, "urn:li:contract:77")
        jobs = await session.scalar(
            select(func.count()).select_from(DurableJob).where(DurableJob.kind == data_queue.HISTORY)
        )
    assert jobs == 1


async def _request(database: Database, tenant_id: uuid.UUID, request_id: str) -> uuid.UUID:
    async with database.tenant_transaction(tenant_id) as session:
        request = RecruitingRequest(recruiting_request_id=request_id)
        session.add(request)
        await session.flush()
        return request.id


async def _link(database: Database, tenant_id: uuid.UUID, candidate_id: uuid.UUID, request_id: uuid.UUID) -> None:
    """The candidate names the request it was recruited through (the implied application)."""
    async with database.tenant_transaction(tenant_id) as session:
        candidate = await session.get(CandidateToHire, candidate_id)
        request = await session.get(RecruitingRequest, request_id)
        assert candidate is not None and request is not None
        candidate.recruiting_request_ref_id, candidate.recruiting_request_id = request.id, request.recruiting_request_id


async def _apply(
    database: Database, tenant_id: uuid.UUID, candidate_id: uuid.UUID, request_id: uuid.UUID, application_id: str
) -> uuid.UUID:
    async with database.tenant_transaction(tenant_id) as session:
        row = JobApplication(
            application_id=application_id, candidate_ref_id=candidate_id, recruiting_request_ref_id=request_id
        )
        session.add(row)
        await session.flush()
        return row.id


async def test_creating_updating_and_deleting_a_job_application_is_reported_naming_its_candidate(
    database: Database, tenant_id: uuid.UUID
) -> None:
    candidate_id, request_id = await _candidate(database, tenant_id), await _request(database, tenant_id, "RR-1")
    row_id = await _apply(database, tenant_id, candidate_id, request_id, "APP-1")
    async with database.tenant_transaction(tenant_id) as session:
        row = await session.get(JobApplication, row_id)
        assert row is not None
        row.stage = "Interview"
    async with database.tenant_transaction(tenant_id) as session:
        await session.delete(await session.get(JobApplication, row_id))

    async with database.tenant_session(tenant_id) as session:
        events = [
            event.payload
            for event in await session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))
            if event.type == RecordChanged.name and event.payload["table"] == "hr_job_application"
        ]

    assert [event["operation"] for event in events] == ["created", "updated", "deleted"]
    assert {event["record_id"] for event in events} == {str(row_id)}
    assert {event["owner_id"] for event in events} == {str(candidate_id)}


async def test_a_job_application_is_an_application_of_its_own_and_the_candidates_implied_one_is_looked_at_again(
    database: Database, tenant_id: uuid.UUID
) -> None:
    await _enable(database, tenant_id)
    candidate_id = await _candidate(database, tenant_id)
    first, second = await _request(database, tenant_id, "RR-1"), await _request(database, tenant_id, "RR-2")
    await _link(database, tenant_id, candidate_id, first)
    await OutboxDispatcher(database, event_routes())()
    async with database.tenant_transaction(tenant_id) as session:
        await session.execute(update(SyncedRecord).values(status=SyncStatus.SYNCED.value))

    same = await _apply(database, tenant_id, candidate_id, first, "APP-1")
    other = await _apply(database, tenant_id, candidate_id, second, "APP-2")
    await OutboxDispatcher(database, event_routes())()

    records = await _records(database, tenant_id)
    assert records[(SyncKind.APPLICATION, same)] == records[(SyncKind.APPLICATION, other)] == SyncStatus.PENDING
    assert records[(SyncKind.APPLICATION, candidate_id)] == SyncStatus.PENDING  # the row for RR-1 stands for it


async def test_a_change_of_the_candidate_marks_each_of_its_job_applications(
    database: Database, tenant_id: uuid.UUID
) -> None:
    await _enable(database, tenant_id)
    candidate_id = await _candidate(database, tenant_id)
    rows = [
        await _apply(database, tenant_id, candidate_id, await _request(database, tenant_id, f"RR-{i}"), f"APP-{i}")
        for i in range(2)
    ]
    await OutboxDispatcher(database, event_routes())()
    async with database.tenant_transaction(tenant_id) as session:
        await session.execute(update(SyncedRecord).values(status=SyncStatus.SYNCED.value))
        candidate = await session.get(CandidateToHire, candidate_id)
        assert candidate is not None
        candidate.last_name = "Okafor-Berg"  # the applications carry the candidate's names

    await OutboxDispatcher(database, event_routes())()

    records = await _records(database, tenant_id)
    assert [records[(SyncKind.APPLICATION, row)] for row in rows] == [SyncStatus.PENDING] * 2


async def test_a_deleted_job_application_is_deleted_at_linkedin_and_the_implied_one_it_stood_for_sent_again(
    database: Database, tenant_id: uuid.UUID
) -> None:
    await _enable(database, tenant_id)
    candidate_id = await _candidate(database, tenant_id)
    request_id = await _request(database, tenant_id, "RR-1")
    await _link(database, tenant_id, candidate_id, request_id)
    row_id = await _apply(database, tenant_id, candidate_id, request_id, "APP-1")
    await OutboxDispatcher(database, event_routes())()
    async with database.tenant_transaction(tenant_id) as session:  # LinkedIn holds it now
        await session.execute(
            update(SyncedRecord).values(status=SyncStatus.SYNCED.value, ats_id=f"RR-1/{candidate_id}")
        )
        await session.delete(await session.get(JobApplication, row_id))

    await OutboxDispatcher(database, event_routes())()

    records = await _records(database, tenant_id)
    assert records[(SyncKind.APPLICATION, row_id)] == SyncStatus.DELETE_PENDING
    assert records[(SyncKind.APPLICATION, candidate_id)] == SyncStatus.PENDING


async def test_a_history_walks_implied_applications_then_job_applications_and_resumes_after_a_crash_exactly(
    database: Database, tenant_id: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data_queue, "PAGE", 2)
    requests = [await _request(database, tenant_id, f"RR-{i}") for i in range(2)]
    candidates = [await _candidate(database, tenant_id, f"C{i}") for i in range(4)]
    for candidate_id in candidates[:3]:
        await _link(database, tenant_id, candidate_id, requests[0])  # three implied applications to RR-0…
    rows = [
        await _apply(database, tenant_id, candidates[0], requests[0], "APP-0"),  # …one of them a row too
        *[await _apply(database, tenant_id, c, requests[1], f"APP-{i + 1}") for i, c in enumerate(candidates)],
    ]
    async with database.tenant_transaction(tenant_id) as session:
        await data_queue.start_history(session, ORGANIZATION)
    for _ in range(4):  # postings (1 page), candidates (2), the first page of applications
        async with database.tenant_transaction(tenant_id) as session:
            assert await data_queue.queue_history_page(session, ORGANIZATION)
    with pytest.raises(RuntimeError):
        async with database.tenant_transaction(tenant_id) as session:  # the next page is lost in a crash
            assert await data_queue.queue_history_page(session, ORGANIZATION)
            raise RuntimeError("the runner died")
    while True:
        async with database.tenant_transaction(tenant_id) as session:
            if not await data_queue.queue_history_page(session, ORGANIZATION):
                break

    records = await _records(database, tenant_id)
    applications = {record_id for kind, record_id in records if kind == SyncKind.APPLICATION}
    assert applications == {candidates[1], candidates[2], *rows}  # candidates[0]'s RR-0 is its row
    async with database.tenant_session(tenant_id) as session:
        run = await session.scalar(select(HistoricalSync).where(HistoricalSync.kind == SyncKind.APPLICATION.value))
    assert run is not None and run.queued == 7 and run.finished_at is not None
