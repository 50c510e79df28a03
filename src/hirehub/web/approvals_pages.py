"""Approvals: the plans a supervised policy held, each approved or rejected by a person.

Listing and deciding go through :mod:`hirehub.provisioning.operations` (shared with the CLI and the admin
API), which audits each decision and queues the apply job for an approval. The page's own work is showing a
stored plan's steps in words, since a held plan is kept as JSON, not as the planner's step objects.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hirehub.db.session import Database
from hirehub.errors import HubError
from hirehub.provisioning import operations
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.forms import actor, with_message
from hirehub.web.pages import render

router = APIRouter(include_in_schema=False)
PAGE = "/console/approvals"
STATUSES = [("held", "Waiting for approval"), ("approved", "Approved"), ("rejected", "Rejected"),
            ("superseded", "Superseded"), ("all", "All")]  # fmt: skip


class Decision(StrEnum):
    """A person's answer to a held plan (the last segment of the form's path)."""

    APPROVE = "approve"
    REJECT = "reject"


def _shown(value: Any) -> str:
    return "(none)" if value in (None, "", []) else str(value)


def describe_step(step: dict[str, Any]) -> str:
    """One stored step in words (the JSON twin of the planner's ``describe``)."""
    kind = str(step.get("kind", "step"))
    if kind == "create_account":
        account = step.get("account") or {}
        state = "enabled" if account.get("accountEnabled") else (step.get("disabled_because") or "disabled")
        return f"create account {account.get('userPrincipalName')} for {account.get('anchor')} ({state})"
    if kind == "update_attributes":
        before, after = step.get("before") or {}, step.get("after") or {}
        return "update " + "; ".join(f"{name} {_shown(before.get(name))} → {_shown(after[name])}" for name in after)
    if kind == "set_manager":
        if step.get("manager") is None:
            return f"remove manager {step.get('previous')}"
        return f"set manager to {step.get('manager')}"
    if kind in ("add_to_group", "remove_from_group"):
        return f"{'add to' if kind == 'add_to_group' else 'remove from'} group {step.get('group')!r}"
    if kind in ("enable_account", "disable_account"):
        return f"{kind.split('_')[0]} account: {step.get('reason')}"
    return kind.replace("_", " ")


@router.get(f"{PAGE}/", response_class=HTMLResponse)
async def approvals_page(
    request: Request, admin: Admin, status: str = "held", notice: str = "", error: str = ""
) -> Response:
    chosen = status if status in dict(STATUSES) else "held"
    database: Database = request.app.state.database
    async with database.tenant_session(admin.tenant_id) as session:
        plans = (await operations.list_plans(session, None if chosen == "all" else chosen))["plans"]
    for held in plans:
        held["steps"] = [describe_step(step) for step in held["plan"].get("steps", [])]
    return render(
        request, "approvals_list.html", plans=plans, statuses=STATUSES, status=chosen, notice=notice, error=error
    )


@router.post(f"{PAGE}/{{plan_id}}/{{decision}}", dependencies=[Depends(require_csrf)])
async def decide(request: Request, plan_id: str, decision: Decision, admin: Admin) -> Response:
    approve = decision is Decision.APPROVE
    database: Database = request.app.state.database
    try:
        async with database.tenant_transaction(admin.tenant_id) as session:
            decided = await operations.decide(session, plan_id, approve=approve, by=actor(admin))
    except HubError as refusal:
        return RedirectResponse(with_message(f"{PAGE}/", error=str(refusal)), status_code=303)
    verb = "approved: its changes are queued" if approve else "rejected"
    notice = f"The plan for {decided['personnel_number']} was {verb}"
    return RedirectResponse(with_message(f"{PAGE}/", notice=notice), status_code=303)
