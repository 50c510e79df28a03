"""The console's RSC data-sync page (``/console/linkedin-sync/``): what reached LinkedIn, what did not, and why.

It shows what ``hirehub linkedin sync status`` prints (one function answers both,
:func:`hirehub.linkedin.data_status.sync_status`): per organization, records by kind and status, the history's
progress, the last run and the refused records with LinkedIn's (or the mapping's) reason. *Sync again* and the
apply URL are the same operations as ``hirehub linkedin sync run|settings``, audited.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hirehub.accounts import SignedIn
from hirehub.audit import log as audit
from hirehub.db.session import Database
from hirehub.errors import HubError
from hirehub.linkedin import data_status
from hirehub.linkedin.data_models import KIND_ORDER
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.forms import FormState, PostedForm, actor, add_page, submit, with_message
from hirehub.web.pages import render_form

router = APIRouter(include_in_schema=False)
PAGE = "/console/linkedin-sync/"
KIND_LABELS = {"job_posting": "Job postings", "candidate": "Candidates", "application": "Applications"}


async def sync_page(request: Request, admin: SignedIn, state: FormState = FormState(), notice: str = "") -> Response:
    database: Database = request.app.state.database
    async with database.tenant_session(admin.tenant_id) as session:
        status = await data_status.sync_status(session)
    defaults = {"apply_url_template": status["apply_url_template"] or ""}
    return render_form(
        request, "linkedin_sync.html", state.or_values(defaults), notice=notice, status=status,
        kinds=[kind.value for kind in KIND_ORDER], kind_labels=KIND_LABELS,
    )  # fmt: skip


add_page(router, PAGE, sync_page)


@router.post(f"{PAGE}run", dependencies=[Depends(require_csrf)])
async def run(request: Request, admin: Admin, organization: str = Form("")) -> Response:
    """*Sync again*: the history of one organization (or every enabled one) from the start, refusals looked at again."""
    database: Database = request.app.state.database
    try:
        async with database.tenant_transaction(admin.tenant_id) as session:
            result = await data_status.resync(session, organization.strip() or None)
            audit.record(session, actor=actor(admin), action="linkedin.data.resync", subject_type="linkedin",
                         subject_id=str(admin.tenant_id), after=result)  # fmt: skip
    except HubError as refusal:
        return RedirectResponse(with_message(PAGE, error=str(refusal)), status_code=303)
    notice = "Sync queued for " + ", ".join(result["queued"])
    return RedirectResponse(with_message(PAGE, notice=notice), status_code=303)


@router.post(f"{PAGE}settings", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def settings(request: Request, admin: Admin, apply_url_template: str = Form("")) -> Response:
    """The apply URL every job posting carries (``companyApplyUrl``), which the HR model does not hold."""
    posted = PostedForm({"apply_url_template": apply_url_template})
    database: Database = request.app.state.database

    async def change() -> dict[str, Any]:
        async with database.tenant_transaction(admin.tenant_id) as session:
            result = await data_status.set_apply_url_template(session, apply_url_template)
            audit.record(session, actor=actor(admin), action="linkedin.data.settings", subject_type="linkedin",
                         subject_id=str(admin.tenant_id), after=result)  # fmt: skip
        return result

    return await submit(
        posted, lambda state: sync_page(request, admin, state), change,
        lambda _: with_message(PAGE, notice="Apply URL saved; refused job postings are looked at again"),
    )  # fmt: skip
