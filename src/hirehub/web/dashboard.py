"""The console's dashboard: what is left to set up, and whether the chain from HR to the directory is healthy.

A newcomer needs to know what to do next (an organisation, a lifecycle policy, a directory connection that
passes its test, a job runner), and an administrator needs to see what waits on them (dead and paused jobs,
held approvals) and what is coming (joiners, movers and leavers of the next fortnight). Read-only: one tenant
session and one system read of the runners' heartbeats.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.session import Database
from hirehub.directories.entra.models import EntraConnection
from hirehub.hr.models.options import PlacementChange
from hirehub.hr.models.organisation import Position
from hirehub.hr.models.recruiting import CandidateToHire
from hirehub.hr.models.workforce import Employment, WorkerPlacement
from hirehub.jobs.errors import PAUSED_PREFIX
from hirehub.jobs.heartbeat import RunnerSeen, last_heard, live_runners
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.lifecycle.worker_view import local_date, tenant_zone
from hirehub.provisioning.models import HeldPlan, PlanStatus, ProvisioningPolicy

HORIZON = timedelta(days=14)
"""How far ahead the dashboard lists joiners, movers and leavers."""


@dataclass(frozen=True)
class Step:
    """One item of the set-up checklist: done or not, and where to go to do it."""

    label: str
    done: bool
    path: str


@dataclass(frozen=True)
class ConnectionHealth:
    name: str
    status: str
    active: bool
    enabled: bool
    last_tested_at: datetime | None
    passed: bool | None
    """The last Test connection's verdict (None: never tested)."""


@dataclass(frozen=True)
class Dashboard:
    today: date
    steps: tuple[Step, ...]
    connections: tuple[ConnectionHealth, ...]
    runners: tuple[RunnerSeen, ...]
    runner_last_heard: datetime | None
    dead_jobs: int
    paused_jobs: int
    held_approvals: int
    joiners: int
    movers: int
    leavers: int
    headcount: int

    @property
    def runner_alive(self) -> bool:
        return bool(self.runners)


async def _count(session: AsyncSession, query: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)


async def _connections(session: AsyncSession) -> tuple[ConnectionHealth, ...]:
    rows = await session.scalars(select(EntraConnection).order_by(EntraConnection.name))
    return tuple(
        ConnectionHealth(
            name=row.name,
            status=row.status,
            active=bool(row.active),
            enabled=bool(row.enabled),
            last_tested_at=row.last_tested_at,
            passed=None if row.last_test is None else bool(row.last_test.get("ok")),
        )
        for row in rows
    )


async def read_dashboard(database: Database, tenant_id: uuid.UUID, *, time_zone: str, now: datetime) -> Dashboard:
    """The dashboard of ``tenant_id`` at ``now`` (its days counted in the tenant's ``time_zone``)."""
    today = local_date(now, tenant_zone(time_zone))
    until = today + HORIZON
    async with database.system_session() as session:
        runners = tuple(await live_runners(session, now))
        heard = await last_heard(session)
    async with database.tenant_session(tenant_id) as session:
        connections = await _connections(session)
        jobs = select(DurableJob.id)
        dead = await _count(session, jobs.where(DurableJob.status == JobStatus.DEAD.value))
        paused = await _count(
            session,
            jobs.where(DurableJob.status == JobStatus.HELD.value, DurableJob.last_error.startswith(PAUSED_PREFIX)),
        )
        held = await _count(session, select(HeldPlan.id).where(HeldPlan.status == PlanStatus.HELD.value))
        current = Employment.rescinded.is_(False)
        joiners = await _count(
            session,
            select(Employment.id).where(current, Employment.start_date >= today, Employment.start_date <= until),
        )
        leavers = await _count(
            session, select(Employment.id).where(current, Employment.end_date >= today, Employment.end_date <= until)
        )
        movers = await _count(
            session,
            select(WorkerPlacement.id).where(
                WorkerPlacement.change == int(PlacementChange.TRANSFER),
                WorkerPlacement.valid_from >= today,
                WorkerPlacement.valid_from <= until,
            ),
        )
        headcount = await _count(
            session,
            select(Employment.worker_id)
            .where(
                current,
                Employment.start_date <= today,
                or_(Employment.end_date.is_(None), Employment.end_date >= today),
            )
            .distinct(),
        )
        positions = await _count(session, select(Position.id))
        policy = await session.scalar(select(ProvisioningPolicy.id).limit(1)) is not None
        candidates = await _count(session, select(CandidateToHire.id))
    steps = (
        Step("Set up the organisation: departments, jobs and positions", positions > 0, "/console/departments/"),
        Step("Choose a lifecycle policy", policy, "/console/lifecycle/"),
        Step(
            "Connect Entra ID and pass Test connection",
            any(c.active and c.passed for c in connections),
            "/console/entra/",
        ),
        Step("Run a job runner (hirehub jobs run)", bool(runners), "/console/jobs/"),
        Step("Have candidates to hire (an ATS export, or added by hand)", candidates > 0, "/console/personnel/"),
    )
    return Dashboard(
        today=today, steps=steps, connections=connections, runners=runners, runner_last_heard=heard,
        dead_jobs=dead, paused_jobs=paused, held_approvals=held, joiners=joiners, movers=movers, leavers=leavers,
        headcount=headcount,
    )  # fmt: skip
