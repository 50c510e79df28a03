"""The LinkedIn RSC page (``/console/linkedin/``): the tenant's customer app, turning RSC on, and its integrations.

Everything goes through :mod:`hirehub.linkedin.operations`, the same functions behind ``hirehub linkedin …`` and
``/admin/v1/linkedin/…``, so the console cannot do RSC differently from the CLI and the API. The page never shows
a client secret (the operations never return one). Calls to LinkedIn (turning RSC on, *Refresh status*) happen
outside any open transaction, as the operations require; *Sync now* only queues the sync job.

A tenant administrator cannot set the hub's partner application (that is the hub operator's, once for every
tenant): without one, the page says so in words they can act on instead of offering a button that must fail.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hirehub.accounts import SignedIn
from hirehub.audit import log as audit
from hirehub.db.session import Database
from hirehub.errors import Conflict, HubError
from hirehub.linkedin import apps, catalog, integrations, operations
from hirehub.linkedin.apps import EnableOptions
from hirehub.linkedin.runtime import linkedin_runtime
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.forms import FormState, PostedForm, actor, add_page, submit, with_message
from hirehub.web.linkedin_pages import PAGE as PLUGIN_PAGE
from hirehub.web.pages import render_form

router = APIRouter(include_in_schema=False)
PAGE = "/console/linkedin/"
DEFAULT_WIDTH = 600
NO_PARTNER = (
    "LinkedIn RSC cannot be turned on yet: this hub has no LinkedIn partner application. Ask the people who run "
    "this hub to register the one LinkedIn's partner engineering gave them, then turn RSC on here."
)
DEFAULT_FORM = {"integration_types": list(catalog.RSC_BUNDLED_TYPES), "widget_width": str(DEFAULT_WIDTH)}


async def rsc_page(request: Request, admin: SignedIn, state: FormState = FormState(), notice: str = "") -> Response:
    database: Database = request.app.state.database
    async with linkedin_runtime() as runtime, database.tenant_session(admin.tenant_id) as session:
        state_of_rsc = await operations.show(session, runtime)
        rows = await integrations.list_integrations(session)
        partner_ready = await apps.get_partner(session) is not None
    linkedin = state_of_rsc["linkedin"]
    return render_form(
        request, "linkedin_rsc.html",
        state.or_values(DEFAULT_FORM), notice=notice, state=state_of_rsc,
        app=linkedin if linkedin and linkedin["enabled"] else None, rows=rows, labels=catalog.LABELS,
        bundled_types=catalog.BUNDLED_TYPES, required_types=catalog.RSC_BUNDLED_TYPES, plugin_page=PLUGIN_PAGE,
        partner_ready=partner_ready or linkedin is not None, no_partner=NO_PARTNER,
    )  # fmt: skip


add_page(router, PAGE, rsc_page)


@router.post(f"{PAGE}enable", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def enable(
    request: Request,
    admin: Admin,
    integration_types: list[str] = Form(default_factory=list),
    widget_width: str = Form(str(DEFAULT_WIDTH)),
) -> Response:
    """*Turn on LinkedIn RSC*: provisions the tenant's customer app through the hub's partner app."""
    posted = PostedForm({"integration_types": integration_types, "widget_width": widget_width})
    width = 0
    try:
        width = int(widget_width.strip())
    except ValueError:
        posted.problems["widget_width"] = f"'{widget_width.strip()}' is not a number of pixels"
    database: Database = request.app.state.database

    async def change() -> dict[str, Any]:
        async with database.tenant_session(admin.tenant_id) as session:
            if await apps.get_customer_app(session) is None and await apps.get_partner(session) is None:
                raise Conflict(NO_PARTNER)
        options = EnableOptions(integration_types=integration_types, widget_width=width)
        async with linkedin_runtime() as runtime:
            result: dict[str, Any] = await operations.enable(database, admin.tenant_id, runtime, options)
        async with database.tenant_transaction(admin.tenant_id) as session:
            audit.record(
                session, actor=actor(admin), action="linkedin.enable", subject_type="linkedin",
                subject_id=str(admin.tenant_id),
                after={"client_id": result["client_id"], "integration_types": result["integration_types"],
                       "widget_width": result["widget_width"]},
            )  # fmt: skip
        return result

    return await submit(
        posted,
        lambda state: rsc_page(request, admin, state),
        change,
        lambda _: with_message(PAGE, notice="LinkedIn RSC is on"),
    )


@router.post(f"{PAGE}sync", dependencies=[Depends(require_csrf)])
async def sync_now(request: Request, admin: Admin) -> Response:
    """*Sync now*: every integration and its configurations are sent to LinkedIn again by a queued job."""
    database: Database = request.app.state.database
    try:
        async with database.tenant_transaction(admin.tenant_id) as session:
            result = await operations.queue_sync(session)
            audit.record(session, actor=actor(admin), action="linkedin.integrations.sync", subject_type="linkedin",
                         subject_id=str(admin.tenant_id), after={"integrations": result["integrations"]})  # fmt: skip
    except HubError as refusal:
        return RedirectResponse(with_message(PAGE, error=str(refusal)), status_code=303)
    notice = f"Sync queued for {result['integrations']} integrations" if result["queued"] else "Nothing to sync yet"
    return RedirectResponse(with_message(PAGE, notice=notice), status_code=303)


@router.post(f"{PAGE}refresh", dependencies=[Depends(require_csrf)])
async def refresh_status(request: Request, admin: Admin) -> Response:
    """*Refresh status*: ask LinkedIn for every integration's onboarding status now (the manual retrieval)."""
    database: Database = request.app.state.database
    try:
        async with linkedin_runtime() as runtime:
            result = await operations.refresh_status(database, admin.tenant_id, runtime)
    except HubError as refusal:
        return RedirectResponse(with_message(PAGE, error=str(refusal)), status_code=303)
    notice = f"Status refreshed: {result['updated']} integrations updated"
    return RedirectResponse(with_message(PAGE, notice=notice), status_code=303)
