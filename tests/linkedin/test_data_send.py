"""RSC data sync end to end against LinkedIn's emulator: once a customer's integration is ENABLED, its history
reaches LinkedIn (jobs, candidates, applications), then every change as it happens; LinkedIn's answer is kept per
record, a record that cannot be sent correctly is reported instead, and the daily quota is never passed."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from hirehub.bootstrap import event_routes
from hirehub.db.base import utcnow
from hirehub.events.dispatch import OutboxDispatcher
from hirehub.hr import services
from hirehub.hr.models import CandidateToHire, RecruitingRequest, RecruitingRequestLocation
from hirehub.hr.models.options import RecruitingRequestStatus
from hirehub.jobs.models import DurableJob
from hirehub.linkedin import data_queue, data_status
from hirehub.linkedin.data_models import QuotaUsage, SyncedRecord, SyncKind, SyncStatus
from hirehub.linkedin.data_send import DAILY_REQUESTS, TASK_POLL
from hirehub.linkedin.models import CustomerApp
from tests.linkedin.conftest import LinkedIn
from tests.linkedin.test_end_to_end import EXPORT, ORGANIZATION, _onboarded

APPLY_URL = "https://careers.contoso.example/jobs/{id}"


async def _hr(linkedin: LinkedIn, tenant_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """Two approved requests (one with no location LinkedIn can read) and two candidates, one recruited through the
    first request."""
    async with linkedin.database.tenant_transaction(tenant_id) as session:
        app = await session.scalar(select(CustomerApp))
        assert app is not None
        app.apply_url_template = APPLY_URL
        listed = RecruitingRequest(
            recruiting_request_id="RR-1", description="Payroll specialist for the Berlin office",
            title_id="Payroll specialist", status=RecruitingRequestStatus.APPROVED,
        )  # fmt: skip
        nowhere = RecruitingRequest(
            recruiting_request_id="RR-2", description="Somewhere", title_id="Analyst",
            status=RecruitingRequestStatus.APPROVED,
        )  # fmt: skip
        session.add_all([listed, nowhere])
        await session.flush()
        session.add(RecruitingRequestLocation(recruiting_request_id=listed.id, location="Berlin, Germany"))
        applicant = await services.create_candidate(
            session, services.NewCandidate(first_name="Amara", last_name="Okafor", email="amara@mail.example")
        )
        other = await services.create_candidate(
            session, services.NewCandidate(first_name="Bo", last_name="Berg", email="bo@mail.example")
        )
        await session.flush()
        applicant.recruiting_request_ref_id, applicant.recruiting_request_id = listed.id, "RR-1"
        return {"listed": listed.id, "nowhere": nowhere.id, "applicant": applicant.id, "other": other.id}


async def _enabled_with_history(linkedin: LinkedIn) -> tuple[uuid.UUID, dict[str, uuid.UUID]]:
    tenant_id = await _onboarded(linkedin)
    records = await _hr(linkedin, tenant_id)
    linkedin.world.data.task_delay = 0
    await linkedin.world.enable(EXPORT)
    await _settle(linkedin)
    return tenant_id, records


async def _settle(linkedin: LinkedIn) -> None:
    """Dispatch the outbox and run every job, including the task reads queued a few seconds ahead."""
    for _ in range(4):
        await OutboxDispatcher(linkedin.database, event_routes())()
        await linkedin.run_jobs(rounds=40)
        await linkedin.run_jobs(at=utcnow() + TASK_POLL * 2, rounds=40)


async def _states(linkedin: LinkedIn, tenant_id: uuid.UUID) -> dict[tuple[str, uuid.UUID], SyncedRecord]:
    async with linkedin.database.tenant_session(tenant_id) as session:
        return {(row.kind, row.record_id): row for row in await session.scalars(select(SyncedRecord))}


async def test_on_enablement_the_history_reaches_linkedin_and_each_record_keeps_linkedins_answer(
    linkedin: LinkedIn,
) -> None:
    tenant_id, records = await _enabled_with_history(linkedin)

    states = await _states(linkedin, tenant_id)
    posting = linkedin.world.data.posting(ORGANIZATION, "RR-1")
    assert posting is not None and posting.state == "LISTED"
    assert posting.element["companyApplyUrl"] == "https://careers.contoso.example/jobs/RR-1"
    assert states[(SyncKind.JOB_POSTING, records["listed"])].status == SyncStatus.SYNCED
    refused = states[(SyncKind.JOB_POSTING, records["nowhere"])]
    assert refused.status == SyncStatus.REFUSED and refused.reason is not None and "location" in refused.reason
    assert linkedin.world.data.posting(ORGANIZATION, "RR-2") is None  # reported, never sent wrong

    async with linkedin.database.tenant_session(tenant_id) as session:
        ids = {row.id: row.candidate_id for row in await session.scalars(select(CandidateToHire))}
    for name in ("applicant", "other"):
        assert states[(SyncKind.CANDIDATE, records[name])].status == SyncStatus.SYNCED
        assert linkedin.world.data.candidate(ORGANIZATION, ids[records[name]]) is not None
    application = states[(SyncKind.APPLICATION, records["applicant"])]
    assert application.status == SyncStatus.SYNCED
    assert linkedin.world.data.application(ORGANIZATION, str(application.ats_id)) is not None
    assert (SyncKind.APPLICATION, records["other"]) not in states


async def test_matches_linkedin_found_are_stored_with_the_candidate(linkedin: LinkedIn) -> None:
    tenant_id = await _onboarded(linkedin)
    member = linkedin.world.data.add_member("Amara", "Okafor", emails=["amara@mail.example"])
    records = await _hr(linkedin, tenant_id)
    await linkedin.world.enable(EXPORT)
    await _settle(linkedin)

    states = await _states(linkedin, tenant_id)

    assert states[(SyncKind.CANDIDATE, records["applicant"])].matched_members == [member.urn]
    assert states[(SyncKind.CANDIDATE, records["other"])].matched_members == []


async def test_every_later_change_and_delete_reaches_linkedin_as_it_happens(linkedin: LinkedIn) -> None:
    tenant_id, records = await _enabled_with_history(linkedin)
    async with linkedin.database.tenant_session(tenant_id) as session:
        other_id = await session.scalar(
            select(CandidateToHire.candidate_id).where(CandidateToHire.id == records["other"])
        )
    assert other_id is not None

    async with linkedin.database.tenant_transaction(tenant_id) as session:
        other = await session.get(CandidateToHire, records["other"])
        assert other is not None
        other.last_name = "Berg-Lund"
    await _settle(linkedin)
    stored = linkedin.world.data.candidate(ORGANIZATION, other_id)
    assert stored is not None and stored["lastName"] == "Berg-Lund"

    async with linkedin.database.tenant_transaction(tenant_id) as session:
        await session.delete(await session.get(CandidateToHire, records["other"]))
    await _settle(linkedin)

    assert linkedin.world.data.candidate(ORGANIZATION, other_id) is None
    assert (await _states(linkedin, tenant_id))[(SyncKind.CANDIDATE, records["other"])].status == SyncStatus.DELETED


async def test_a_change_that_leaves_the_payload_as_linkedin_holds_it_sends_nothing(linkedin: LinkedIn) -> None:
    tenant_id, records = await _enabled_with_history(linkedin)
    sent_before = len(linkedin.wire.sent)

    async with linkedin.database.tenant_transaction(tenant_id) as session:
        candidate = await session.get(CandidateToHire, records["other"])
        assert candidate is not None
        candidate.is_willing_to_relocate = True  # not something LinkedIn holds
    await _settle(linkedin)

    sent = [request for request in linkedin.wire.sent[sent_before:] if "/atsCandidates" in request.url]
    assert sent == []
    assert (await _states(linkedin, tenant_id))[(SyncKind.CANDIDATE, records["other"])].status == SyncStatus.SYNCED


async def test_the_daily_quota_is_never_passed_the_send_waits_for_midnight_utc(linkedin: LinkedIn) -> None:
    tenant_id = await _onboarded(linkedin)
    records = await _hr(linkedin, tenant_id)
    linkedin.world.data.task_delay = 0
    async with linkedin.database.tenant_transaction(tenant_id) as session:
        app = await session.scalar(select(CustomerApp))
        assert app is not None
        for resource in ("simpleJobPostings", "atsCandidates", "atsApplications"):
            session.add(QuotaUsage(client_id=app.client_id, resource=resource, day=utcnow().date(),
                                   requests=DAILY_REQUESTS))  # fmt: skip
    await linkedin.world.enable(EXPORT)
    await OutboxDispatcher(linkedin.database, event_routes())()
    await linkedin.run_jobs(rounds=40)

    states = await _states(linkedin, tenant_id)
    assert states[(SyncKind.CANDIDATE, records["other"])].status == SyncStatus.PENDING
    assert linkedin.world.data.candidate(ORGANIZATION, "x") is None
    async with linkedin.database.tenant_session(tenant_id) as session:
        waiting = list(
            await session.scalars(
                select(DurableJob.run_at).where(DurableJob.kind == data_queue.SEND, DurableJob.status == "queued")
            )
        )
    assert len(waiting) == 1 and waiting[0].date() > utcnow().date()


async def test_the_status_counts_what_was_synced_shows_refusals_and_a_resync_sends_only_what_changed(
    linkedin: LinkedIn,
) -> None:
    tenant_id, records = await _enabled_with_history(linkedin)

    async with linkedin.database.tenant_session(tenant_id) as session:
        status = await data_status.sync_status(session)

    [organization] = status["organizations"]
    assert organization["integration_context"] == ORGANIZATION and organization["history"]["state"] == "done"
    assert organization["records"]["candidate"] == {"synced": 2}
    assert organization["records"]["job_posting"] == {"synced": 1, "refused": 1}
    assert [refusal["ats_id"] for refusal in organization["refused"]] == [None]
    assert "location" in organization["refused"][0]["reason"]
    assert organization["last_run"]["status"] == "succeeded"
    assert status["quota_today"]["atsCandidates"] >= 1

    async with linkedin.database.tenant_transaction(tenant_id) as session:
        location = RecruitingRequestLocation(recruiting_request_id=records["nowhere"], location="Hamburg, Germany")
        session.add(location)
    async with linkedin.database.tenant_transaction(tenant_id) as session:
        assert await data_status.resync(session) == {"queued": [ORGANIZATION]}
    sent_before = len(linkedin.wire.sent)
    await _settle(linkedin)

    posting = linkedin.world.data.posting(ORGANIZATION, "RR-2")
    assert posting is not None and posting.element["location"] == "Hamburg, Germany"
    resent = [request for request in linkedin.wire.sent[sent_before:] if "/atsCandidates" in request.url]
    assert resent == []  # unchanged candidates are not sent twice


async def test_the_console_page_shows_what_reached_linkedin_and_why_a_record_did_not(linkedin: LinkedIn) -> None:
    await _enabled_with_history(linkedin)  # signed in as the tenant's administrator

    page = await linkedin.hub.get("/console/linkedin-sync/")

    assert page.status_code == 200
    assert f'data-organization="{ORGANIZATION}"' in page.text and "location" in page.text
    row = re.search(r'<tr data-kind="candidate">(.*?)</tr>', page.text, re.S)
    assert row is not None and re.findall(r"<td>(\w+)</td>", row.group(1))[:2] == ["Candidates", "2"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    refused = await linkedin.hub.post(
        "/console/linkedin-sync/settings",
        data={"apply_url_template": "ftp://x/{id}", "csrf_token": token.group(1)},
    )
    assert refused.status_code == 400 and "absolute http(s) URL" in refused.text

    again = await linkedin.hub.post(
        "/console/linkedin-sync/run", data={"organization": ORGANIZATION, "csrf_token": token.group(1)}
    )

    assert again.status_code == 303 and "Sync+queued" in again.headers["location"]
