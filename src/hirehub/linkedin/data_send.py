"""Sending one organization's waiting records to LinkedIn: the ``linkedin.data.send`` job.

Kinds go in the order LinkedIn needs them (job postings, candidates, applications: an application names both), a
batch of at most 100 records at a time, one batch after another (the job runs under the organization's ordering
key, and :mod:`hirehub.linkedin.data_client` paces each resource hub-wide). For every record:

* its **current** state is read and mapped (:mod:`hirehub.linkedin.sync_data`); a record that cannot be sent
  correctly is marked ``refused`` with every problem, never sent wrong; one whose payload is what LinkedIn already
  holds (same digest) is not sent again;
* LinkedIn's answer is stored per record: ``synced``, ``refused`` with LinkedIn's own message (a 4xx for that
  record), or left waiting after a 5xx/429 for that record — retried alone in a later run, not with its batch;
* job postings are asynchronous: a posting is ``sent`` with its task URN until the task says SUCCEEDED or FAILED;
  a run that leaves tasks in progress queues the next run a few seconds later to read them;
* candidates just synced have their LinkedIn matches read back and stored (*Retrieve Candidate Matches*);
* an application's stage costs a call of its own (*Sync Application Stages* takes one application per call), so it
  is sent only when it changed: see :func:`stage_to_send`;
* an application is a job application row, or a candidate's own request when no row exists for that pair (the
  *implied* one). The two share their LinkedIn id, so an implied application a row now stands for is let go without
  a call, and the deletion of either is sent only when no application of that pair is left in the hub.

Daily quotas (100,000 requests a UTC day per application for candidates, and for applications) are counted in the
database before each call; a run that would pass one stops and queues the next run for just after midnight UTC.
A 429 or 5xx for a whole call is LinkedIn saying "later": the job is retried after its ``Retry-After``, and
everything already answered stays answered.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.hr.models import CandidateToHire, CountryRegion, JobApplication, RecruitingRequest
from hirehub.jobs.context import JobContext
from hirehub.jobs.queue import enqueue
from hirehub.linkedin import data_queue
from hirehub.linkedin.batches import MAX_BATCH
from hirehub.linkedin.client import BatchAnswer
from hirehub.linkedin.data_client import APPLICATIONS, CANDIDATES, JOB_POSTINGS, DataSyncClient, data_sync_client
from hirehub.linkedin.data_models import KIND_ORDER, WAITING, QuotaUsage, SyncedRecord, SyncKind, SyncStatus
from hirehub.linkedin.data_queue import SEND
from hirehub.linkedin.models import CustomerApp
from hirehub.linkedin.runtime import linkedin_runtime
from hirehub.linkedin.sync import customer_credentials, job_outcome
from hirehub.linkedin.sync_data import applications, candidates, postings
from hirehub.linkedin.sync_data.outcomes import Mapped, Outcome, Refused, Skipped
from hirehub.linkedin.sync_data.snapshots import (
    CANDIDATE_LOADS,
    JOB_APPLICATION_LOADS,
    REQUEST_LOADS,
    application_snapshot,
    candidate_snapshot,
    job_application_snapshot,
    request_snapshot,
)
from hirehub.restli import freeze_key

DAILY_REQUESTS = 100_000
TASK_POLL = timedelta(seconds=5)
"""How soon a run that left job-posting tasks in progress looks at them again."""
RESOURCE_OF = {SyncKind.JOB_POSTING: JOB_POSTINGS, SyncKind.CANDIDATE: CANDIDATES, SyncKind.APPLICATION: APPLICATIONS}


class QuotaSpent(Exception):
    """The application's daily quota for a resource would be passed: stop until midnight UTC."""


@dataclass
class SendReport:
    """What one run did, as the job's result (and the console's last-run line)."""

    sent: Counter[str] = field(default_factory=Counter)
    synced: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    retry: Counter[str] = field(default_factory=Counter)
    calls: int = 0

    def as_json(self) -> dict[str, Any]:
        return {name: dict(getattr(self, name)) for name in ("sent", "synced", "refused", "deleted", "unchanged",
                                                              "retry")} | {"calls": self.calls}  # fmt: skip


def digest(payload: Mapping[str, Any]) -> str:
    """A record's payload, hashed without its modification stamp (a touch that changes nothing else is no change)."""
    kept = {name: value for name, value in payload.items() if name != "atsLastModifiedAt"}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()


def problems_text(refused: Refused) -> str:
    return "; ".join(f"{problem.field}: {problem.reason}" for problem in refused.problems)[:1000]


def error_text(error: Mapping[str, Any]) -> str:
    return str(error.get("message") or error)[:1000]


def transient(error: Mapping[str, Any]) -> bool:
    """A per-record error worth sending again (LinkedIn struggling), rather than a refusal of the record."""
    status = int(error.get("status") or 0)
    return status >= 500 or status in (408, 429)


def stage_to_send(row: SyncedRecord, stage: applications.MappedStage | None) -> applications.MappedStage | None:
    """The stage call an application's sync needs: none on its first sync, then one only when the stage changed.

    The trade-off. Stages are one application per call, against the same 100,000 requests a day as the
    applications themselves: sending the stage of every application on its first sync would double the calls of a
    historical sync (300,000 applications: 300,000 stage calls, three days of quota after the 3,000 batch calls that
    carried the applications). So an application's first sync sends no stage and remembers the stage it had then
    (``SyncedRecord.stage``); a later sync sends the stage only when it differs from that one, or from the last one
    sent. What LinkedIn loses: the stage of a historical application until that application moves on, and the stage
    a new application starts at ("Offer accepted" in the HR model: every candidate to hire starts there). A refusal
    stays visible in the application itself (``dispositionReason``), which every sync carries.
    """
    if stage is None or row.ats_id is None or row.stage == stage_name(stage):
        return None
    return stage


def stage_name(stage: applications.MappedStage) -> str:
    return str(stage.payload["stage"])


LET_GO: Mapping[str, Any] = {
    "status": SyncStatus.DELETED.value, "ats_id": None, "digest": None, "stage": None,
    "reason": "another application of the hub, of the same candidate and request, is this one at LinkedIn",
}  # fmt: skip
"""How a record ends whose LinkedIn application another record of the same pair carries on (an implied
application a job application row stands for, or a row deleted while the candidate's own request remains): it
is forgotten without a call, and sent afresh (no digest, no stage) if it ever stands alone again."""


class Sender:
    """One run of the send job for one organization."""

    def __init__(
        self, database: Database, tenant_id: uuid.UUID, integration_context: str, client: DataSyncClient, client_id: str
    ) -> None:
        self.database = database
        self.tenant_id = tenant_id
        self.context = integration_context
        self.client = client
        self.client_id = client_id
        self.report = SendReport()
        self.held: set[uuid.UUID] = set()
        """Records that failed transiently in this run: retried alone by a later run, not again in this one."""

    # bookkeeping ------------------------------------------------------------------------------------------------
    async def _waiting(self, kind: SyncKind) -> list[SyncedRecord]:
        async with self.database.tenant_session(self.tenant_id) as session:
            query = (
                select(SyncedRecord)
                .where(SyncedRecord.integration_context == self.context, SyncedRecord.kind == kind.value)
                .where(SyncedRecord.status.in_(WAITING))
                .order_by(SyncedRecord.changed_at, SyncedRecord.id)
            )
            if self.held:
                query = query.where(SyncedRecord.id.not_in(self.held))
            return list(await session.scalars(query.limit(MAX_BATCH)))

    async def _spend(self, resource: str) -> None:
        """Count one request against the application's quota for today (UTC), or stop before passing it."""
        today = utcnow().astimezone(UTC).date()
        async with self.database.tenant_transaction(self.tenant_id) as session:
            usage: QuotaUsage | None = await session.scalar(
                select(QuotaUsage).where(
                    QuotaUsage.client_id == self.client_id, QuotaUsage.resource == resource, QuotaUsage.day == today
                )
            )
            if usage is None:
                usage = QuotaUsage(client_id=self.client_id, resource=resource, day=today, requests=0)
                session.add(usage)
            if usage.requests >= DAILY_REQUESTS:
                raise QuotaSpent(resource)
            usage.requests += 1
        self.report.calls += 1

    async def _settle(self, changes: Sequence[tuple[uuid.UUID, Mapping[str, Any]]]) -> None:
        """Store each record's outcome, unless the record changed again meanwhile (then it stays waiting)."""
        async with self.database.tenant_transaction(self.tenant_id) as session:
            for record_id, values in changes:
                await session.execute(update(SyncedRecord).where(SyncedRecord.id == record_id).values(**values))

    # the run ------------------------------------------------------------------------------------------------------
    async def run(self) -> None:
        settings = await self._posting_settings()
        countries = await self._countries()
        for kind in KIND_ORDER:
            while batch := await self._waiting(kind):
                if kind is SyncKind.JOB_POSTING:
                    await self._send_postings(batch, settings)
                elif kind is SyncKind.CANDIDATE:
                    await self._send_candidates(batch, countries)
                else:
                    await self._send_applications(batch, countries)
        await self._poll_tasks()

    async def _posting_settings(self) -> postings.PostingSettings:
        async with self.database.tenant_session(self.tenant_id) as session:
            template = await session.scalar(select(CustomerApp.apply_url_template))
        return postings.PostingSettings(self.context, template)

    async def _countries(self) -> dict[uuid.UUID, str | None]:
        async with self.database.tenant_session(self.tenant_id) as session:
            rows = await session.execute(select(CountryRegion.id, CountryRegion.iso_code))
            return {row_id: code for row_id, code in rows}

    def _mapped_or_settled(
        self, row: SyncedRecord, outcome: Outcome, kind: SyncKind, now: datetime, *, changed: bool = False
    ) -> tuple[Mapped | None, tuple[uuid.UUID, dict[str, Any]] | None]:
        """A record to send, or the outcome to store without sending (refused, skipped, unchanged unless
        ``changed`` says something outside the payload changed, such as an application's stage)."""
        if isinstance(outcome, Refused):
            self.report.refused[kind] += 1
            return None, (row.id, {"status": SyncStatus.REFUSED.value, "reason": problems_text(outcome)})
        if isinstance(outcome, Skipped):
            return None, (row.id, {"status": SyncStatus.SYNCED.value, "reason": outcome.reason, "synced_at": now})
        if not changed and row.status == SyncStatus.PENDING and row.digest == digest(outcome.payload):
            self.report.unchanged[kind] += 1
            return None, (row.id, {"status": SyncStatus.SYNCED.value, "reason": None})
        return outcome, None

    # candidates ---------------------------------------------------------------------------------------------------
    async def _load_candidates(self, batch: Sequence[SyncedRecord]) -> dict[uuid.UUID, CandidateToHire]:
        async with self.database.tenant_session(self.tenant_id) as session:
            rows = await session.scalars(
                select(CandidateToHire)
                .where(CandidateToHire.id.in_([row.record_id for row in batch]))
                .options(*CANDIDATE_LOADS)
            )
            return {row.id: row for row in rows}

    async def _send_candidates(self, batch: Sequence[SyncedRecord], countries: Mapping[uuid.UUID, str | None]) -> None:
        kind, now = SyncKind.CANDIDATE, utcnow()
        loaded = await self._load_candidates(batch)
        settled: list[tuple[uuid.UUID, dict[str, Any]]] = []
        to_send: list[tuple[SyncedRecord, Mapped]] = []
        to_delete: list[SyncedRecord] = []
        for row in batch:
            candidate = loaded.get(row.record_id)
            if row.status == SyncStatus.DELETE_PENDING or candidate is None:
                to_delete.append(row)
                continue
            outcome = candidates.ats_candidate(candidate_snapshot(candidate, countries), self.context)
            mapped, done = self._mapped_or_settled(row, outcome, kind, now)
            if done is not None:
                settled.append(done)
            elif mapped is not None:
                to_send.append((row, mapped))
        if to_send:
            await self._spend(CANDIDATES)
            answer = await self.client.sync_candidates([(m.key, m.payload) for _, m in to_send])
            settled += self._answered(kind, to_send, answer, now)
            synced = [(row, m) for row, m in to_send if freeze_key(m.key) in answer.results]
            if synced:
                settled += await self._matches(synced)
        if to_delete:
            settled += await self._delete(kind, to_delete, now)
        await self._settle(settled)

    async def _matches(self, synced: Sequence[tuple[SyncedRecord, Mapped]]) -> list[tuple[uuid.UUID, dict[str, Any]]]:
        """The LinkedIn members each candidate matched, as LinkedIn reports them now."""
        await self._spend(CANDIDATES)
        answer = await self.client.candidate_matches([m.key for _, m in synced])
        found: list[tuple[uuid.UUID, dict[str, Any]]] = []
        for row, mapped in synced:
            result = answer.results.get(freeze_key(mapped.key))
            if result is not None:
                members = [str(member) for member in result.get("matchedMembers") or []]
                manual = result.get("manualMatchedMember")
                found.append((row.id, {"matched_members": members + ([str(manual)] if manual else [])}))
        return found

    # applications -------------------------------------------------------------------------------------------------
    async def _load_applications(
        self, batch: Sequence[SyncedRecord], countries: Mapping[uuid.UUID, str | None]
    ) -> tuple[dict[uuid.UUID, applications.ApplicationSnapshot], set[uuid.UUID]]:
        """The batch's applications as they are now, by record: job application rows, and candidates whose own
        request is an application; and the records of candidates whose request a job application row stands for."""
        ids = [row.record_id for row in batch]
        async with self.database.tenant_session(self.tenant_id) as session:
            rows = await session.scalars(
                select(JobApplication).where(JobApplication.id.in_(ids)).options(*JOB_APPLICATION_LOADS)
            )
            found = {row.id: job_application_snapshot(row, countries) for row in rows}
            linked = [
                candidate
                for candidate in await session.scalars(
                    select(CandidateToHire).where(CandidateToHire.id.in_(ids)).options(*CANDIDATE_LOADS)
                )
                if candidate.recruiting_request_ref_id is not None
            ]
            explicit = set(
                await session.execute(
                    select(JobApplication.candidate_ref_id, JobApplication.recruiting_request_ref_id).where(
                        JobApplication.candidate_ref_id.in_([candidate.id for candidate in linked])
                    )
                )
            )
        stood_for = {c.id for c in linked if (c.id, c.recruiting_request_ref_id) in explicit}
        found |= {c.id: application_snapshot(c, countries) for c in linked if c.id not in stood_for}
        return found, stood_for

    async def _send_applications(
        self, batch: Sequence[SyncedRecord], countries: Mapping[uuid.UUID, str | None]
    ) -> None:
        kind, now = SyncKind.APPLICATION, utcnow()
        loaded, stood_for = await self._load_applications(batch, countries)
        settled: list[tuple[uuid.UUID, dict[str, Any]]] = []
        to_send: list[tuple[SyncedRecord, Mapped]] = []
        stages: dict[uuid.UUID, applications.MappedStage] = {}
        to_delete: list[SyncedRecord] = []
        for row in batch:
            snapshot = loaded.get(row.record_id)
            if row.status != SyncStatus.DELETE_PENDING and row.record_id in stood_for:
                settled.append((row.id, {**LET_GO, "synced_at": now}))
                continue
            if row.status == SyncStatus.DELETE_PENDING or snapshot is None:
                to_delete.append(row)
                continue
            stage = applications.current_stage(snapshot)
            outcome = applications.ats_application(snapshot, self.context)
            changed = stage_to_send(row, stage) is not None
            mapped, done = self._mapped_or_settled(row, outcome, kind, now, changed=changed)
            if done is not None:
                settled.append(done)
            elif mapped is not None:
                to_send.append((row, mapped))
                if stage is not None:
                    stages[row.id] = stage
        if to_send:
            await self._spend(APPLICATIONS)
            answer = await self.client.sync_applications([(m.key, m.payload) for _, m in to_send])
            answered = self._answered(kind, to_send, answer, now)
            settled += answered
            outcomes = dict(answered)
            for row, mapped in to_send:
                stage = stages.get(row.id)
                if stage is None or freeze_key(mapped.key) not in answer.results:
                    continue
                if (due := stage_to_send(row, stage)) is not None:
                    await self._spend(APPLICATIONS)
                    stage_answer = await self.client.sync_application_stages(mapped.key, {due.stage_id: due.payload})
                    if freeze_key(due.stage_id) not in stage_answer.results:
                        continue  # not taken: the stage kept is still the one LinkedIn has
                outcomes[row.id]["stage"] = stage_name(stage)
        if to_delete:
            held = {str(row.ats_id) for row in to_delete if row.ats_id is not None}
            live = await self._live_applications(held) if held else set()
            for row in [row for row in to_delete if row.ats_id in live]:
                settled.append((row.id, {**LET_GO, "synced_at": now}))
            settled += await self._delete(kind, [row for row in to_delete if row.ats_id not in live], now)
        await self._settle(settled)

    async def _live_applications(self, ats_ids: set[str]) -> set[str]:
        """Those of ``ats_ids`` that some application in the hub still is (a row, or a candidate's own request)."""
        candidate_ids = {ats_id.rsplit("/", 1)[-1] for ats_id in ats_ids}
        async with self.database.tenant_session(self.tenant_id) as session:
            implied = await session.execute(
                select(RecruitingRequest.recruiting_request_id, CandidateToHire.candidate_id)
                .join(RecruitingRequest, CandidateToHire.recruiting_request_ref_id == RecruitingRequest.id)
                .where(CandidateToHire.candidate_id.in_(candidate_ids))
            )
            explicit = await session.execute(
                select(RecruitingRequest.recruiting_request_id, CandidateToHire.candidate_id)
                .select_from(JobApplication)
                .join(CandidateToHire, JobApplication.candidate_ref_id == CandidateToHire.id)
                .join(RecruitingRequest, JobApplication.recruiting_request_ref_id == RecruitingRequest.id)
                .where(CandidateToHire.candidate_id.in_(candidate_ids))
            )
            pairs = [*implied, *explicit]
        return {applications.application_id(request, candidate) for request, candidate in pairs} & ats_ids

    # job postings -------------------------------------------------------------------------------------------------
    async def _send_postings(self, batch: Sequence[SyncedRecord], settings: postings.PostingSettings) -> None:
        kind, now = SyncKind.JOB_POSTING, utcnow()
        async with self.database.tenant_session(self.tenant_id) as session:
            loaded = {
                request.id: request
                for request in await session.scalars(
                    select(RecruitingRequest)
                    .where(RecruitingRequest.id.in_([row.record_id for row in batch]))
                    .options(*REQUEST_LOADS)
                )
            }
        settled: list[tuple[uuid.UUID, dict[str, Any]]] = []
        to_send: list[tuple[SyncedRecord, Mapped]] = []
        for row in batch:
            request = loaded.get(row.record_id)
            if row.status == SyncStatus.DELETE_PENDING or request is None:
                if row.ats_id is None:
                    settled.append((row.id, {"status": SyncStatus.DELETED.value, "synced_at": now}))
                    continue
                to_send.append((row, postings.closing(self.context, row.ats_id, f"job posting {row.ats_id}")))
                continue
            operation = postings.PostingOperation.CREATE if row.ats_id is None else postings.PostingOperation.UPDATE
            outcome = postings.job_posting(request_snapshot(request), settings, operation)
            mapped, done = self._mapped_or_settled(row, outcome, kind, now)
            if done is not None:
                settled.append(done)
            elif mapped is not None:
                to_send.append((row, mapped))
        if to_send:
            await self._spend(JOB_POSTINGS)
            tasks = await self.client.create_job_postings([m.payload for _, m in to_send])
            for (row, mapped), task in zip(to_send, tasks, strict=True):
                self.report.sent[kind] += 1
                settled.append((row.id, {
                    "status": SyncStatus.SENT.value, "task_urn": task, "reason": None, "attempts": row.attempts + 1,
                    "ats_id": mapped.key["externalJobPostingId"], "digest": digest(mapped.payload),
                }))  # fmt: skip
        await self._settle(settled)

    async def _poll_tasks(self) -> None:
        """Read the tasks of postings in flight; each ends synced (or closed), or refused with LinkedIn's reason."""
        now = utcnow()
        async with self.database.tenant_session(self.tenant_id) as session:
            in_flight = list(
                await session.scalars(
                    select(SyncedRecord).where(
                        SyncedRecord.integration_context == self.context,
                        SyncedRecord.kind == SyncKind.JOB_POSTING.value,
                        SyncedRecord.status == SyncStatus.SENT.value,
                    )
                )
            )
        for start in range(0, len(in_flight), MAX_BATCH):
            page = [row for row in in_flight[start : start + MAX_BATCH] if row.task_urn]
            if not page:
                continue
            answer = await self.client.job_posting_tasks([str(row.task_urn) for row in page])
            settled: list[tuple[uuid.UUID, dict[str, Any]]] = []
            for row in page:
                task = answer.results.get(freeze_key(str(row.task_urn)))
                status = str((task or {}).get("status") or "")
                if status == "SUCCEEDED":
                    self.report.synced[SyncKind.JOB_POSTING] += 1
                    settled.append((row.id, {"status": SyncStatus.SYNCED.value, "synced_at": now}))
                elif status == "FAILED" or freeze_key(str(row.task_urn)) in answer.errors:
                    self.report.refused[SyncKind.JOB_POSTING] += 1
                    reason = error_text(task or answer.errors.get(freeze_key(str(row.task_urn))) or {})
                    created = row.attempts <= 1 and row.synced_at is None
                    settled.append((row.id, {"status": SyncStatus.REFUSED.value, "reason": reason, "digest": None,
                                             "ats_id": None if created else row.ats_id}))  # fmt: skip
            await self._settle(settled)

    # shared -------------------------------------------------------------------------------------------------------
    def _answered(
        self, kind: SyncKind, sent: Sequence[tuple[SyncedRecord, Mapped]], answer: BatchAnswer, now: datetime
    ) -> list[tuple[uuid.UUID, dict[str, Any]]]:
        outcomes: list[tuple[uuid.UUID, dict[str, Any]]] = []
        for row, mapped in sent:
            key = freeze_key(mapped.key)
            self.report.sent[kind] += 1
            error = answer.errors.get(key)
            if error is None and key in answer.results:
                self.report.synced[kind] += 1
                ats_id = next(value for name, value in mapped.key.items() if name.startswith("ats"))
                outcomes.append((row.id, {
                    "status": SyncStatus.SYNCED.value, "reason": None, "ats_id": ats_id,
                    "digest": digest(mapped.payload), "synced_at": now, "attempts": row.attempts + 1,
                }))  # fmt: skip
            elif error is not None and not transient(error):
                self.report.refused[kind] += 1
                outcomes.append((row.id, {"status": SyncStatus.REFUSED.value, "reason": error_text(error),
                                          "attempts": row.attempts + 1}))  # fmt: skip
            else:
                self.report.retry[kind] += 1
                self.held.add(row.id)
                outcomes.append(
                    (
                        row.id,
                        {
                            "attempts": row.attempts + 1,
                            "reason": error_text(error or {"message": "no answer for this record"}),
                        },
                    )
                )
        return outcomes

    async def _delete(
        self, kind: SyncKind, rows: Sequence[SyncedRecord], now: datetime
    ) -> list[tuple[uuid.UUID, dict[str, Any]]]:
        """Delete at LinkedIn what it holds; what it never held is simply forgotten."""
        held = [row for row in rows if row.ats_id is not None]
        outcomes = [
            (row.id, {"status": SyncStatus.DELETED.value, "synced_at": now}) for row in rows if row.ats_id is None
        ]
        if not held:
            return outcomes
        keys = [
            candidates.candidate_key(self.context, str(row.ats_id))
            if kind is SyncKind.CANDIDATE
            else applications.application_key(self.context, str(row.ats_id))
            for row in held
        ]
        await self._spend(RESOURCE_OF[kind])
        delete = self.client.delete_candidates if kind is SyncKind.CANDIDATE else self.client.delete_applications
        answer = await delete(keys)
        for row, key in zip(held, keys, strict=True):
            error = answer.errors.get(freeze_key(key))
            if error is None or int(error.get("status") or 0) == 404:
                self.report.deleted[kind] += 1
                outcomes.append((row.id, {"status": SyncStatus.DELETED.value, "synced_at": now, "reason": None}))
            elif transient(error):
                self.report.retry[kind] += 1
                self.held.add(row.id)
            else:
                self.report.refused[kind] += 1
                outcomes.append((row.id, {"status": SyncStatus.REFUSED.value, "reason": error_text(error)}))
        return outcomes


def next_midnight_utc(now: datetime) -> datetime:
    tomorrow = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0, 0, 5), tzinfo=UTC)


async def _queue_next(session: AsyncSession, integration_context: str, run_at: datetime) -> None:
    payload = {"integration_context": integration_context}
    await enqueue(session, SEND, payload, ordering_key=data_queue.ordering_key(integration_context),
                  run_at=run_at)  # fmt: skip


async def send_job(context: JobContext) -> Mapping[str, Any] | None:
    """:data:`~hirehub.linkedin.data_queue.SEND`: send what waits for one organization (see the module)."""
    integration_context = str(context.payload["integration_context"])
    async with linkedin_runtime() as runtime, job_outcome(context, runtime):
        credentials = await customer_credentials(context.database, context.tenant_id, runtime)
        client = await data_sync_client(runtime, context.database, credentials.client_id, credentials.client_secret)
        sender = Sender(context.database, context.tenant_id, integration_context, client, credentials.client_id)
        follow_up: datetime | None = None
        try:
            await sender.run()
        except QuotaSpent:
            follow_up = next_midnight_utc(utcnow())
    async with context.database.tenant_transaction(context.tenant_id) as session:
        in_flight = await session.scalar(
            select(SyncedRecord.id)
            .where(
                SyncedRecord.integration_context == integration_context,
                SyncedRecord.status == SyncStatus.SENT.value,
            )
            .limit(1)
        )
        if follow_up is None and (in_flight is not None or sender.held):
            follow_up = utcnow() + TASK_POLL
        if follow_up is not None:
            await _queue_next(session, integration_context, follow_up)
    return {"integration_context": integration_context, **sender.report.as_json(),
            "next_run": follow_up.isoformat() if follow_up else None}  # fmt: skip
