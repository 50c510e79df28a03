"""Personnel management: *Candidates to hire*, and the *Hire new worker* dialog for one candidate.

The dialog only collects and checks what the HR user typed; the hire itself is :func:`hirehub.hr.services.hire`,
the same service the API's bound *Hire* action calls, so the console cannot hire differently. A refusal is
shown next to the field it concerns and the transaction is rolled back: nothing changes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.accounts import SignedIn
from hirehub.audit import log as audit
from hirehub.db.session import Database
from hirehub.hr import organisation, services
from hirehub.hr.as_of import tenant_today
from hirehub.hr.domain import HireDetails
from hirehub.hr.job_titles import proposed_title, title_named
from hirehub.hr.locations import work_location
from hirehub.hr.models import CandidateToHire, LinkedInExportedCandidate, Position, Worker
from hirehub.hr.models.options import ApplicantIntegrationResult, EmploymentType
from hirehub.tenancy.service import list_companies
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.forms import FormState, PostedForm, actor, submit, with_message
from hirehub.web.pages import render, render_form

router = APIRouter(include_in_schema=False)
PAGE = "/console/personnel"

EMPLOYMENT_TYPES: list[tuple[str, str]] = [
    (EmploymentType.FULL_TIME.name, "Full time"),
    (EmploymentType.PART_TIME.name, "Part time"),
    (EmploymentType.TEMPORARY.name, "Temporary"),
]
# The hire service's inputs that the dialog names differently.
HIRE_FIELDS = {"company_code": "company", "title_id": "title"}


@dataclass(frozen=True)
class CandidateRow:
    """A candidate as the list shows it: where it came from and what it was hired for."""

    candidate: CandidateToHire
    source: str
    job_title: str | None


@dataclass(frozen=True)
class OpenPosition:
    id: uuid.UUID
    position_id: str
    description: str | None
    free: int


async def open_positions(
    session: AsyncSession, keep: uuid.UUID | None = None, *, day: date | None = None
) -> list[OpenPosition]:
    """Positions a worker can take from ``day`` (today in the tenant by default): active, not retired, with a free
    seat (:func:`hirehub.hr.organisation.positions_open_on`); ``keep`` is listed anyway, so a candidate's proposed
    position is shown even when the service is about to refuse it."""
    on = day or await tenant_today(session)
    return [
        OpenPosition(o.position.id, o.position.position_id, o.position.description, o.free)
        for o in await organisation.positions_open_on(session, on, keep=keep)
    ]


async def _rows(session: AsyncSession) -> list[CandidateRow]:
    candidates = list(
        await session.scalars(
            select(CandidateToHire)
            .where(CandidateToHire.applicant_integration_result == ApplicantIntegrationResult.NOT_PROCESSED)
            .order_by(CandidateToHire.availability_date, CandidateToHire.last_name, CandidateToHire.first_name)
        )
    )
    ids = [c.id for c in candidates]
    exports = {
        e.candidate_ref_id: e
        for e in await session.scalars(
            select(LinkedInExportedCandidate).where(LinkedInExportedCandidate.candidate_ref_id.in_(ids))
        )
    }
    position_ids = [c.position_ref_id for c in candidates if c.position_ref_id]
    positions = {p.id: p for p in await session.scalars(select(Position).where(Position.id.in_(position_ids)))}
    rows = []
    for candidate in candidates:
        export = exports.get(candidate.id)
        position = positions.get(candidate.position_ref_id) if candidate.position_ref_id else None
        title = candidate.job_title or (export.job_title if export else None)
        title = title or (position.description if position else None)
        source = "LinkedIn Talent Hub export" if export else "Entered in hirehub or the API"
        rows.append(CandidateRow(candidate, source, title))
    return rows


@router.get(f"{PAGE}/", response_class=HTMLResponse)
async def candidates_page(request: Request, admin: Admin, notice: str = "", error: str = "") -> Response:
    database: Database = request.app.state.database
    async with database.tenant_session(admin.tenant_id) as session:
        rows = await _rows(session)
    return render(request, "personnel_candidates.html", rows=rows, notice=notice, error=error)


async def _dialog(
    request: Request, admin: SignedIn, candidate_id: uuid.UUID, state: FormState = FormState()
) -> Response:
    database: Database = request.app.state.database
    async with database.tenant_session(admin.tenant_id) as session:
        candidate = await session.get(CandidateToHire, candidate_id)
        if candidate is None:
            return render(request, "error.html", status_code=404, message="There is no such candidate to hire.")
        positions = await open_positions(session, keep=candidate.position_ref_id, day=candidate.availability_date)
        companies = await list_companies(session)
        export = await session.scalar(
            select(LinkedInExportedCandidate).where(LinkedInExportedCandidate.candidate_ref_id == candidate.id)
        )
        proposed = await proposed_title(session, candidate)
        address = await work_location(session, candidate.person_ref_id) if candidate.person_ref_id else None
    hired = candidate.applicant_integration_result == ApplicantIntegrationResult.HIRED
    values = state.values or {
        "first_name": candidate.first_name,
        "last_name": candidate.last_name or "",
        "email": candidate.email or "",
        "phone": candidate.phone or "",
        "start_date": candidate.availability_date.isoformat() if candidate.availability_date else "",
        "company": candidate.data_area_id or (companies[0].code if len(companies) == 1 else ""),
        "position_id": str(candidate.position_ref_id or ""),
        "title": proposed or "",
        "employment_type": EmploymentType.FULL_TIME.name,
    }
    return render_form(
        request, "personnel_hire.html", FormState(values, state.field_errors, state.error, state.status_code),
        candidate=candidate, export=export, hired=hired, location=address.location_name if address else None,
        positions=[(str(p.id), _position_label(p)) for p in positions],
        companies=[(c.code, f"{c.code} – {c.name}") for c in companies], employment_types=EMPLOYMENT_TYPES,
    )  # fmt: skip


def _position_label(position: OpenPosition) -> str:
    described = f"{position.position_id} – {position.description}" if position.description else position.position_id
    return described if position.free > 0 else f"{described} (no free seat)"


@router.get(f"{PAGE}/candidates/{{candidate_id}}/hire", response_class=HTMLResponse)
async def hire_dialog(request: Request, candidate_id: uuid.UUID, admin: Admin) -> Response:
    return await _dialog(request, admin, candidate_id)


@router.post(
    f"{PAGE}/candidates/{{candidate_id}}/hire", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def hire(
    request: Request,
    candidate_id: uuid.UUID,
    admin: Admin,
    first_name: str = Form(""),
    last_name: str = Form(""),
    email: str = Form(""),
    phone: str = Form(""),
    start_date: str = Form(""),
    company: str = Form(""),
    position_id: str = Form(""),
    title: str = Form(""),
    employment_type: str = Form(EmploymentType.FULL_TIME.name),
) -> Response:
    form = {
        "first_name": first_name, "last_name": last_name, "email": email, "phone": phone, "start_date": start_date,
        "company": company, "position_id": position_id, "title": title, "employment_type": employment_type,
    }  # fmt: skip
    posted = PostedForm(form, fields=HIRE_FIELDS)
    start: date | None = posted.problems.date("start_date", start_date, "Start date", required=True)
    position = posted.problems.choice("position_id", position_id, "Position")
    if employment_type not in EmploymentType.__members__:
        posted.problems["employment_type"] = f"'{employment_type}' is not an employment type"
    if email.strip() and "@" not in email:
        posted.problems["email"] = f"'{email.strip()}' is not an e-mail address"
    database: Database = request.app.state.database

    async def change() -> Worker:
        async with database.tenant_transaction(admin.tenant_id) as session:
            worker_title = await title_named(session, title, actor=actor(admin))
            outcome = await services.hire(
                session, candidate_id,
                HireDetails(start, first_name=first_name, last_name=last_name, email=email, phone=phone),
                position_id=position, company_code=company.strip() or None,
                title_id=worker_title.id if worker_title else None,
            )  # fmt: skip
            outcome.employment.employment_type = EmploymentType[employment_type]
            worker = outcome.worker
            audit.record(
                session, actor=actor(admin), action="worker.hired", subject_type="worker",
                subject_id=worker.personnel_number,
                after={"candidate_id": str(candidate_id), "start_date": start.isoformat() if start else None,
                       "company": worker.data_area_id, "position_id": position_id or None,
                       "title": worker_title.title_id if worker_title else None, "employment_type": employment_type},
            )  # fmt: skip
        return worker

    def then(worker: Worker) -> str:
        name = f"{worker.first_name} {worker.last_name or ''}".strip()
        return with_message(f"/console/workers/{worker.id}", notice=f"{name} was hired as {worker.personnel_number}")

    return await submit(posted, lambda state: _dialog(request, admin, candidate_id, state), change, then)
