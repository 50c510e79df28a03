"""The console's own routes (sign-in, sign-out, the overview) and :func:`install_console`, which mounts every page.

The navigation is listed here, once, in the order of the work (hire, manage, automate, supervise, operate, look
back; then the set-up of API integrations and of the connections): a page module only serves its routes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import func, select

from hirehub import accounts
from hirehub.accounts.browser import SESSION_COOKIE
from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.demo import clock_state, time_travel_allowed
from hirehub.errors import HubError
from hirehub.tenancy.models import Company, Tenant
from hirehub.throttling import source_of
from hirehub.web import (
    app_pages,
    approvals_pages,
    audit_pages,
    candidate_pages,
    development_pages,
    entra_app_pages,
    entra_pages,
    hr_user_pages,
    jobs_pages,
    lifecycle_pages,
    linkedin_pages,
    linkedin_rsc_pages,
    linkedin_sync_pages,
    oidc,
    organisation_pages,
    personnel_pages,
    security_pages,
    worker_pages,
)
from hirehub.web.auth import (
    PRE_SESSION_CSRF_COOKIE,
    Admin,
    CsrfFailure,
    SignInRequired,
    require_admin,
    require_csrf,
    safe_next,
    sign_in_url,
)
from hirehub.web.dashboard import read_dashboard
from hirehub.web.entra_status import provisioning_status
from hirehub.web.pages import STATIC_DIR, render

router = APIRouter(prefix="/console", include_in_schema=False)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, next: str = "/console/") -> Response:
    csrf = secrets.token_urlsafe(24)
    response = render(
        request,
        "sign_in.html",
        csrf_token=csrf,
        next=safe_next(next),
        error=None,
        email="",
        oidc=oidc.offer(request, next),
    )
    response.set_cookie(PRE_SESSION_CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=_secure(request))
    return response


@router.post("/sign-in", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def sign_in(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form("/console/"),
) -> Response:
    database: Database = request.app.state.database
    try:
        token, _admin = await accounts.guarded_sign_in(
            database, email=email, password=password, source=source_of(request), now=datetime.now(UTC)
        )
    except HubError as exc:
        csrf = request.cookies.get(PRE_SESSION_CSRF_COOKIE, "")
        refusal = render(
            request,
            "sign_in.html",
            status_code=exc.status,
            csrf_token=csrf,
            next=safe_next(next),
            error=str(exc),
            email=email,
            oidc=oidc.offer(request, next),
        )
        if isinstance(exc, accounts.TooManySignIns) and exc.retry_after is not None:
            refusal.headers["Retry-After"] = str(int(exc.retry_after))
        return refusal
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request))
    response.delete_cookie(PRE_SESSION_CSRF_COOKIE)
    return response


@router.post("/sign-out", dependencies=[Depends(require_admin), Depends(require_csrf)])
async def sign_out(request: Request) -> Response:
    database: Database = request.app.state.database
    async with database.system_transaction() as session:
        await accounts.sign_out(session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/console/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
async def overview(request: Request, admin: Admin, notice: str = "", error: str = "") -> Response:
    database: Database = request.app.state.database
    async with database.system_session() as session:
        tenant = await session.get_one(Tenant, admin.tenant_id)
    async with database.tenant_session(admin.tenant_id) as session:
        companies = await session.scalar(select(func.count()).select_from(Company))
    entra_status = await provisioning_status(database, admin.tenant_id, datetime.now(UTC))
    board = await read_dashboard(database, admin.tenant_id, time_zone=tenant.time_zone, now=utcnow())
    settings = request.app.state.settings
    clock = clock_state(settings) if time_travel_allowed(settings) else None
    return render(
        request, "overview.html", tenant=tenant, companies=companies, entra_status=entra_status, dashboard=board,
        clock=clock, notice=notice, error=error,
    )  # fmt: skip


@dataclass(frozen=True)
class NavigationLink:
    """One entry of the console's navigation: where it goes and what it says (the page's heading)."""

    path: str
    label: str


def navigation() -> tuple[tuple[str, tuple[NavigationLink, ...]], ...]:
    """The console's sections in groups (HR, identity, integrations, administration), in the order the menu shows
    them. The job queue is "Background jobs": HR has jobs of its own (the organisation's)."""
    return (
        ("HR", (
            NavigationLink("/console/", "Overview"),
            NavigationLink(f"{personnel_pages.PAGE}/", "Personnel management"),
            NavigationLink(f"{worker_pages.PAGE}/", "Workers"),
            *(NavigationLink(section.path, section.heading) for section in organisation_pages.SECTIONS),
        )),
        ("Identity", (
            NavigationLink(f"{entra_pages.PAGE}/", "Entra ID connection"),
            NavigationLink(f"{lifecycle_pages.PAGE}/", "Lifecycle policy"),
            NavigationLink(f"{approvals_pages.PAGE}/", "Approvals"),
        )),
        ("Integrations", (
            NavigationLink(linkedin_rsc_pages.PAGE, "LinkedIn RSC"),
            NavigationLink(linkedin_sync_pages.PAGE, "LinkedIn data sync"),
            NavigationLink(f"{app_pages.PAGE}/", "App registrations"),
            NavigationLink(f"{security_pages.PAGE}/", "Security roles"),
            NavigationLink(f"{hr_user_pages.PAGE}/", "HR users"),
            NavigationLink(f"{entra_app_pages.PAGE}/", "Microsoft Entra applications"),
        )),
        ("Administration", (
            NavigationLink(f"{jobs_pages.PAGE}/", "Background jobs"),
            NavigationLink(f"{audit_pages.PAGE}/", "Audit log"),
        )),
    )  # fmt: skip


ROUTERS: tuple[APIRouter, ...] = (
    router, oidc.router, entra_pages.router, linkedin_rsc_pages.router, linkedin_pages.router, personnel_pages.router,
    worker_pages.router, lifecycle_pages.router, approvals_pages.router, jobs_pages.router, audit_pages.router,
    app_pages.router, security_pages.router, hr_user_pages.router, entra_app_pages.router, organisation_pages.router,
    candidate_pages.router, development_pages.router, linkedin_sync_pages.router,
)  # fmt: skip


def install_console(app: FastAPI) -> None:
    """Mount the console, its assets and navigation, and the handlers that turn auth failures into redirects."""

    async def redirect_to_sign_in(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return RedirectResponse(sign_in_url(exc.next_path), status_code=303)

    async def refuse_csrf(request: Request, exc: Exception) -> Response:
        return render(request, "error.html", status_code=403, message="This form expired. Go back, reload and retry.")

    app.state.console_navigation = navigation()
    app.add_exception_handler(SignInRequired, redirect_to_sign_in)
    app.add_exception_handler(CsrfFailure, refuse_csrf)
    app.mount("/console/static", StaticFiles(directory=str(STATIC_DIR)), name="console-static")
    for section in ROUTERS:
        app.include_router(section)
