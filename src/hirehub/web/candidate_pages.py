"""*Add candidate to hire*: a candidate entered by hand, who then waits in *Candidates to hire* for the Hire step.

The candidate is made by :func:`hirehub.hr.candidates.add_candidate`, as ``hirehub hr candidate add`` makes one;
a refusal is shown beside its field and nothing is added.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from hirehub.accounts import SignedIn
from hirehub.db.session import Database
from hirehub.hr import candidates
from hirehub.hr.models import CandidateToHire
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.forms import FormState, PostedForm, actor, submit, with_message
from hirehub.web.pages import render_form

router = APIRouter(include_in_schema=False)
PAGE = "/console/personnel/candidates/new"
CANDIDATES = "/console/personnel/"
FIELDS = ("first_name", "last_name", "email", "phone", "job_title", "availability_date")


async def add_page(request: Request, admin: SignedIn, state: FormState = FormState()) -> Response:
    return render_form(request, "candidate_add.html", state)


@router.get(PAGE, response_class=HTMLResponse)
async def new_candidate(request: Request, admin: Admin) -> Response:
    return await add_page(request, admin)


@router.post(PAGE, response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def add_candidate(
    request: Request,
    admin: Admin,
    first_name: str = Form(""),
    last_name: str = Form(""),
    email: str = Form(""),
    phone: str = Form(""),
    job_title: str = Form(""),
    availability_date: str = Form(""),
) -> Response:
    values = dict(zip(FIELDS, (first_name, last_name, email, phone, job_title, availability_date), strict=True))
    posted = PostedForm(values)
    start: date | None = posted.problems.date("availability_date", availability_date, "Start date")
    database: Database = request.app.state.database

    async def change() -> CandidateToHire:
        new = candidates.HandEntered(
            first_name=first_name, last_name=last_name, email=email, phone=phone, job_title=job_title,
            availability_date=start,
        )  # fmt: skip
        async with database.tenant_transaction(admin.tenant_id) as session:
            return await candidates.add_candidate(session, new, actor=actor(admin))

    def then(candidate: CandidateToHire) -> str:
        name = f"{candidate.first_name} {candidate.last_name or ''}".strip()
        return with_message(CANDIDATES, notice=f"{name} was added as {candidate.candidate_id}")

    return await submit(posted, lambda state: add_page(request, admin, state), change, then)
