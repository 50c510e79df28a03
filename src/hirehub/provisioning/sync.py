"""The job that converges one person's directory account with HR: observe, plan, then apply, hold or preview.

``provisioning.sync`` runs with the person as its ordering key, so one person's changes are applied strictly in
order and never concurrently. It plans from the current HR state (not the event's), observes the account by its
anchor, and then either applies the plan (auditing every step with the job's id), holds it for approval
(supervised mode), or — asked for a preview — only describes it. Throttling and unreachable directories become
retries with the directory's own wait; a name taken meanwhile is a retry too, and the next plan picks the next
name. Once converged, it schedules the next instant at which the plan can change (the provisioning window, the
start date, the first day of a leave of absence and the day of return, the end of the last day worked) as a
``provisioning.tick``, which queues a fresh sync in order.

Managers across people. A joiner's manager may have no account yet when the joiner's sync runs: both were hired
in the same batch, and syncs of different people run concurrently in any order. The ``set_manager`` step then
fails and the connector goes on with the rest. Retrying the joiner's job with backoff would be a busy wait with
no end in sight (the manager's account may be weeks away, for a manager who starts later), and a job that goes
dead blocks the person's later changes. Instead the report's sync *succeeds*, noting that it waits for the
manager, and a sync about to create an account first queues ``provisioning.notify_reports`` for that person,
ordered behind the creating job itself (same ordering key): once that job is over, however many attempts it
took, and even when the reply to the creation was lost and a later attempt found the account already there,
the notification queues a sync of each direct report in HR (:func:`queue_reports`). This converges without
polling: if the manager's account existed when the report's step ran, the step succeeded; if not, the
notification runs after the account exists, and the report's new sync, ordered behind the report's earlier
jobs, sets the manager. Anything else (an account made by hand) the scheduled reconciliation finds as a
mismatched manager and sends through the same sync.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import select

from hirehub.audit import log as audit
from hirehub.hr.models import Worker
from hirehub.jobs.context import Handler, JobContext
from hirehub.jobs.errors import Paused, PermanentFailure, RetryLater
from hirehub.jobs.queue import enqueue
from hirehub.lifecycle.connector import (
    ApplyResult,
    Connector,
    ConnectorUnavailable,
    DuplicateAnchor,
    NeedsAdministrator,
    Outcome,
)
from hirehub.lifecycle.directory_state import DirectoryAccount
from hirehub.lifecycle.expressions import ExpressionError
from hirehub.lifecycle.naming import candidates
from hirehub.lifecycle.planning import Plan, PlanningError, SetManager, plan
from hirehub.lifecycle.policy import NAME_ATTRIBUTES, LifecyclePolicy
from hirehub.lifecycle.worker_view import WorkerView, local_date, tenant_zone
from hirehub.provisioning.connectors import Connectors
from hirehub.provisioning.models import HeldPlan, PlanStatus
from hirehub.provisioning.policies import current_policy, tenant_of
from hirehub.provisioning.workers import worker_of_person, worker_view

SYNC = "provisioning.sync"
TICK = "provisioning.tick"
NOTIFY_REPORTS = "provisioning.notify_reports"
ACTOR = "lifecycle"
NAMES_CHECKED_PER_RULE = 25


async def queue_sync(session: Any, person_id: uuid.UUID, *, reason: str) -> None:
    """Queue a sync of one person in the caller's transaction, in order with that person's other jobs."""
    await enqueue(session, SYNC, {"person_id": str(person_id), "reason": reason}, ordering_key=str(person_id))


def waiting(unavailable: ConnectorUnavailable, default_seconds: float = 30.0) -> Paused | RetryLater:
    """What a job does about a directory it cannot use: wait for a person (paused, no attempt spent) when only an
    administrator can fix it, else retry after the directory's own wait."""
    if isinstance(unavailable, NeedsAdministrator):
        return Paused(str(unavailable))
    return RetryLater(unavailable.retry_after or default_seconds, str(unavailable))


async def observe_and_plan(
    connector: Connector, view: WorkerView, policy: LifecyclePolicy, now: datetime
) -> tuple[Plan, Any]:
    """The observed account and the plan that converges it (names checked against the directory first)."""
    try:
        observed = await connector.find_by_anchor(view.anchor)
        taken = set() if observed is not None else await _taken_names(connector, policy, view)
    except ConnectorUnavailable as exc:
        raise waiting(exc) from exc
    except DuplicateAnchor as exc:
        raise PermanentFailure(f"{exc}; the reconciliation report lists it for a person to resolve") from exc
    try:
        return plan(view, policy, observed, now, lambda name: name.lower() in taken), observed
    except (PlanningError, ExpressionError) as exc:
        raise PermanentFailure(f"the policy cannot be applied to worker {view.personnel_number}: {exc}") from exc


async def _taken_names(connector: Connector, policy: LifecyclePolicy, view: WorkerView) -> set[str]:
    """The candidate names the directory already holds, as far as planning will look, so planning stays pure.

    Planning takes each rule's first candidate not taken, so only the candidates up to the first free one matter:
    asking about the rest would cost a directory call each (two for an address) and change nothing. A name two
    rules share (userPrincipalName and mail usually do) is asked about once. Past ``NAMES_CHECKED_PER_RULE``
    candidates the next one is planned unchecked; should it be taken after all, applying it conflicts and the
    retry looks again.
    """
    taken: set[str] = set()
    answers: dict[str, bool] = {}
    attributes = view.attributes()
    for attribute in NAME_ATTRIBUTES:
        rule = policy.naming_rule(attribute)
        if rule is None:
            continue
        for name in islice(candidates(rule, attributes, policy.lookups), NAMES_CHECKED_PER_RULE):
            key = name.lower()
            if key not in answers:
                answers[key] = await connector.name_taken(name)
            if not answers[key]:
                break  # the rule's first free name: planning picks it and looks no further
            taken.add(key)
    return taken


async def directory_of(connectors: Connectors, context: JobContext) -> Connector:
    """The job's tenant's connector; a tenant with no directory connection cannot be provisioned, whatever the
    number of attempts."""
    connector = await connectors.for_tenant(context.tenant_id)
    if connector is None:
        raise PermanentFailure("the tenant has no directory connection: set up the Entra ID connection first")
    return connector


async def current_view(
    context: JobContext, person_id: uuid.UUID, now: datetime
) -> tuple[WorkerView | None, LifecyclePolicy]:
    """The person's worker as HR knows it on the tenant's date at ``now`` (None without a worker), and the policy."""
    async with context.database.tenant_session(context.tenant_id) as session:
        tenant = await tenant_of(session)
        policy = await current_policy(session)
        worker = await worker_of_person(session, person_id)
        today = local_date(now, tenant_zone(tenant.time_zone))
        view = await worker_view(session, worker, tenant.time_zone, today=today) if worker is not None else None
    return view, policy


async def carry_out(
    context: JobContext,
    connector: Connector,
    *,
    person_id: uuid.UUID,
    view: WorkerView,
    the_plan: Plan,
    observed: DirectoryAccount | None,
) -> dict[str, Any]:
    """Apply a plan as the engine does, approved or not: announce a new account, apply, audit every step, and
    accept a manager still to come (see the module's docstring)."""
    await announce_account(context, person_id, the_plan)
    applied = await apply_plan(connector, the_plan, observed)
    await audit_results(context, view, applied)
    waiting_for = await finish_apply(connector, applied)
    result: dict[str, Any] = {"applied": len(applied.results)}
    if waiting_for is not None:
        result["waiting_for_manager"] = waiting_for
    return result


def make_sync_handler(connectors: Connectors) -> Handler:
    """The ``provisioning.sync`` handler, provisioning into the tenant's directory among ``connectors``."""

    async def sync(context: JobContext) -> Mapping[str, Any] | None:
        person_id = uuid.UUID(str(context.payload["person_id"]))
        now = context.clock()
        connector = await directory_of(connectors, context)
        view, policy = await current_view(context, person_id, now)
        if view is None:
            return {"skipped": "no worker for this person"}
        the_plan, observed = await observe_and_plan(connector, view, policy, now)
        summary: dict[str, Any] = {"personnel_number": view.personnel_number, "plan": the_plan.describe()}
        if the_plan.is_empty:
            await _schedule_next(context, person_id=person_id, view=view, policy=policy, now=now)
            return summary
        if policy.supervised:
            summary["held_plan_id"] = str(await hold_plan(context, person_id, view, the_plan))
            return summary
        applied = await carry_out(
            context, connector, person_id=person_id, view=view, the_plan=the_plan, observed=observed
        )
        await _schedule_next(context, person_id=person_id, view=view, policy=policy, now=now)
        return {**summary, **applied}

    return sync


async def apply_plan(connector: Connector, the_plan: Plan, observed: DirectoryAccount | None) -> ApplyResult:
    """Apply, turning an unreachable directory into a retry after the directory's own wait. The plan may have
    been applied in part (or whole) before the connection broke: the retry observes again and plans only
    what is still missing, so nothing is done twice."""
    try:
        return await connector.apply(the_plan, observed)
    except ConnectorUnavailable as exc:
        raise waiting(exc) from exc


async def announce_account(context: JobContext, person_id: uuid.UUID, the_plan: Plan) -> None:
    """Before a plan that creates an account is applied, queue the notification of the person's reports, behind
    this job (see the module's docstring). Queued before, not after, so that no way the apply can end (a lost
    reply, a crash) loses it; should this job be repeated, a second notification costs empty syncs."""
    if not the_plan.creates:
        return
    async with context.tenant_transaction() as session:
        await enqueue(session, NOTIFY_REPORTS, {"person_id": str(person_id)}, ordering_key=str(person_id))


async def finish_apply(connector: Connector, applied: ApplyResult) -> str | None:
    """After a plan was applied: accept a manager who has no account yet as something to wait for (see the
    module's docstring), and raise for anything else that did not go through. Returns the anchor of the
    manager waited for, if any."""
    waiting = await _manager_missing(connector, applied)
    if waiting is not None:
        others = [r for r in applied.results if not r.ok and not isinstance(r.step, SetManager)]
        if not others:
            return waiting
    raise_unless_done(applied)
    return None


async def _manager_missing(connector: Connector, applied: ApplyResult) -> str | None:
    """The anchor of the manager a failed set_manager step pointed at, when no account carries it (asked of
    the directory, not read from an error message: connectors word their errors differently)."""
    for result in applied.of(Outcome.FAILED):
        step = result.step
        if isinstance(step, SetManager) and step.manager_anchor is not None:
            try:
                if await connector.find_by_anchor(step.manager_anchor) is None:
                    return step.manager_anchor
            except ConnectorUnavailable as exc:
                raise waiting(exc) from exc
            except DuplicateAnchor:
                return None
    return None


async def notify_reports(context: JobContext) -> Mapping[str, Any] | None:
    """The ``provisioning.notify_reports`` handler: a sync of each direct report of a person now in the directory."""
    async with context.tenant_transaction() as session:
        queued = await queue_reports(session, uuid.UUID(str(context.payload["person_id"])))
    return {"syncs_queued": queued}


async def queue_reports(session: Any, person_id: uuid.UUID) -> int:
    """Queue a sync of every direct report (in HR) of the person whose account now exists, so a report whose
    manager step failed for want of this account gets it set. Returns how many were queued."""
    manager = await worker_of_person(session, person_id)
    if manager is None:
        return 0
    reports = list(await session.scalars(select(Worker.person_id).where(Worker.manager_id == manager.id)))
    for report in reports:
        await queue_sync(session, report, reason="manager account created")
    return len(reports)


async def hold_plan(context: JobContext, person_id: uuid.UUID, view: WorkerView, the_plan: Plan) -> uuid.UUID:
    """Keep the plan for approval; an older plan held for the same person is superseded by this one."""
    async with context.tenant_transaction() as session:
        for older in await session.scalars(
            select(HeldPlan).where(HeldPlan.person_id == person_id, HeldPlan.status == PlanStatus.HELD)
        ):
            older.status = PlanStatus.SUPERSEDED
        held = HeldPlan(person_id=person_id, personnel_number=view.personnel_number, plan=the_plan.to_json())
        session.add(held)
        await session.flush()
        audit.record(session, actor=ACTOR, action="plan.held", subject_type="worker",
                     subject_id=view.personnel_number, after=the_plan.to_json(), job_id=context.job.id)  # fmt: skip
        return held.id


async def audit_results(context: JobContext, view: WorkerView, applied: ApplyResult) -> None:
    """One append-only entry per step: what it was, how it went, and the job that did it."""
    async with context.tenant_transaction() as session:
        for result in applied.results:
            if result.outcome is Outcome.SKIPPED:
                continue
            step = result.step.to_json()
            audit.record(
                session, actor=ACTOR, action=f"directory.{step.get('kind', 'step')}", subject_type="worker",
                subject_id=view.personnel_number, before=step.get("before"), after=step,  # type: ignore[arg-type]
                job_id=context.job.id, outcome=result.outcome.value, detail=result.error,
            )  # fmt: skip


def raise_unless_done(applied: ApplyResult) -> None:
    if applied.ok:
        return
    if applied.retry_after is not None:
        raise RetryLater(applied.retry_after)
    if applied.conflicts:
        raise RetryLater(1.0)  # the next plan sees the name as taken and picks the next one
    errors = "; ".join(r.error or r.outcome.value for r in applied.results if r.outcome is Outcome.FAILED)
    raise RuntimeError(f"the directory refused part of the plan: {errors}")


def next_change(view: WorkerView, policy: LifecyclePolicy, now: datetime) -> datetime | None:
    """The next instant after ``now`` at which this worker's plan can change without an HR event."""
    instants: list[datetime] = []
    if view.start_date is not None:
        window = view.start_date - timedelta(days=policy.joiner.provision_days_before_start)
        for day in (window, view.start_date):
            instants.append(datetime.combine(day, time(), tzinfo=view.zone))
    instants.extend(view.changes_at())
    leaves = view.leaves_at()
    if leaves is not None:
        instants.append(leaves)
    upcoming = [instant for instant in instants if instant > now]
    return min(upcoming) if upcoming else None


async def _schedule_next(
    context: JobContext, *, person_id: uuid.UUID, view: WorkerView, policy: LifecyclePolicy, now: datetime
) -> None:
    when = next_change(view, policy, now)
    if when is None:
        return
    async with context.tenant_transaction() as session:
        # No ordering key: a tick waiting for its time must not hold up the person's other jobs; it only queues
        # an ordered sync when its time comes.
        await enqueue(session, TICK, {"person_id": str(person_id)}, run_at=when)


async def tick(context: JobContext) -> Mapping[str, Any] | None:
    """The ``provisioning.tick`` handler: the moment a plan can change has come, so the person's sync is queued."""
    async with context.tenant_transaction() as session:
        await queue_sync(session, uuid.UUID(str(context.payload["person_id"])), reason="scheduled")
    return {"queued": SYNC}
