"""Supervised mode: a person approves or rejects each held plan before anything changes in the directory.

Approving does not replay a stale plan: the approved job plans again and applies only if the new plan is the
one that was approved; if HR or the directory changed meanwhile, the new plan is held for approval instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.audit import log as audit
from hirehub.db.base import utcnow
from hirehub.jobs.context import JobContext
from hirehub.jobs.errors import PermanentFailure
from hirehub.jobs.queue import enqueue
from hirehub.jobs.registry import register
from hirehub.lifecycle.worker_view import local_date, tenant_zone
from hirehub.provisioning import sync as syncing
from hirehub.provisioning.connectors import connector_for
from hirehub.provisioning.models import HeldPlan
from hirehub.provisioning.policies import current_policy, tenant_of
from hirehub.provisioning.workers import worker_of_person, worker_view

APPLY_APPROVED = "provisioning.apply_approved"


class ApprovalError(ValueError):
    """An approval or rejection was refused; ``status`` says how (404 unknown, 409 already decided)."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


async def held_plans(session: AsyncSession, status: str | None = "held", limit: int = 100) -> Sequence[HeldPlan]:
    query = select(HeldPlan).order_by(HeldPlan.created_at.desc()).limit(limit)
    if status is not None:
        query = query.where(HeldPlan.status == status)
    return list(await session.scalars(query))


def plan_json(held: HeldPlan) -> dict[str, Any]:
    return {"id": str(held.id), "personnel_number": held.personnel_number, "status": held.status,
            "plan": held.plan, "created_at": held.created_at.isoformat(), "decided_by": held.decided_by,
            "decided_at": held.decided_at.isoformat() if held.decided_at else None}  # fmt: skip


async def _open(session: AsyncSession, plan_id: uuid.UUID) -> HeldPlan:
    held = await session.get(HeldPlan, plan_id)
    if held is None:
        raise ApprovalError(f"no held plan {plan_id}", 404)
    if held.status != "held":
        raise ApprovalError(f"plan {plan_id} is {held.status}, not held")
    return held


async def approve(session: AsyncSession, plan_id: uuid.UUID, *, by: str) -> HeldPlan:
    held = await _open(session, plan_id)
    held.status, held.decided_by, held.decided_at = "approved", by, utcnow()
    await enqueue(session, APPLY_APPROVED, {"plan_id": str(held.id)}, ordering_key=str(held.person_id))
    audit.record(session, actor=by, action="plan.approved", subject_type="worker", subject_id=held.personnel_number,
                 after=held.plan)  # fmt: skip
    return held


async def reject(session: AsyncSession, plan_id: uuid.UUID, *, by: str) -> HeldPlan:
    held = await _open(session, plan_id)
    held.status, held.decided_by, held.decided_at = "rejected", by, utcnow()
    audit.record(session, actor=by, action="plan.rejected", subject_type="worker", subject_id=held.personnel_number,
                 before=held.plan)  # fmt: skip
    return held


@register(APPLY_APPROVED)
async def apply_approved(context: JobContext) -> Mapping[str, Any] | None:
    connector = await connector_for(context.tenant_id)
    if connector is None:
        raise PermanentFailure("the tenant has no directory connection: set up the Entra ID connection first")
    async with context.database.tenant_session(context.tenant_id) as session:
        held = await session.get(HeldPlan, uuid.UUID(str(context.payload["plan_id"])))
        if held is None or held.status != "approved":
            return {"skipped": "the plan is no longer approved"}
        tenant = await tenant_of(session)
        policy = await current_policy(session)
        worker = await worker_of_person(session, held.person_id)
        now = context.clock()
        today = local_date(now, tenant_zone(tenant.time_zone))
        view = await worker_view(session, worker, tenant.time_zone, today=today) if worker is not None else None
        approved = held.plan
    if view is None:
        return {"skipped": "no worker for this person"}
    the_plan, observed = await syncing.observe_and_plan(connector, view, policy, now)
    if the_plan.to_json() != approved:
        new_id = await syncing.hold_plan(context, held.person_id, view, the_plan)
        return {"re_held": str(new_id), "reason": "HR or the directory changed since the plan was approved"}
    await syncing.announce_account(context, held.person_id, the_plan)
    applied = await syncing.apply_plan(connector, the_plan, observed)
    await syncing.audit_results(context, view, applied)
    waiting = await syncing.finish_apply(connector, applied)
    result: dict[str, Any] = {"applied": len(applied.results)}
    if waiting is not None:
        result["waiting_for_manager"] = waiting
    return result
