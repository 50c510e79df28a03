"""Job applications at LinkedIn: each job application row is an ``atsApplications`` record with its source and
stage, under the id an application implied by the candidate's own request has — so one pair of candidate and
request is one LinkedIn application however the hub knows it, and deleting one of the two leaves it standing."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from hirehub.hr.models import CandidateToHire, JobApplication
from hirehub.linkedin.data_models import SyncKind, SyncStatus
from tests.linkedin.conftest import LinkedIn
from tests.linkedin.test_data_send import _hr, _settle, _states
from tests.linkedin.test_end_to_end import EXPORT, ORGANIZATION, _onboarded


async def _apply(
    linkedin: LinkedIn,
    tenant_id: uuid.UUID,
    candidate: uuid.UUID,
    request: uuid.UUID,
    application_id: str,
    **values: str,
) -> uuid.UUID:
    async with linkedin.database.tenant_transaction(tenant_id) as session:
        row = JobApplication(
            application_id=application_id, candidate_ref_id=candidate, recruiting_request_ref_id=request, **values
        )
        session.add(row)
        await session.flush()
        return row.id


async def _candidate_ids(linkedin: LinkedIn, tenant_id: uuid.UUID) -> dict[uuid.UUID, str]:
    async with linkedin.database.tenant_session(tenant_id) as session:
        return {row.id: row.candidate_id for row in await session.scalars(select(CandidateToHire))}


def _deletes(linkedin: LinkedIn) -> int:
    return len([r for r in linkedin.wire.sent if "/atsApplications" in r.url and r.method == "DELETE"])


def _applications(linkedin: LinkedIn) -> dict[str, dict[str, object]]:
    return {ats_id: record for (context, ats_id), record in linkedin.world.data.applications.items()
            if context == ORGANIZATION}  # fmt: skip


async def test_the_history_sends_every_job_application_once_per_pair_with_its_source(linkedin: LinkedIn) -> None:
    tenant_id = await _onboarded(linkedin)
    records = await _hr(linkedin, tenant_id)  # the applicant names RR-1 (listed) itself
    applicant, other, listed, nowhere = records["applicant"], records["other"], records["listed"], records["nowhere"]
    same = await _apply(linkedin, tenant_id, applicant, listed, "APP-1", source="LinkedIn")
    await _apply(linkedin, tenant_id, other, listed, "APP-2", source="Referral")
    await _apply(linkedin, tenant_id, applicant, nowhere, "APP-3")
    ids = await _candidate_ids(linkedin, tenant_id)
    linkedin.world.data.task_delay = 0

    await linkedin.world.enable(EXPORT)
    await _settle(linkedin)

    sent = _applications(linkedin)
    assert set(sent) == {f"RR-1/{ids[applicant]}", f"RR-1/{ids[other]}", f"RR-2/{ids[applicant]}"}
    assert sent[f"RR-1/{ids[applicant]}"]["source"] == "LinkedIn"
    assert sent[f"RR-1/{ids[other]}"]["source"] == "Referral"
    assert sent[f"RR-2/{ids[applicant]}"]["source"] is None
    states = await _states(linkedin, tenant_id)
    assert states[(SyncKind.APPLICATION, same)].status == SyncStatus.SYNCED
    assert (SyncKind.APPLICATION, applicant) not in states  # its RR-1 application is the row's


async def test_a_row_joining_an_implied_application_updates_it_and_its_deletion_leaves_the_implied_one(
    linkedin: LinkedIn,
) -> None:
    tenant_id = await _onboarded(linkedin)
    records = await _hr(linkedin, tenant_id)
    linkedin.world.data.task_delay = 0
    await linkedin.world.enable(EXPORT)
    await _settle(linkedin)
    ats_id = f"RR-1/{(await _candidate_ids(linkedin, tenant_id))[records['applicant']]}"
    assert _applications(linkedin)[ats_id]["source"] is None  # implied: the candidate names RR-1
    deletes_before = _deletes(linkedin)

    row = await _apply(linkedin, tenant_id, records["applicant"], records["listed"], "APP-1", source="LinkedIn")
    await _settle(linkedin)

    assert _applications(linkedin)[ats_id]["source"] == "LinkedIn"
    states = await _states(linkedin, tenant_id)
    assert states[(SyncKind.APPLICATION, row)].ats_id == ats_id
    assert states[(SyncKind.APPLICATION, records["applicant"])].status == SyncStatus.DELETED  # let go, no call

    async with linkedin.database.tenant_transaction(tenant_id) as session:
        await session.delete(await session.get(JobApplication, row))
    await _settle(linkedin)

    assert _applications(linkedin)[ats_id]["source"] is None  # the candidate's own request still applies
    assert _deletes(linkedin) == deletes_before
    states = await _states(linkedin, tenant_id)
    assert states[(SyncKind.APPLICATION, row)].status == SyncStatus.DELETED
    assert states[(SyncKind.APPLICATION, records["applicant"])].status == SyncStatus.SYNCED


async def test_deleting_the_only_application_of_a_pair_deletes_it_at_linkedin(linkedin: LinkedIn) -> None:
    tenant_id = await _onboarded(linkedin)
    records = await _hr(linkedin, tenant_id)
    row = await _apply(linkedin, tenant_id, records["other"], records["listed"], "APP-2", source="Referral")
    linkedin.world.data.task_delay = 0
    await linkedin.world.enable(EXPORT)
    await _settle(linkedin)
    ats_id = f"RR-1/{(await _candidate_ids(linkedin, tenant_id))[records['other']]}"
    assert ats_id in _applications(linkedin)
    deletes_before = _deletes(linkedin)

    async with linkedin.database.tenant_transaction(tenant_id) as session:
        await session.delete(await session.get(JobApplication, row))
    await _settle(linkedin)

    assert ats_id not in _applications(linkedin) and _deletes(linkedin) == deletes_before + 1
    assert (await _states(linkedin, tenant_id))[(SyncKind.APPLICATION, row)].status == SyncStatus.DELETED


async def test_the_stage_a_row_names_reaches_linkedin_when_it_changes(linkedin: LinkedIn) -> None:
    tenant_id = await _onboarded(linkedin)
    records = await _hr(linkedin, tenant_id)
    row = await _apply(linkedin, tenant_id, records["other"], records["listed"], "APP-2", stage="Applied")
    linkedin.world.data.task_delay = 0
    await linkedin.world.enable(EXPORT)
    await _settle(linkedin)
    ats_id = f"RR-1/{(await _candidate_ids(linkedin, tenant_id))[records['other']]}"

    async with linkedin.database.tenant_transaction(tenant_id) as session:
        application = await session.get(JobApplication, row)
        assert application is not None
        application.stage = "Interview"
    await _settle(linkedin)

    stages = linkedin.world.data.stages[(ORGANIZATION, ats_id)]
    assert [stage["stage"] for stage in stages.values()] == ["Interview"]  # the first sync sends no stage
    assert (await _states(linkedin, tenant_id))[(SyncKind.APPLICATION, row)].stage == "Interview"
