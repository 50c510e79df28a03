"""Workers: the list, one worker's page, and the changes of a worker's life after the hire.

Transfer, terminate, rehire and rescind each post a small form to :mod:`hirehub.hr.services`; the service
checks the rules and raises before changing anything, so a refused change re-renders the page with the message
next to the field and leaves the worker as it was. Each change is audited in its own transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.accounts import SignedIn
from hirehub.audit import log as audit
from hirehub.db.session import Database
from hirehub.errors import NotFound
from hirehub.hr import services
from hirehub.hr.domain import open_employment
from hirehub.hr.models import Department, Employment, Position, PositionWorkerAssignment, ReasonCode, Title, Worker
from hirehub.hr.models.options import EmploymentType, ReasonCategory, WorkerStatus
from hirehub.tenancy.models import Tenant
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.directory_account import DirectoryAccount, directory_account
from hirehub.web.forms import FormState, PostedForm, actor, submit, today_in, with_message
from hirehub.web.pages import render, render_form
from hirehub.web.personnel_pages import open_positions

router = APIRouter(include_in_schema=False)
PAGE = "/console/workers"

STATUSES: list[tuple[str, str]] = [(s.name.lower(), s.name.replace("_", " ").capitalize()) for s in WorkerStatus]


def status_label(value: int) -> str:
    return WorkerStatus(value).name.replace("_", " ").capitalize()


@router.get(f"{PAGE}/", response_class=HTMLResponse)
async def workers_page(request: Request, admin: Admin, status: str = "") -> Response:
    database: Database = request.app.state.database
    query = (
        select(Worker, Title.title_id, Department.name)
        .outerjoin(Title, Title.id == Worker.title_id)
        .outerjoin(Department, Department.id == Worker.department_id)
        .order_by(Worker.personnel_number)
    )
    chosen = status if status.upper() in WorkerStatus.__members__ else ""
    if chosen:
        query = query.where(Worker.status == WorkerStatus[chosen.upper()])
    async with database.tenant_session(admin.tenant_id) as session:
        rows = (await session.execute(query)).all()
    return render(request, "workers_list.html", rows=rows, statuses=STATUSES, status=chosen, status_label=status_label)


@dataclass(frozen=True)
class WorkerPage:
    """Everything the worker page shows, loaded in one session."""

    worker: Worker
    title: Title | None
    department: Department | None
    manager: Worker | None
    employments: list[Employment]
    assignments: list[tuple[PositionWorkerAssignment, Position]]
    reasons: list[ReasonCode]
    positions: list[tuple[str, str]]
    today: date
    directory: DirectoryAccount

    @property
    def current(self) -> Employment | None:
        return open_employment(self.employments)

    @property
    def can_rescind(self) -> bool:
        current = self.current
        return current is not None and current.start_date > self.today

    @property
    def can_rehire(self) -> bool:
        return self.current is None


async def _load(session: AsyncSession, tenant_id: uuid.UUID, worker_id: uuid.UUID) -> WorkerPage | None:
    worker = await session.get(Worker, worker_id)
    if worker is None:
        return None
    tenant = await session.get_one(Tenant, tenant_id)
    employments = list(
        await session.scalars(
            select(Employment).where(Employment.worker_id == worker.id).order_by(Employment.start_date)
        )
    )
    assignments = [
        (assignment, position)
        for assignment, position in await session.execute(
            select(PositionWorkerAssignment, Position)
            .join(Position, Position.id == PositionWorkerAssignment.position_id)
            .where(PositionWorkerAssignment.worker_id == worker.id)
            .order_by(PositionWorkerAssignment.valid_from)
        )
    ]
    reasons = list(
        await session.scalars(
            select(ReasonCode)
            .where(or_(ReasonCode.category == ReasonCategory.TERMINATION, ReasonCode.category.is_(None)))
            .order_by(ReasonCode.reason_code_id)
        )
    )
    positions = [
        (str(p.id), f"{p.position_id} – {p.description}" if p.description else p.position_id)
        for p in await open_positions(session)
    ]
    return WorkerPage(
        worker=worker,
        title=await session.get(Title, worker.title_id) if worker.title_id else None,
        department=await session.get(Department, worker.department_id) if worker.department_id else None,
        manager=await session.get(Worker, worker.manager_id) if worker.manager_id else None,
        employments=employments,
        assignments=assignments,
        reasons=reasons,
        positions=positions,
        today=today_in(tenant.time_zone),
        directory=await directory_account(session, worker.personnel_number),
    )


async def _page(
    request: Request, admin: SignedIn, worker_id: uuid.UUID, state: FormState = FormState(), notice: str = ""
) -> Response:
    database: Database = request.app.state.database
    async with database.tenant_session(admin.tenant_id) as session:
        loaded = await _load(session, admin.tenant_id, worker_id)
    if loaded is None:
        return render(request, "error.html", status_code=404, message="There is no such worker.")
    return render_form(
        request, "workers_detail.html", state, notice=notice, page=loaded, status_label=status_label,
        employment_type=lambda value: EmploymentType(value).name.replace("_", " ").capitalize() if value else "—",
    )  # fmt: skip


@router.get(f"{PAGE}/{{worker_id}}", response_class=HTMLResponse)
async def worker_page(
    request: Request, worker_id: uuid.UUID, admin: Admin, notice: str = "", error: str = ""
) -> Response:
    return await _page(request, admin, worker_id, FormState(error=error), notice)


async def _change(
    request: Request, admin: SignedIn, worker_id: uuid.UUID, posted: PostedForm, *, action: str, change: Any, done: str
) -> Response:
    """Run one HR change in a transaction with its audit entry; a refusal is shown beside the field it names.

    ``change`` takes the session and the worker's tenant-local today, and returns what to audit."""
    database: Database = request.app.state.database

    async def changed() -> None:
        async with database.tenant_transaction(admin.tenant_id) as session:
            worker = await session.get(Worker, worker_id)
            if worker is None:
                raise NotFound("There is no such worker.")
            tenant = await session.get_one(Tenant, admin.tenant_id)
            after = await change(session, today_in(tenant.time_zone))
            audit.record(
                session, actor=actor(admin), action=action, subject_type="worker",
                subject_id=worker.personnel_number, after=after,
            )  # fmt: skip

    def then(_changed: None) -> str:
        return with_message(f"{PAGE}/{worker_id}", notice=done)

    return await submit(posted, lambda state: _page(request, admin, worker_id, state), changed, then)


@router.post(f"{PAGE}/{{worker_id}}/transfer", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def transfer(
    request: Request,
    worker_id: uuid.UUID,
    admin: Admin,
    effective_date: str = Form(""),
    position_id: str = Form(""),
) -> Response:
    posted = PostedForm({"transfer-effective_date": effective_date, "transfer-position_id": position_id}, "transfer-")
    effective = posted.problems.date("transfer-effective_date", effective_date, "Effective date", required=True)
    position = posted.problems.choice("transfer-position_id", position_id, "New position", required=True)

    async def change(session: AsyncSession, _today: date) -> dict[str, Any]:
        assert effective is not None
        await services.transfer(session, worker_id, effective, position_id=position)
        return {"effective_date": effective.isoformat(), "position_id": str(position)}

    return await _change(
        request, admin, worker_id, posted, action="worker.transferred", change=change, done="The worker was transferred"
    )


@router.post(f"{PAGE}/{{worker_id}}/terminate", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def terminate(
    request: Request,
    worker_id: uuid.UUID,
    admin: Admin,
    last_day: str = Form(""),
    reason_id: str = Form(""),
) -> Response:
    posted = PostedForm({"terminate-last_day": last_day, "terminate-reason_id": reason_id}, "terminate-")
    last = posted.problems.date("terminate-last_day", last_day, "Last day worked", required=True)
    reason = posted.problems.choice("terminate-reason_id", reason_id, "Reason")

    async def change(session: AsyncSession, today: date) -> dict[str, Any]:
        assert last is not None
        await services.terminate(session, worker_id, last, reason_id=reason, today=today)
        return {"last_day": last.isoformat(), "reason_id": str(reason) if reason else None}

    return await _change(
        request, admin, worker_id, posted, action="worker.terminated", change=change, done="The worker was terminated"
    )


@router.post(f"{PAGE}/{{worker_id}}/rehire", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def rehire(
    request: Request,
    worker_id: uuid.UUID,
    admin: Admin,
    start_date: str = Form(""),
    position_id: str = Form(""),
) -> Response:
    posted = PostedForm({"rehire-start_date": start_date, "rehire-position_id": position_id}, "rehire-")
    start = posted.problems.date("rehire-start_date", start_date, "Start date", required=True)
    position = posted.problems.choice("rehire-position_id", position_id, "Position")

    async def change(session: AsyncSession, _today: date) -> dict[str, Any]:
        assert start is not None
        await services.rehire(session, worker_id, start, position_id=position)
        return {"start_date": start.isoformat(), "position_id": str(position) if position else None}

    return await _change(
        request, admin, worker_id, posted, action="worker.rehired", change=change, done="The worker was rehired"
    )


@router.post(f"{PAGE}/{{worker_id}}/rescind", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def rescind(request: Request, worker_id: uuid.UUID, admin: Admin) -> Response:
    async def change(session: AsyncSession, today: date) -> dict[str, Any]:
        await services.rescind_hire(session, worker_id, today=today)
        return {"rescinded_on": today.isoformat()}

    return await _change(
        request, admin, worker_id, PostedForm({}), action="worker.hire_rescinded", change=change,
        done="The hire was rescinded",
    )  # fmt: skip
