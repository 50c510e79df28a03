"""Which records LinkedIn must be sent, for which customer organization: the queue of RSC data sync.

Two things fill it, and one thing empties it:

* **Changes** (incremental sync): every create, update and delete of a recruiting request, position, candidate
  to hire, job application or person reaches the outbox as :class:`~hirehub.hr.record_changes.RecordChanged`;
  :func:`queue_record_change` (the event's route) marks the LinkedIn records it affects as waiting, for every
  organization whose integration is ENABLED, and queues that organization's send job.
* **History** (historical sync, on enablement or on request): :func:`queue_history` walks each kind's records in
  key order, a page at a time, marking them waiting and saving its cursor in the same transaction, so a crash
  resumes after the last page it committed — no record skipped, none marked twice.
* The send job (one per organization, ordered, so batches go one after another) takes waiting records, reads
  their current state and sends it; see :mod:`hirehub.linkedin.data_send`.

What each hub record is at LinkedIn: a recruiting request is a job posting, and a change to its positions or
locations, or to one of those positions, is a change of that posting; a candidate to hire is an ATS candidate; a
job application row is an application to its request's posting, and so — when no row exists for that pair — is the
request a candidate to hire names (the *implied* application, kept under the candidate's id); a person's change is
its candidates' change. Both kinds of application of one pair have the same LinkedIn id, so the sender sends the
row's and lets the implied one go without a call (see :mod:`hirehub.linkedin.data_send`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import utcnow
from hirehub.events.event import DomainEvent
from hirehub.hr.models import (
    CandidateToHire,
    JobApplication,
    Person,
    Position,
    RecruitingRequest,
    RecruitingRequestLocation,
    RecruitingRequestPosition,
)
from hirehub.hr.record_changes import DELETED, RecordChanged
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.jobs.queue import enqueue, lock_ordering_key
from hirehub.linkedin.data_models import KIND_ORDER, HistoricalSync, SyncedRecord, SyncKind, SyncStatus
from hirehub.linkedin.models import Integration, OnboardingStatus

ORGANIZATION_PREFIX = "urn:li:organization:"
SEND = "linkedin.data.send"
"""The job that sends one organization's waiting records (payload: ``{"integration_context": …}``)."""
HISTORY = "linkedin.data.history"
"""The job that queues one organization's history (payload: ``{"integration_context": …}``)."""
HISTORY_YEARS = 2
"""RSC certification asks for at least two years of history (RSC-201..203); older records are not sent."""
PAGE = 500
"""Records queued per transaction of a historical sync (one cursor save each)."""


def ordering_key(integration_context: str) -> str:
    """One organization's send jobs run one at a time, in order: LinkedIn wants batches "in sequential order"."""
    return f"linkedin.data:{integration_context}"


def history_key(integration_context: str) -> str:
    """An organization's history is queued beside its sends, not before them: the send job takes each page as soon
    as it is committed, so LinkedIn's paced calls start while later pages are still being queued."""
    return f"linkedin.history:{integration_context}"


async def enabled_contexts(session: AsyncSession) -> list[str]:
    """The organizations of this tenant with at least one ENABLED integration: data may flow to those only."""
    contexts = await session.scalars(
        select(Integration.integration_context)
        .where(Integration.onboarding_status == OnboardingStatus.ENABLED.value)
        .where(Integration.integration_context.startswith(ORGANIZATION_PREFIX))
        .distinct()
    )
    return sorted(contexts)


async def mark(
    session: AsyncSession, integration_context: str, kind: SyncKind, record_id: uuid.UUID, *, deleted: bool = False
) -> None:
    """The LinkedIn record mirroring ``record_id`` must be sent again (or deleted there)."""
    if not deleted:
        await mark_many(session, integration_context, kind, [record_id])
        return
    row: SyncedRecord | None = await session.scalar(
        select(SyncedRecord).where(
            SyncedRecord.integration_context == integration_context,
            SyncedRecord.kind == kind.value,
            SyncedRecord.record_id == record_id,
        )
    )
    if row is None:
        return
    if row.ats_id is None:  # never reached LinkedIn: nothing to delete there
        await session.delete(row)
        return
    row.status, row.reason, row.changed_at = SyncStatus.DELETE_PENDING.value, None, utcnow()


async def mark_many(
    session: AsyncSession, integration_context: str, kind: SyncKind, record_ids: Sequence[uuid.UUID]
) -> None:
    """:func:`mark` for a page of records (none deleted): one read of those already known, the rest added at once."""
    now = utcnow()
    known = {
        row.record_id: row
        for row in await session.scalars(
            select(SyncedRecord).where(
                SyncedRecord.integration_context == integration_context,
                SyncedRecord.kind == kind.value,
                SyncedRecord.record_id.in_(record_ids),
            )
        )
    }
    for record_id in record_ids:
        row = known.get(record_id)
        if row is None:
            session.add(SyncedRecord(integration_context=integration_context, kind=kind.value, record_id=record_id,
                                     status=SyncStatus.PENDING.value, changed_at=now))  # fmt: skip
        else:
            row.status, row.reason, row.changed_at = SyncStatus.PENDING.value, None, now


async def affected(session: AsyncSession, change: RecordChanged) -> list[tuple[SyncKind, uuid.UUID, bool]]:
    """The LinkedIn records a change of one hub row affects: (kind, hub record, deleted)."""
    gone = change.operation == DELETED
    if change.table == RecruitingRequest.__tablename__:
        implied = await session.scalars(
            select(CandidateToHire.id).where(CandidateToHire.recruiting_request_ref_id == change.record_id)
        )
        explicit = await session.scalars(
            select(JobApplication.id).where(JobApplication.recruiting_request_ref_id == change.record_id)
        )
        applications = [*implied, *explicit]
        postings = [(SyncKind.JOB_POSTING, change.record_id, gone)]
        return postings + [(SyncKind.APPLICATION, record_id, gone) for record_id in applications]
    if change.table in (RecruitingRequestPosition.__tablename__, RecruitingRequestLocation.__tablename__):
        return [(SyncKind.JOB_POSTING, change.owner_id, False)] if change.owner_id is not None else []
    if change.table == Position.__tablename__:
        requests = await session.scalars(
            select(RecruitingRequestPosition.recruiting_request_id)
            .where(RecruitingRequestPosition.position_id == change.record_id)
            .distinct()
        )
        return [(SyncKind.JOB_POSTING, request_id, False) for request_id in requests]
    if change.table == CandidateToHire.__tablename__:
        if gone:
            return [(SyncKind.CANDIDATE, change.record_id, True), (SyncKind.APPLICATION, change.record_id, True)]
        candidate = await _candidate(session, change.record_id)
        applies = candidate is not None and candidate.recruiting_request_ref_id is not None
        rows = await session.scalars(
            select(JobApplication.id).where(JobApplication.candidate_ref_id == change.record_id)
        )
        return [
            (SyncKind.CANDIDATE, change.record_id, False),
            (SyncKind.APPLICATION, change.record_id, not applies),
            *((SyncKind.APPLICATION, row_id, False) for row_id in rows),
        ]
    if change.table == JobApplication.__tablename__:
        return await _application_row_affects(session, change)
    if change.table == Person.__tablename__ and not gone:
        candidates = await session.scalars(
            select(CandidateToHire.id).where(CandidateToHire.person_ref_id == change.record_id)
        )
        return [(SyncKind.CANDIDATE, candidate_id, False) for candidate_id in candidates]
    return []


async def _application_row_affects(
    session: AsyncSession, change: RecordChanged
) -> list[tuple[SyncKind, uuid.UUID, bool]]:
    """A job application row is its own LinkedIn application; its candidate's implied application of the same
    request is looked at again too — it stands aside while the row exists and is sent again once the row is gone."""
    row = None if change.operation == DELETED else await session.get(JobApplication, change.record_id)
    records = [(SyncKind.APPLICATION, change.record_id, row is None)]
    candidate_id = row.candidate_ref_id if row is not None else change.owner_id
    candidate = await _candidate(session, candidate_id) if candidate_id is not None else None
    linked = candidate.recruiting_request_ref_id if candidate is not None else None
    if candidate is not None and linked is not None and (row is None or row.recruiting_request_ref_id == linked):
        records.append((SyncKind.APPLICATION, candidate.id, False))
    return records


async def _candidate(session: AsyncSession, record_id: uuid.UUID) -> CandidateToHire | None:
    found: CandidateToHire | None = await session.scalar(select(CandidateToHire).where(CandidateToHire.id == record_id))
    return found


async def queue_send(session: AsyncSession, integration_context: str) -> None:
    """Queue the organization's send job unless one is already waiting to start (it will see this change too)."""
    key = ordering_key(integration_context)
    await lock_ordering_key(session, key)
    waiting = await session.scalar(
        select(DurableJob.id)
        .where(DurableJob.ordering_key == key, DurableJob.kind == SEND, DurableJob.status == JobStatus.QUEUED.value)
        .limit(1)
    )
    if waiting is None:
        await enqueue(session, SEND, {"integration_context": integration_context}, ordering_key=key)


async def queue_record_change(session: AsyncSession, event: DomainEvent) -> None:
    """The route of :class:`RecordChanged`: mark what LinkedIn must be told, for every enabled organization."""
    assert isinstance(event, RecordChanged)
    contexts = await enabled_contexts(session)
    if not contexts:
        return
    records = await affected(session, event)
    for context in contexts:
        for kind, record_id, deleted in records:
            await mark(session, context, kind, record_id, deleted=deleted)
        if records:
            await queue_send(session, context)


# --- history ------------------------------------------------------------------------------------------------------
def _source(kind: SyncKind) -> Sequence[Any]:
    """The hub tables whose rows are records of ``kind`` (a job posting is a recruiting request; a candidate is a
    candidate to hire; an application is a candidate's link to a request, then a job application row)."""
    if kind is SyncKind.JOB_POSTING:
        return (RecruitingRequest,)
    if kind is SyncKind.APPLICATION:
        return (CandidateToHire, JobApplication)
    return (CandidateToHire,)


IMPLIED_ONLY = and_(
    CandidateToHire.recruiting_request_ref_id.is_not(None),
    ~exists().where(
        JobApplication.candidate_ref_id == CandidateToHire.id,
        JobApplication.recruiting_request_ref_id == CandidateToHire.recruiting_request_ref_id,
    ),
)
"""The candidates whose request is an application of its own: they name one, and no job application row stands
for that pair (the row's history sends it)."""


async def start_history(session: AsyncSession, integration_context: str, *, now: datetime | None = None) -> None:
    """Begin (or begin again) the historical sync of one organization: every kind from the start."""
    for kind in KIND_ORDER:
        run: HistoricalSync | None = await session.scalar(
            select(HistoricalSync).where(
                HistoricalSync.integration_context == integration_context, HistoricalSync.kind == kind.value
            )
        )
        if run is None:
            run = HistoricalSync(integration_context=integration_context, kind=kind.value)
            session.add(run)
        run.cursor, run.queued, run.started_at, run.finished_at = None, 0, now or utcnow(), None
    await enqueue(
        session, HISTORY, {"integration_context": integration_context}, ordering_key=history_key(integration_context)
    )


async def start_history_once(session: AsyncSession, integration_context: str) -> bool:
    """On enablement: the organization's historical sync starts, unless it already did (a second integration of
    the same organization enabled later, a status re-read). Contract contexts (``CSA_API``) carry no data."""
    if not integration_context.startswith(ORGANIZATION_PREFIX):
        return False
    started = await session.scalar(
        select(HistoricalSync.id).where(HistoricalSync.integration_context == integration_context).limit(1)
    )
    if started is not None:
        return False
    await start_history(session, integration_context)
    return True


async def queue_history_page(session: AsyncSession, integration_context: str, *, now: datetime | None = None) -> bool:
    """Mark the next page of history waiting and move the cursor, in the caller's transaction; False when every
    kind is done. A kind's tables are walked one after another, each in (``created_at``, id) order; the cursor
    names the table and the last row queued."""
    runs = {
        run.kind: run
        for run in await session.scalars(
            select(HistoricalSync).where(HistoricalSync.integration_context == integration_context)
        )
    }
    since = (now or utcnow()) - timedelta(days=365 * HISTORY_YEARS + 1)
    for kind in KIND_ORDER:
        run = runs.get(kind.value)
        if run is None or run.finished_at is not None:
            continue
        models = _source(kind)
        names = [model.__tablename__ for model in models]
        table, after = _parse_cursor(run.cursor, names[0])
        for model in models[names.index(table) :]:
            query = select(model.created_at, model.id).where(model.created_at >= since)
            if kind is SyncKind.APPLICATION and model is CandidateToHire:
                query = query.where(IMPLIED_ONLY)
            if after is not None and model.__tablename__ == table:
                query = query.where(tuple_(model.created_at, model.id) > tuple_(*after))
            rows = list(await session.execute(query.order_by(model.created_at, model.id).limit(PAGE)))
            if rows:
                await mark_many(session, integration_context, kind, [record_id for _created_at, record_id in rows])
                last_created, last_id = rows[-1]
                run.cursor = f"{model.__tablename__}|{last_created.isoformat()}|{last_id}"
                run.queued += len(rows)
                return True
        run.finished_at = now or utcnow()
    return False


def _parse_cursor(cursor: str | None, first_table: str) -> tuple[str, tuple[datetime, uuid.UUID] | None]:
    """The table a walk is in and the last row it queued there (None: from the table's start)."""
    if not cursor:
        return first_table, None
    table, created_at, record_id = cursor.split("|")
    return table, (datetime.fromisoformat(created_at), uuid.UUID(record_id))
