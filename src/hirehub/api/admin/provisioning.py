"""Admin API for the lifecycle engine: the policy, dry runs, supervised-mode approvals, reconciliations and the
job queue — the same JSON as ``hirehub policy …``, ``hirehub plan …``, ``hirehub reconcile …`` and
``hirehub job …``."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Body, Request
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.api.admin import common
from hirehub.api.admin.caller import AdminCaller, AdminDependency
from hirehub.directories.entra.diagnosis import directory_failure, is_directory_failure
from hirehub.errors import HubError, Invalid
from hirehub.jobs import queue
from hirehub.jobs.models import JobStatus
from hirehub.jobs.serialize import job_json, job_with_history
from hirehub.provisioning import operations

router = APIRouter(prefix="/admin/v1", tags=["admin: lifecycle"])
Json = dict[str, Any]


class JobAction(StrEnum):
    """What an administrator may do to one job."""

    RETRY = "retry"
    CANCEL = "cancel"


@router.get("/policy")
async def show_policy(request: Request, caller: AdminCaller = AdminDependency) -> Json:
    return await common.read(request, caller, operations.show_policy)


@router.put("/policy")
async def replace_policy(
    request: Request, document: dict[str, Any] = Body(...), caller: AdminCaller = AdminDependency
) -> Json:
    """Replace the policy; every problem is listed in the answer's ``problems`` and nothing changes."""
    body = document.get("policy", document) if isinstance(document.get("policy"), dict) else document
    return await common.change(request, caller, "lifecycle.policy.set", ("policy", "tenant"),
                               lambda session: operations.replace_policy(session, body, by=caller.actor))


@router.get("/workers/{personnel_number}/plan")
async def preview(personnel_number: str, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    """The plan a sync would make now for one worker (dry run: nothing is applied); a directory that fails is a
    problem answer (503) with the reason and the next step."""
    try:
        return await operations.preview(
            common.database_of(request), connectors=request.app.state.connectors, tenant_id=caller.tenant_id,
            personnel_number=personnel_number,
        )  # fmt: skip
    except Exception as failure:
        if isinstance(failure, HubError) or not is_directory_failure(failure):
            raise
        raise directory_failure(failure) from failure


@router.get("/plans")
async def list_plans(request: Request, status: str = "held", caller: AdminCaller = AdminDependency) -> Json:
    wanted = None if status == "all" else status
    return await common.read(request, caller, lambda session: operations.list_plans(session, wanted))


@router.post("/plans/{plan_id}/approve")
async def approve(plan_id: str, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    return await common.transact(
        request, caller, lambda session: operations.decide(session, plan_id, approve=True, by=caller.actor)
    )


@router.post("/plans/{plan_id}/reject")
async def reject(plan_id: str, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    return await common.transact(
        request, caller, lambda session: operations.decide(session, plan_id, approve=False, by=caller.actor)
    )


@router.post("/reconciliations")
async def request_reconciliation(request: Request, caller: AdminCaller = AdminDependency) -> Json:
    """Reconcile now: the tenant's pending reconciliation is brought forward (answered with the queued run)."""
    return await common.change(request, caller, "reconciliation.requested", ("reconciliation", None),
                               lambda session: operations.request_reconciliation(session, by=caller.actor))


@router.get("/reconciliations")
async def list_reconciliations(request: Request, limit: int = 20, caller: AdminCaller = AdminDependency) -> Json:
    return await common.read(request, caller, lambda session: operations.list_reconciliations(session, limit))


@router.get("/reconciliations/{run_id}")
async def show_reconciliation(run_id: str, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    """One run with its drift report and what it fixed."""
    return await common.read(request, caller, lambda session: operations.show_reconciliation(session, run_id))


def _job_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Invalid(f"'{text}' is not a job id (a GUID)", field="job_id") from None


@router.get("/jobs")
async def list_jobs(
    request: Request, status: str | None = None, limit: int = 100, caller: AdminCaller = AdminDependency
) -> Json:
    if status is not None and status not in {s.value for s in JobStatus}:
        known = ", ".join(s.value for s in JobStatus)
        raise Invalid(f"'{status}' is not a job status ({known})", field="status")

    async def reader(session: AsyncSession) -> Json:
        return {"jobs": [job_json(j) for j in await queue.list_jobs(session, status, min(max(limit, 1), 1000))]}

    return await common.read(request, caller, reader)


@router.get("/jobs/{job_id}")
async def show_job(job_id: str, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    key = _job_id(job_id)

    async def reader(session: AsyncSession) -> Json:
        return await job_with_history(session, await queue.get_job(session, key))

    return await common.read(request, caller, reader)


@router.post("/jobs/{job_id}/{action}")
async def change_job(job_id: str, action: JobAction, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    """Retry a failed or dead job now, or cancel one that has not run."""
    key = _job_id(job_id)
    act = queue.retry if action is JobAction.RETRY else queue.cancel

    async def changer(session: AsyncSession) -> Json:
        return job_json(await act(session, key), full=True)

    return await common.change(request, caller, f"job.{action.value}", ("job", job_id), changer)
