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

from hirehub.audit import log as audit
from hirehub.db.session import Database
from hirehub.hr.models import Worker
from hirehub.lifecycle.planning import PlanningError
from hirehub.lifecycle.policy import PolicyError
from hirehub.provisioning import operations
from hirehub.web.accounts import SignedIn
from hirehub.web.auth import require_admin, require_csrf
from hirehub.web.forms import FieldErrors, actor, with_message
from hirehub.web.pages import NAVIGATION, render

router = APIRouter(include_in_schema=False)
PAGE = "/console/lifecycle"
NAVIGATION.append((f"{PAGE}/", "Lifecycle policy"))


async def _page(
    request: Request,
    admin: SignedIn,
    *,
    notice: str = "",
    document: str | None = None,
    problems: list[str] | None = None,
    personnel_number: str = "",
    preview: dict[str, Any] | None = None,
    field_errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    database: Database = request.app.state.database
    async with database.tenant_session(admin.tenant_id) as session:
        policy = (await operations.show_policy(session))["policy"]
        workers = [
            (w.personnel_number, f"{w.personnel_number} – {w.first_name} {w.last_name or ''}".strip())
            for w in await session.scalars(select(Worker).order_by(Worker.personnel_number))
        ]
    return render(
        request,
        "lifecycle_policy.html",
        status_code=status_code,
        policy=policy,
        document=document if document is not None else json.dumps(policy, indent=2),
        problems=problems or [],
        notice=notice,
        workers=workers,
        personnel_number=personnel_number,
        preview=preview,
        field_errors=field_errors or FieldErrors(),
    )


@router.get(f"{PAGE}/", response_class=HTMLResponse)
async def policy_page(request: Request, admin: SignedIn = Depends(require_admin), notice: str = "") -> Response:
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
async def save_policy(request: Request, admin: SignedIn = Depends(require_admin), document: str = Form("")) -> Response:
    parsed, problems = _parse(document)
    if parsed is None:
        return await _page(request, admin, document=document, problems=problems, status_code=400)
    database: Database = request.app.state.database
    try:
        async with database.tenant_transaction(admin.tenant_id) as session:
            saved = await operations.replace_policy(session, parsed, by=actor(admin))
            audit.record(
                session, actor=actor(admin), action="lifecycle.policy.set", subject_type="policy",
                subject_id="tenant", after=saved,
            )  # fmt: skip
    except PolicyError as exc:
        return await _page(request, admin, document=document, problems=list(exc.problems), status_code=400)
    return RedirectResponse(with_message(f"{PAGE}/", notice="The lifecycle policy was saved"), status_code=303)


@router.get(f"{PAGE}/preview", response_class=HTMLResponse)
async def preview(request: Request, admin: SignedIn = Depends(require_admin), personnel_number: str = "") -> Response:
    """A dry run: the plan a sync would make now for the chosen worker, applied to nothing."""
    if not personnel_number.strip():
        errors = FieldErrors({"personnel_number": "choose a worker"})
        return await _page(request, admin, field_errors=errors, status_code=400)
    database: Database = request.app.state.database
    try:
        result = await operations.preview(database, admin.tenant_id, personnel_number.strip())
    except (operations.PreviewError, PlanningError) as exc:
        errors = FieldErrors({"personnel_number": str(exc)})
        return await _page(request, admin, personnel_number=personnel_number, field_errors=errors, status_code=404)
    return await _page(request, admin, personnel_number=personnel_number, preview=result)
