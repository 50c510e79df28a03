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
from hirehub.errors import Conflict, Invalid, NotFound
from hirehub.jobs.context import Handler, JobContext
from hirehub.jobs.queue import enqueue
from hirehub.provisioning import sync as syncing
from hirehub.provisioning.connectors import Connectors
from hirehub.provisioning.models import HeldPlan, PlanStatus

APPLY_APPROVED = "provisioning.apply_approved"


class ApprovalError(Conflict):
    """The plan was decided already (approved, rejected or superseded): only a held plan can be decided."""


class PlanNotFound(NotFound):
    """No held plan has this id in the tenant."""


def plan_id_of(text: str) -> uuid.UUID:
    """A plan id as a person typed it; :class:`~hirehub.errors.Invalid` on ``plan_id`` when it is no GUID."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Invalid(f"'{text}' is not a plan id (a GUID)", field="plan_id") from None


async def held_plans(
    session: AsyncSession, status: PlanStatus | str | None = PlanStatus.HELD, limit: int = 100
) -> Sequence[HeldPlan]:
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
        raise PlanNotFound(f"no held plan {plan_id}")
    if held.status != PlanStatus.HELD:
        raise ApprovalError(f"plan {plan_id} is {held.status}, not held")
    return held


async def approve(session: AsyncSession, plan_id: uuid.UUID, *, by: str) -> HeldPlan:
    held = await _open(session, plan_id)
    held.status, held.decided_by, held.decided_at = PlanStatus.APPROVED, by, utcnow()
    await enqueue(session, APPLY_APPROVED, {"plan_id": str(held.id)}, ordering_key=str(held.person_id))
    audit.record(session, actor=by, action="plan.approved", subject_type="worker", subject_id=held.personnel_number,
                 after=held.plan)  # fmt: skip
    return held


async def reject(session: AsyncSession, plan_id: uuid.UUID, *, by: str) -> HeldPlan:
    held = await _open(session, plan_id)
    held.status, held.decided_by, held.decided_at = PlanStatus.REJECTED, by, utcnow()
    audit.record(session, actor=by, action="plan.rejected", subject_type="worker", subject_id=held.personnel_number,
                 before=held.plan)  # fmt: skip
    return held


def make_apply_approved_handler(connectors: Connectors) -> Handler:
    """The ``provisioning.apply_approved`` handler: an approved plan applied if planning again still gives it."""

    async def apply_approved(context: JobContext) -> Mapping[str, Any] | None:
        connector = await syncing.directory_of(connectors, context)
        async with context.database.tenant_session(context.tenant_id) as session:
            held = await session.get(HeldPlan, uuid.UUID(str(context.payload["plan_id"])))
            if held is None or held.status != PlanStatus.APPROVED:
                return {"skipped": "the plan is no longer approved"}
            person_id, approved = held.person_id, held.plan
        now = context.clock()
        view, policy = await syncing.current_view(context, person_id, now)
        if view is None:
            return {"skipped": "no worker for this person"}
        the_plan, observed = await syncing.observe_and_plan(connector, view, policy, now)
        if the_plan.to_json() != approved:
            new_id = await syncing.hold_plan(context, person_id, view, the_plan)
            return {"re_held": str(new_id), "reason": "HR or the directory changed since the plan was approved"}
        return await syncing.carry_out(
            context, connector, person_id=person_id, view=view, the_plan=the_plan, observed=observed
        )

    return apply_approved
