"""The console's own routes: sign-in, sign-out and the overview. Feature pages add their routers."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import func, select

from hirehub.db.session import Database
from hirehub.tenancy.models import Company, Tenant
from hirehub.web import accounts, console_pages, entra_pages, linkedin_pages, linkedin_rsc_pages, oidc
from hirehub.web.accounts import AccountError, SignedIn
from hirehub.web.auth import (
    PRE_SESSION_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfFailure,
    SignInRequired,
    require_admin,
    require_csrf,
    safe_next,
    sign_in_url,
)
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
        async with database.system_transaction() as session:
            token, _admin = await accounts.sign_in(session, email=email, password=password, now=datetime.now(UTC))
    except AccountError as exc:
        csrf = request.cookies.get(PRE_SESSION_CSRF_COOKIE, "")
        return render(
            request,
            "sign_in.html",
            status_code=400,
            csrf_token=csrf,
            next=safe_next(next),
            error=str(exc),
            email=email,
            oidc=oidc.offer(request, next),
        )
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
async def overview(request: Request, admin: SignedIn = Depends(require_admin)) -> Response:
    database: Database = request.app.state.database
    async with database.system_session() as session:
        tenant = await session.get_one(Tenant, admin.tenant_id)
    async with database.tenant_session(admin.tenant_id) as session:
        companies = await session.scalar(select(func.count()).select_from(Company))
    return render(request, "overview.html", tenant=tenant, companies=companies)


def install_console(app: FastAPI) -> None:
    """Mount the console, its assets, and the handlers that turn auth failures into redirects."""

    async def redirect_to_sign_in(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return RedirectResponse(sign_in_url(exc.next_path), status_code=303)

    async def refuse_csrf(request: Request, exc: Exception) -> Response:
        return render(request, "error.html", status_code=403, message="This form expired. Go back, reload and retry.")

    app.add_exception_handler(SignInRequired, redirect_to_sign_in)
    app.add_exception_handler(CsrfFailure, refuse_csrf)
    app.mount("/console/static", StaticFiles(directory=str(STATIC_DIR)), name="console-static")
    app.include_router(router)
    app.include_router(oidc.router)
    app.include_router(entra_pages.router)
    app.include_router(linkedin_rsc_pages.router)
    app.include_router(linkedin_pages.router)
    for section in console_pages.ROUTERS:
        app.include_router(section)
