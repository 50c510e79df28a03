"""The scheduled reconciliation: every HR worker against every directory account, drift stored and fixed by policy.

``provisioning.reconcile`` reads the tenant's workers (one loader for all of them) and lists every account,
compares them with the pure :func:`hirehub.lifecycle.reconciliation.compare`, and keeps the report as a
:class:`~hirehub.provisioning.models.ReconciliationRun`. Fixing never bypasses the engine: a worker whose
account drifted (mismatched attributes, manager or groups, an enabled leaver, a missing account, a leaver's
one-shot action still to do) gets a ``provisioning.sync`` queued, so every fix is planned from fresh state,
audited, ordered with the person's other changes and held for approval in supervised mode. Orphans and
duplicates are only reported, since fixing them would be a guess; the one exception is disabling orphans, and
only when the policy says so (never in supervised mode, where a person approves every change and an orphan
has no person to hold a plan for).

The job reschedules itself for ``every_hours`` later when it ends, whether it succeeded, found no directory, or
failed for the last time, so the schedule never silently stops (:mod:`hirehub.provisioning.scheduling`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.audit import log as audit
from hirehub.db.session import Database
from hirehub.directories.entra.certificate_expiry import warn_tenant_expiring
from hirehub.hr.models import Worker
from hirehub.jobs.claiming import goes_dead
from hirehub.jobs.context import Handler, JobContext
from hirehub.jobs.errors import PermanentFailure
from hirehub.lifecycle.connector import Connector, ConnectorUnavailable, Outcome, all_accounts
from hirehub.lifecycle.directory_state import DirectoryAccount
from hirehub.lifecycle.planning import DisableAccount, Phase, Plan, json_value
from hirehub.lifecycle.policy import LifecyclePolicy
from hirehub.lifecycle.reconciliation import AccountMismatch, DriftReport, compare
from hirehub.lifecycle.worker_view import WorkerView, local_date, tenant_zone
from hirehub.provisioning.connectors import Connectors
from hirehub.provisioning.models import ReconciliationRun, RunStatus
from hirehub.provisioning.policies import current_policy, tenant_of
from hirehub.provisioning.scheduling import ensure_scheduled
from hirehub.provisioning.sync import ACTOR, queue_sync, waiting
from hirehub.provisioning.workers import all_worker_views

LIST_CAP = 1000
"""Findings kept per kind in a stored report; the counts are always complete."""
ORPHAN_REASON = "an orphan: no HR worker has this account's anchor, and the policy disables orphans"


def _account_json(account: DirectoryAccount) -> dict[str, Any]:
    return {"object_id": account.object_id, "anchor": account.anchor,
            "userPrincipalName": account.user_principal_name, "enabled": account.enabled}  # fmt: skip


def _mismatch_json(mismatch: AccountMismatch) -> dict[str, Any]:
    data: dict[str, Any] = {
        "anchor": mismatch.anchor,
        "object_id": mismatch.object_id,
        "attributes": {
            name: {"directory": json_value(before), "desired": json_value(after)}
            for name, (before, after) in mismatch.attributes.items()
        },
        "groups_to_add": list(mismatch.groups_to_add),
        "groups_to_remove": list(mismatch.groups_to_remove),
    }
    if mismatch.manager is not None:
        data["manager"] = {"directory": mismatch.manager[0], "desired": mismatch.manager[1]}
    return data


def report_json(report: DriftReport, cap: int = LIST_CAP) -> dict[str, Any]:
    """The report as stored and shown: every finding of each kind up to ``cap`` (``truncated`` says whether
    any list was cut)."""
    kinds = (report.orphans, report.duplicates, report.mismatched, report.enabled_leavers, report.missing,
             report.errors)  # fmt: skip
    return {
        "checked_at": report.checked_at.isoformat(),
        "summary": report.summary(),
        "orphans": [_account_json(a) for a in report.orphans[:cap]],
        "duplicates": {
            anchor: [_account_json(a) for a in accounts] for anchor, accounts in islice(report.duplicates.items(), cap)
        },
        "mismatched": [_mismatch_json(m) for m in report.mismatched[:cap]],
        "enabled_leavers": [_account_json(a) for a in report.enabled_leavers[:cap]],
        "missing": [worker.personnel_number for worker in report.missing[:cap]],
        "errors": dict(islice(report.errors.items(), cap)),
        "truncated": any(len(kind) > cap for kind in kinds),
    }


async def _run_for(session: AsyncSession, context: JobContext) -> ReconciliationRun:
    """The run this job records into: the one requested with it, the one an earlier attempt started, or new."""
    run: ReconciliationRun | None = None
    if context.payload.get("run_id"):
        run = await session.get(ReconciliationRun, uuid.UUID(str(context.payload["run_id"])))
    if run is None:
        run = await session.scalar(select(ReconciliationRun).where(ReconciliationRun.job_id == context.job.id))
    if run is None:
        run = ReconciliationRun(id=uuid.uuid4(), requested_by="schedule", job_id=context.job.id)
        session.add(run)
    return run


def make_reconcile_handler(connectors: Connectors) -> Handler:
    """The ``provisioning.reconcile`` handler, comparing HR with the tenant's directory among ``connectors``."""

    async def reconcile(context: JobContext) -> Mapping[str, Any] | None:
        now = context.clock()
        async with context.tenant_transaction() as session:
            run = await _run_for(session, context)
            run.status, run.started_at, run.finished_at, run.error = RunStatus.RUNNING, now, None, None
            run.job_id = context.job.id
            run_id = run.id
        await warn_tenant_expiring(context.database, context.tenant_id, now)  # the daily certificate expiry check
        connector = await connectors.for_tenant(context.tenant_id)
        if connector is None:
            await _end(context, run_id, error="the tenant has no directory connection: nothing to compare with")
            return {"run_id": str(run_id), "skipped": "no directory connection"}
        try:
            return await _reconcile(context, connector, run_id, now)
        except Exception as exc:
            final = goes_dead(context.attempt, context.job.max_attempts, permanent=isinstance(exc, PermanentFailure))
            await _end(context, run_id, error=f"{type(exc).__name__}: {exc}", reschedule=final)
            raise

    return reconcile


@dataclass(frozen=True)
class BothSides:
    """What a reconciliation compares: the tenant's policy, every worker as of the tenant's date, the person of
    each worker (a fix is queued per person), and every account the directory lists."""

    policy: LifecyclePolicy
    workers: list[WorkerView]
    person_of: dict[str, uuid.UUID]
    accounts: list[DirectoryAccount]


async def read_both_sides(database: Database, tenant_id: uuid.UUID, connector: Connector, now: datetime) -> BothSides:
    """Both sides as the scheduled reconciliation reads them: the workers through the one loader a sync uses too,
    the accounts page after page (raises :class:`ConnectorUnavailable` when the directory cannot be reached)."""
    async with database.tenant_session(tenant_id) as session:
        tenant = await tenant_of(session)
        policy = await current_policy(session)
        workers = await all_worker_views(
            session, tenant.time_zone, today=local_date(now, tenant_zone(tenant.time_zone))
        )
        person_of = {str(worker_id): person_id for worker_id, person_id in await session.execute(
            select(Worker.id, Worker.person_id))}  # fmt: skip
    accounts = [account async for account in all_accounts(connector)]
    return BothSides(policy, workers, person_of, accounts)


def drift(sides: BothSides, now: datetime) -> tuple[DriftReport, list[Plan]]:
    """The drift report, and the fixes the policy has queued (none when it does not fix)."""
    report = compare(sides.workers, sides.accounts, sides.policy, now)
    return report, report.fixes(sides.policy) if sides.policy.reconciliation.fix else []


async def _reconcile(context: JobContext, connector: Connector, run_id: uuid.UUID, now: datetime) -> dict[str, Any]:
    try:
        sides = await read_both_sides(context.database, context.tenant_id, connector, now)
    except ConnectorUnavailable as exc:
        raise waiting(exc, 60.0) from exc
    policy, person_of = sides.policy, sides.person_of
    report, fixes = drift(sides, now)
    disabled, not_disabled = await _disable_orphans(context, connector, policy, report)
    synced: list[str] = []
    async with context.tenant_transaction() as session:
        for fix in fixes:
            person_id = person_of.get(fix.worker_id)
            if person_id is not None:
                await queue_sync(session, person_id, reason="reconciliation")
                synced.append(fix.anchor)
        run = await session.get(ReconciliationRun, run_id)
        assert run is not None
        run.status, run.finished_at = RunStatus.FINISHED, context.clock()
        run.counts, run.report = report.summary(), report_json(report)
        options = policy.reconciliation
        run.fixed = {"syncs_queued": synced, "orphans_disabled": disabled, "orphans_not_disabled": not_disabled,
                     "fix": options.fix, "disable_orphans": options.disable_orphans}  # fmt: skip
        await ensure_scheduled(session, policy, now)
    return {"run_id": str(run_id), "counts": report.summary(), "syncs_queued": len(synced),
            "orphans_disabled": len(disabled)}  # fmt: skip


async def _disable_orphans(
    context: JobContext, connector: Connector, policy: LifecyclePolicy, report: DriftReport
) -> tuple[list[str], dict[str, str]]:
    """Disable the enabled orphans when the policy says so; returns the object ids disabled and, for those left
    alone, why. Each change is audited like the engine's own steps."""
    enabled = [orphan for orphan in report.orphans if orphan.enabled]
    if not enabled or not policy.reconciliation.disable_orphans:
        return [], {}
    if policy.supervised:
        why = "supervised mode: an orphan has no worker to hold a plan for; disable it by hand if it should be"
        return [], {orphan.object_id: why for orphan in enabled}
    disabled: list[str] = []
    refused: dict[str, str] = {}
    for orphan in enabled:
        # An orphan is planned as a leaver: it should have no access, and no worker stands behind it.
        step = DisableAccount(ORPHAN_REASON)
        the_plan = Plan(worker_id="", anchor=orphan.anchor or "", phase=Phase.LEAVER, account_id=orphan.object_id,
                        steps=(step,))  # fmt: skip
        try:
            applied = await connector.apply(the_plan, orphan)
        except ConnectorUnavailable as exc:
            raise waiting(exc, 60.0) from exc
        (result,) = applied.results
        async with context.tenant_transaction() as session:
            audit.record(
                session, actor=ACTOR, action="directory.disable_orphan", subject_type="account",
                subject_id=orphan.object_id, before=_account_json(orphan), after=step.to_json(),
                job_id=context.job.id, outcome=result.outcome.value, detail=result.error,
            )  # fmt: skip
        if result.outcome is Outcome.OK:
            disabled.append(orphan.object_id)
        else:
            refused[orphan.object_id] = result.error or result.outcome.value
    return disabled, refused


async def _end(context: JobContext, run_id: uuid.UUID, *, error: str, reschedule: bool = True) -> None:
    """Record a run that could not finish: ``retrying`` when the job will try again, else ``failed``, and then
    the schedule goes on, so one bad night does not end the reconciliations."""
    async with context.tenant_transaction() as session:
        run = await session.get(ReconciliationRun, run_id)
        if run is not None:
            run.status, run.error = (RunStatus.FAILED if reschedule else RunStatus.RETRYING), error[:10_000]
            run.finished_at = context.clock() if reschedule else None
        if reschedule:
            await ensure_scheduled(session, await current_policy(session), context.clock())
