"""Lifecycle policy: the tenant's mappings, naming and group rules, a JSON editor for them, and a plan preview.

The page reads and writes through :mod:`hirehub.provisioning.operations` (the same JSON as ``hirehub policy``
and ``/admin/v1/policy``), so the console cannot validate differently: every problem the policy reader finds
is listed next to the editor, and nothing is stored unless the whole document is valid.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from hirehub.accounts import SignedIn
from hirehub.audit import log as audit
from hirehub.db.session import Database
from hirehub.directories.entra.diagnosis import directory_failure, is_directory_failure
from hirehub.errors import HubError
from hirehub.hr.models import Worker
from hirehub.lifecycle.policy import PolicyError
from hirehub.provisioning import operations
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.forms import FormState, PostedForm, actor, with_message
from hirehub.web.pages import render_form

router = APIRouter(include_in_schema=False)
PAGE = "/console/lifecycle"


async def _page(
    request: Request,
    admin: SignedIn,
    state: FormState = FormState(),
    *,
    notice: str = "",
    document: str | None = None,
    problems: list[str] | None = None,
    preview: dict[str, Any] | None = None,
) -> Response:
    database: Database = request.app.state.database
    async with database.tenant_session(admin.tenant_id) as session:
        policy = (await operations.show_policy(session))["policy"]
        workers = [
            (w.personnel_number, f"{w.personnel_number} – {w.first_name} {w.last_name or ''}".strip())
            for w in await session.scalars(select(Worker).order_by(Worker.personnel_number))
        ]
    return render_form(
        request, "lifecycle_policy.html", state, notice=notice, policy=policy,
        document=document if document is not None else json.dumps(policy, indent=2), problems=problems or [],
        workers=workers, personnel_number=state.values.get("personnel_number", ""), preview=preview,
    )  # fmt: skip


@router.get(f"{PAGE}/", response_class=HTMLResponse)
async def policy_page(request: Request, admin: Admin, notice: str = "") -> Response:
    return await _page(request, admin, notice=notice)


def _parse(document: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The posted text as a JSON object, or the reason it is not one (with the line and column to look at)."""
    try:
        parsed = json.loads(document)
    except json.JSONDecodeError as exc:
        return None, [f"line {exc.lineno}, column {exc.colno}: {exc.msg} (the policy is JSON)"]
    if not isinstance(parsed, dict):
        return None, ["the policy is a JSON object: { … }"]
    # The admin API takes {"policy": {...}} as well as the bare document; so does the editor.
    inner = parsed.get("policy")
    return (inner if isinstance(inner, dict) else parsed), []


@router.post(f"{PAGE}/policy", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def save_policy(request: Request, admin: Admin, document: str = Form("")) -> Response:
    parsed, problems = _parse(document)
    if parsed is None:
        return await _page(request, admin, FormState(status_code=400), document=document, problems=problems)
    database: Database = request.app.state.database
    try:
        async with database.tenant_transaction(admin.tenant_id) as session:
            saved = await operations.replace_policy(session, parsed, by=actor(admin))
            audit.record(
                session, actor=actor(admin), action="lifecycle.policy.set", subject_type="policy",
                subject_id="tenant", after=saved,
            )  # fmt: skip
    except PolicyError as exc:
        return await _page(request, admin, FormState(status_code=400), document=document, problems=list(exc.problems))
    return RedirectResponse(with_message(f"{PAGE}/", notice="The lifecycle policy was saved"), status_code=303)


@router.get(f"{PAGE}/preview", response_class=HTMLResponse)
async def preview(request: Request, admin: Admin, personnel_number: str = "", as_of: str = "") -> Response:
    """A dry run: the plan a sync would make now (or on the morning of ``as_of``) for the chosen worker, applied
    to nothing."""
    posted = PostedForm({"personnel_number": personnel_number, "as_of": as_of})
    day = posted.problems.date("as_of", as_of, "As of")
    if not personnel_number.strip():
        posted.problems["personnel_number"] = "choose a worker"
    if posted.problems:
        return await _page(request, admin, posted.invalid())
    database: Database = request.app.state.database
    try:
        result = await operations.preview(
            database, connectors=request.app.state.connectors, tenant_id=admin.tenant_id,
            personnel_number=personnel_number.strip(), as_of=day,
        )  # fmt: skip
    except HubError as refusal:
        return await _page(request, admin, posted.refused(refusal))
    except Exception as failure:  # the directory's failure (network, sign-in, Graph) is said on the page, not a 500
        if not is_directory_failure(failure):
            raise
        return await _page(request, admin, posted.refused(directory_failure(failure)))
    return await _page(request, admin, FormState(posted.values), preview=result)
