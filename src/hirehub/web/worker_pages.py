"""Workers: the list, one worker's page, and the changes of a worker's life after the hire.

Transfer, terminate, rehire and rescind each post a small form to :mod:`hirehub.hr.services`; the service
checks the rules and raises before changing anything, so a refused change re-renders the page with the message
next to the field and leaves the worker as it was. Each change is audited in its own transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.accounts import SignedIn
from hirehub.audit import log as audit
from hirehub.db.base import record_of
from hirehub.db.session import Database
from hirehub.errors import NotFound
from hirehub.hr import organisation, scheduled, services
from hirehub.hr.as_of import ChangeKind, ScheduledChange, WorkerAsOf, worker_as_of, zone_of
from hirehub.hr.domain import open_employment
from hirehub.hr.models import Department, Employment, Position, PositionWorkerAssignment, ReasonCode, Title, Worker
from hirehub.hr.models.options import EmploymentType, WorkerStatus
from hirehub.provisioning.policies import current_policy
from hirehub.tenancy.models import Tenant
from hirehub.web.account_timing import AccountMoment, account_timing
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.directory_account import DirectoryAccount, directory_account
from hirehub.web.entra_status import provisioning_status
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
        .outerjoin(Title, record_of(Title, Worker.title_id))
        .outerjoin(Department, record_of(Department, Worker.department_id))
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
    view: WorkerAsOf
    """The worker as of the tenant's today: status and placement now, and the changes still to come."""
    upcoming: list[tuple[ScheduledChange, str]]
    """Each scheduled change with what it does, in words ("Transfer to P-0004")."""
    employments: list[Employment]
    assignments: list[tuple[PositionWorkerAssignment, Position]]
    reasons: list[ReasonCode]
    positions: list[tuple[str, str]]
    today: date
    directory: DirectoryAccount
    timing: list[AccountMoment]
    """When the directory account will be created, enabled, changed or disabled, in sentences."""

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

    @property
    def reason_choices(self) -> list[tuple[str, str]]:
        return [
            (str(r.id), f"{r.reason_code_id} – {r.description}" if r.description else r.reason_code_id)
            for r in self.reasons
        ]


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
            .join(Position, record_of(Position, PositionWorkerAssignment.position_id))
            .where(PositionWorkerAssignment.worker_id == worker.id)
            .order_by(PositionWorkerAssignment.valid_from)
        )
    ]
    today = today_in(tenant.time_zone)
    view = await worker_as_of(session, worker.id, as_of=today)
    upcoming = [(change, await _describe(session, change)) for change in view.scheduled]
    reasons = await organisation.termination_reasons(session)
    positions = [
        (str(p.id), f"{p.position_id} – {p.description}" if p.description else p.position_id)
        for p in await open_positions(session)
    ]
    return WorkerPage(
        worker=worker,
        title=view.title,
        department=view.department,
        manager=view.manager,
        view=view,
        upcoming=upcoming,
        employments=employments,
        assignments=assignments,
        reasons=reasons,
        positions=positions,
        today=today,
        directory=await directory_account(session, worker.personnel_number),
        timing=account_timing(
            upcoming, await current_policy(session), today=today, zone=zone_of(tenant.time_zone),
            starts_today=view.employment_start == today,
        ),
    )  # fmt: skip


async def _describe(session: AsyncSession, change: ScheduledChange) -> str:
    """What a scheduled change does, in the words the worker page uses."""
    details = change.details
    if change.kind is ChangeKind.TRANSFER:
        position = (
            await session.get(Position, uuid.UUID(details["position_id"])) if details.get("position_id") else None
        )
        department = (
            await session.get(Department, uuid.UUID(details["department_id"])) if details.get("department_id") else None
        )
        target = position.position_id if position else (department.name if department else "a new placement")
        return f"Transfer to {target}"
    if change.kind is ChangeKind.MANAGER_CHANGE:
        manager = await session.get(Worker, uuid.UUID(details["manager_id"])) if details.get("manager_id") else None
        who = f"{manager.first_name} {manager.last_name or ''}".strip() if manager else "the reports-to position's"
        return f"Manager becomes {who}"
    if change.kind is ChangeKind.TERMINATION:
        return f"Termination (last day {details['last_day']})"
    return {
        ChangeKind.LEAVE: "Leave of absence begins",
        ChangeKind.RETURN: "Return from leave",
        ChangeKind.REHIRE: "Rehire",
        ChangeKind.HIRE: "First day of work",
    }[change.kind]


async def _page(
    request: Request, admin: SignedIn, worker_id: uuid.UUID, state: FormState = FormState(), notice: str = ""
) -> Response:
    database: Database = request.app.state.database
    async with database.tenant_session(admin.tenant_id) as session:
        loaded = await _load(session, admin.tenant_id, worker_id)
    if loaded is None:
        return render(request, "error.html", status_code=404, message="There is no such worker.")
    entra_status = await provisioning_status(database, admin.tenant_id, datetime.now(UTC))
    return render_form(
        request, "workers_detail.html", state, notice=notice, page=loaded, status_label=status_label,
        entra_status=entra_status, short_day=lambda day: f"{day.day} {day.strftime('%b %Y')}",
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


@router.post(f"{PAGE}/{{worker_id}}/rescind", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def rescind(request: Request, worker_id: uuid.UUID, admin: Admin) -> Response:
    async def change(session: AsyncSession, today: date) -> dict[str, Any]:
        await services.rescind_hire(session, worker_id, today=today)
        return {"rescinded_on": today.isoformat()}

    return await _change(
        request, admin, worker_id, PostedForm({}), action="worker.hire_rescinded", change=change,
        done="The hire was rescinded",
    )  # fmt: skip


@dataclass(frozen=True)
class DatedChange:
    """A change of a worker's employment posted as a day and a chosen row (a position, a reason)."""

    day: tuple[str, str, str]
    """The day's field, label, and the service's name for it (the ``field`` of a refusal about it)."""
    choice: tuple[str, str, bool]
    """The chosen row's field, label, and whether it is required."""
    action: str
    done: str
    apply: Callable[[AsyncSession, uuid.UUID, date, uuid.UUID | None, date], Awaitable[object]]
    """``apply(session, worker_id, day, chosen, today)`` makes the change through :mod:`hirehub.hr.services`."""


class WorkerChange(StrEnum):
    """The worker page's dated forms (the last segment of their path)."""

    TRANSFER = "transfer"
    TERMINATE = "terminate"
    REHIRE = "rehire"


DATED_CHANGES: dict[WorkerChange, DatedChange] = {
    WorkerChange.TRANSFER: DatedChange(
        ("effective_date", "Effective date", "effective"), ("position_id", "New position", True), "worker.transferred",
        "The worker was transferred",
        lambda session, worker_id, day, chosen, today: services.transfer(
            session, worker_id, day, position_id=chosen, today=today
        ),
    ),
    WorkerChange.TERMINATE: DatedChange(
        ("last_day", "Last day worked", "last_day"), ("reason_id", "Reason", False), "worker.terminated",
        "The worker was terminated",
        lambda session, worker_id, day, chosen, today: services.terminate(
            session, worker_id, day, reason_id=chosen, today=today
        ),
    ),
    WorkerChange.REHIRE: DatedChange(
        ("start_date", "Start date", "start_date"), ("position_id", "Position", False), "worker.rehired",
        "The worker was rehired",
        lambda session, worker_id, day, chosen, today: services.rehire(
            session, worker_id, day, position_id=chosen, today=today
        ),
    ),
}  # fmt: skip


@router.post(f"{PAGE}/{{worker_id}}/{{kind}}", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def dated_change(request: Request, worker_id: uuid.UUID, kind: WorkerChange, admin: Admin) -> Response:
    """*Transfer*, *Terminate* or *Rehire*: a day and a chosen row, checked here, then the HR service decides."""
    changing = DATED_CHANGES[kind]
    (day_field, day_label, day_input), (choice_field, choice_label, required) = changing.day, changing.choice
    posted_form = await request.form()
    raw_day, raw_choice = str(posted_form.get(day_field, "")), str(posted_form.get(choice_field, ""))
    values = {f"{kind}-{day_field}": raw_day, f"{kind}-{choice_field}": raw_choice}
    posted = PostedForm(values, f"{kind}-", fields={day_input: f"{kind}-{day_field}"})
    day = posted.problems.date(f"{kind}-{day_field}", raw_day, day_label, required=True)
    chosen = posted.problems.choice(f"{kind}-{choice_field}", raw_choice, choice_label, required=required)

    async def change(session: AsyncSession, today: date) -> dict[str, Any]:
        assert day is not None
        await changing.apply(session, worker_id, day, chosen, today)
        return {day_field: day.isoformat(), choice_field: str(chosen) if chosen else None}

    return await _change(request, admin, worker_id, posted, action=changing.action, change=change, done=changing.done)


def _scheduled_form(kind: str, change_id: uuid.UUID, raw: dict[str, str]) -> tuple[PostedForm, ChangeKind | None]:
    """The posted Change or Cancel of one scheduled change; its fields are named after the change's id, so a
    refusal is shown beside that change's row."""
    prefix = f"change-{change_id}-"
    values = {f"{prefix}{name}": value for name, value in raw.items()}
    posted = PostedForm(
        values, prefix, fields={"effective": f"{prefix}effective", "position_id": f"{prefix}position_id"}
    )
    chosen = ChangeKind(kind) if kind in ChangeKind.__members__.values() else None
    if chosen is None:
        posted.problems[f"{prefix}effective"] = "choose a scheduled change from the list"
    return posted, chosen


@router.post(
    f"{PAGE}/{{worker_id}}/scheduled/{{change_id}}/cancel",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def cancel_scheduled(request: Request, worker_id: uuid.UUID, change_id: uuid.UUID, admin: Admin) -> Response:
    """*Cancel* on a scheduled change: it is removed, and the worker reads as before it was entered."""
    form = await request.form()
    kind = str(form.get("kind", ""))
    posted, chosen = _scheduled_form(kind, change_id, {})

    async def change(session: AsyncSession, today: date) -> dict[str, Any]:
        cancelled = await scheduled.cancel(session, worker_id, change_id, kind=chosen, today=today)
        return {"cancelled": cancelled.kind.value, "effective": cancelled.effective.isoformat()}

    return await _change(
        request, admin, worker_id, posted, action="worker.scheduled_change_cancelled", change=change,
        done="The scheduled change was cancelled",
    )  # fmt: skip


@router.post(
    f"{PAGE}/{{worker_id}}/scheduled/{{change_id}}/change",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def change_scheduled(request: Request, worker_id: uuid.UUID, change_id: uuid.UUID, admin: Admin) -> Response:
    """*Change* on a scheduled change: a new effective date and, for a transfer, another position."""
    form = await request.form()
    kind = str(form.get("kind", ""))
    raw_day, raw_position = str(form.get("effective", "")), str(form.get("position_id", ""))
    posted, chosen = _scheduled_form(kind, change_id, {"effective": raw_day, "position_id": raw_position})
    prefix = f"change-{change_id}-"
    day = posted.problems.date(f"{prefix}effective", raw_day, "Takes effect on", required=True)
    position = posted.problems.choice(f"{prefix}position_id", raw_position, "Position", required=False)

    async def change(session: AsyncSession, today: date) -> dict[str, Any]:
        assert day is not None
        moved = await scheduled.reschedule(
            session, worker_id, change_id, effective=day, position_id=position, kind=chosen, today=today
        )
        return {
            "changed": moved.kind.value,
            "effective": moved.effective.isoformat(),
            "position_id": raw_position or None,
        }

    return await _change(
        request, admin, worker_id, posted, action="worker.scheduled_change_moved", change=change,
        done="The scheduled change was changed",
    )  # fmt: skip
