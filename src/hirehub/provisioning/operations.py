"""Provisioning as people script it: the JSON answers of ``hirehub policy …`` / ``hirehub plan …`` /
``hirehub reconcile …`` and of the admin API's ``/admin/v1/policy``, ``/admin/v1/plans`` and
``/admin/v1/reconciliations``, from one place so the two cannot drift apart."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.errors import Invalid, NotFound
from hirehub.hr.models import Worker
from hirehub.jobs.errors import Paused
from hirehub.lifecycle.planning import plan
from hirehub.lifecycle.policy import policy_to_json
from hirehub.lifecycle.worker_view import start_of_day, tenant_zone
from hirehub.provisioning import approvals, scheduling
from hirehub.provisioning.connectors import Connectors
from hirehub.provisioning.models import ReconciliationRun
from hirehub.provisioning.policies import current_policy, set_policy, tenant_of
from hirehub.provisioning.sync import observe_and_plan
from hirehub.provisioning.workers import worker_view

Json = dict[str, Any]


class PreviewError(NotFound):
    """No worker has the personnel number a preview was asked for."""


class ReconciliationError(NotFound):
    """No reconciliation run has the id asked for in the tenant."""


async def show_policy(session: AsyncSession) -> Json:
    return {"policy": policy_to_json(await current_policy(session))}


async def replace_policy(session: AsyncSession, document: dict[str, Any], *, by: str) -> Json:
    return {"policy": policy_to_json(await set_policy(session, document, by=by))}


async def preview(
    database: Database,
    *,
    connectors: Connectors,
    tenant_id: uuid.UUID,
    personnel_number: str,
    as_of: date | None = None,
) -> Json:
    """The plan a sync would make now for one worker, applied to nothing (dry run); with ``as_of``, the plan it
    would make at the start of that day of the tenant's, from HR's view as of that day.

    No transaction is held across the directory: the connector is found first (the Entra factory reads the
    connection in a session of its own, which on SQLite's ``BEGIN IMMEDIATE`` would wait for any transaction
    open here), the HR state is read, and the directory is observed after that session closed.
    """
    connector = await connectors.for_tenant(tenant_id)
    async with database.tenant_session(tenant_id) as session:
        worker = await session.scalar(select(Worker).where(Worker.personnel_number == personnel_number))
        if worker is None:
            raise PreviewError(f"no worker with personnel number {personnel_number}", field="personnel_number")
        tenant = await tenant_of(session)
        policy = await current_policy(session)
        now = utcnow() if as_of is None else start_of_day(as_of, tenant_zone(tenant.time_zone))
        view = await worker_view(session, worker, tenant.time_zone, today=as_of)
    if connector is None:
        the_plan = plan(view, policy, None, now, lambda name: False)
        directory = "not connected: the plan is for a directory that does not hold this person yet"
    else:
        try:
            the_plan, _observed = await observe_and_plan(connector, view, policy, now)
            directory = "connected"
        except Paused as waiting_for:  # only an administrator can unblock the directory: say why, plan unobserved
            the_plan = plan(view, policy, None, now, lambda name: False)
            directory = f"waiting: {waiting_for}; the plan is for a directory not read yet"
    return {"personnel_number": personnel_number, "directory": directory, "steps": the_plan.describe(),
            "plan": the_plan.to_json(), "as_of": as_of.isoformat() if as_of else None}  # fmt: skip


async def list_plans(session: AsyncSession, status: str | None) -> Json:
    return {"plans": [approvals.plan_json(p) for p in await approvals.held_plans(session, status)]}


async def decide(session: AsyncSession, plan_id: str, *, approve: bool, by: str) -> Json:
    key = approvals.plan_id_of(plan_id)
    decided = await (approvals.approve if approve else approvals.reject)(session, key, by=by)
    return approvals.plan_json(decided)


def _moment(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def reconciliation_json(run: ReconciliationRun, *, full: bool = False) -> Json:
    """A reconciliation run; ``full`` adds the report and what was fixed."""
    data: Json = {"id": str(run.id), "status": run.status, "requested_by": run.requested_by,
                  "job_id": str(run.job_id) if run.job_id else None, "created_at": _moment(run.created_at),
                  "started_at": _moment(run.started_at), "finished_at": _moment(run.finished_at),
                  "counts": run.counts, "error": run.error}  # fmt: skip
    if full:
        data["report"] = run.report
        data["fixed"] = run.fixed
    return data


async def request_reconciliation(session: AsyncSession, *, by: str, now: datetime | None = None) -> Json:
    """Run the tenant's reconciliation as soon as a worker is free (the scheduled one, brought forward)."""
    return reconciliation_json(await scheduling.request_run(session, by=by, now=now or utcnow()))


async def list_reconciliations(session: AsyncSession, limit: int = 20) -> Json:
    runs = await session.scalars(
        select(ReconciliationRun).order_by(ReconciliationRun.created_at.desc()).limit(min(max(limit, 1), 1000))
    )
    pending = await scheduling.pending_job(session)
    return {"reconciliations": [reconciliation_json(run) for run in runs],
            "next_run_at": _moment(pending.run_at) if pending is not None else None}  # fmt: skip


async def show_reconciliation(session: AsyncSession, run_id: str) -> Json:
    try:
        key = uuid.UUID(run_id)
    except ValueError:
        raise Invalid(f"'{run_id}' is not a reconciliation id (a GUID)", field="run_id") from None
    run = await session.get(ReconciliationRun, key)
    if run is None:
        raise ReconciliationError(f"no reconciliation {run_id}")
    return reconciliation_json(run, full=True)
