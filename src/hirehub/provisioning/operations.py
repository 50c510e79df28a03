"""Provisioning as people script it: the JSON answers of ``hirehub policy …`` / ``hirehub plan …`` and of the admin
API's ``/admin/v1/policy`` and ``/admin/v1/plans``, from one place so the two cannot drift apart."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import utcnow
from hirehub.hr.models import Worker
from hirehub.lifecycle.planning import plan
from hirehub.lifecycle.policy import policy_to_json
from hirehub.provisioning import approvals
from hirehub.provisioning.connectors import connector_for
from hirehub.provisioning.policies import current_policy, set_policy, tenant_of
from hirehub.provisioning.sync import observe_and_plan
from hirehub.provisioning.workers import worker_view

Json = dict[str, Any]


class PreviewError(ValueError):
    def __init__(self, message: str, status: int = 404) -> None:
        super().__init__(message)
        self.status = status


async def show_policy(session: AsyncSession) -> Json:
    return {"policy": policy_to_json(await current_policy(session))}


async def replace_policy(session: AsyncSession, document: dict[str, Any], *, by: str) -> Json:
    return {"policy": policy_to_json(await set_policy(session, document, by=by))}


async def preview(session: AsyncSession, personnel_number: str) -> Json:
    """The plan a sync would make now for one worker, applied to nothing (dry run)."""
    worker = await session.scalar(select(Worker).where(Worker.personnel_number == personnel_number))
    if worker is None:
        raise PreviewError(f"no worker with personnel number {personnel_number}")
    tenant = await tenant_of(session)
    policy = await current_policy(session)
    view = await worker_view(session, worker, tenant.time_zone)
    connector = await connector_for(tenant.id)
    now = utcnow()
    if connector is None:
        the_plan = plan(view, policy, None, now, lambda name: False)
        directory = "not connected: the plan is for a directory that does not hold this person yet"
    else:
        the_plan, _observed = await observe_and_plan(connector, view, policy, now)
        directory = "connected"
    return {"personnel_number": personnel_number, "directory": directory, "steps": the_plan.describe(),
            "plan": the_plan.to_json()}  # fmt: skip


async def list_plans(session: AsyncSession, status: str | None) -> Json:
    return {"plans": [approvals.plan_json(p) for p in await approvals.held_plans(session, status)]}


async def decide(session: AsyncSession, plan_id: str, *, approve: bool, by: str) -> Json:
    try:
        key = uuid.UUID(plan_id)
    except ValueError:
        raise approvals.ApprovalError(f"'{plan_id}' is not a plan id (a GUID)", 400) from None
    decided = await (approvals.approve if approve else approvals.reject)(session, key, by=by)
    return approvals.plan_json(decided)
