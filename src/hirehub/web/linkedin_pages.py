"""The LinkedIn RSC configuration plugin page (``/console/linkedin/plugin``) and its callback endpoint.

The page carries the seed's script tags with the tenant's customer-app key, its bundled integration types and
width, under a Content-Security-Policy that lets in LinkedIn's two origins (``platform.linkedin.com`` serves
``in.js`` and the widget, ``www.linkedin.com`` its frames and calls) and nothing else beyond the hub itself; the
one inline script (the ``data-onintegrate`` callback) runs by nonce. The callback posts what the plugin reports to
``/console/linkedin/integrations`` as the signed-in administrator, with the session's CSRF token in a header.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from hirehub.accounts.browser import CSRF_HEADER, carries_csrf_header, current_admin
from hirehub.db.session import Database
from hirehub.errors import HubError
from hirehub.linkedin import apps, operations
from hirehub.web.auth import Admin
from hirehub.web.pages import render

router = APIRouter(include_in_schema=False)
PAGE = "/console/linkedin/plugin"
CALLBACK = "/console/linkedin/integrations"
LINKEDIN_ORIGINS = "https://platform.linkedin.com https://www.linkedin.com"
PROBLEM_JSON = "application/problem+json"
# The navigation lists the RSC page (linkedin_rsc_pages), which links here.


def content_security_policy(nonce: str) -> str:
    """Only the hub and LinkedIn's two origins; inline script only by this response's nonce."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}' {LINKEDIN_ORIGINS}",
            f"frame-src {LINKEDIN_ORIGINS}",
            f"connect-src 'self' {LINKEDIN_ORIGINS}",
            f"img-src 'self' data: {LINKEDIN_ORIGINS}",
            f"style-src 'self' 'unsafe-inline' {LINKEDIN_ORIGINS}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


@router.get(PAGE, response_class=HTMLResponse)
async def plugin_page(request: Request, admin: Admin) -> Response:
    database: Database = request.app.state.database
    async with database.tenant_session(admin.tenant_id) as session:
        app = await apps.get_customer_app(session)
        listed = await operations.list_integrations(session)
    nonce = secrets.token_urlsafe(18)
    response = render(
        request,
        "linkedin_plugin.html",
        app=app if app is not None and app.enabled else None,
        integrations=listed["integrations"],
        warnings=listed["warnings"],
        nonce=nonce,
        callback_path=CALLBACK,
        csrf_header=CSRF_HEADER,
    )
    response.headers["Content-Security-Policy"] = content_security_policy(nonce)
    return response


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    """An RFC 9457 problem, the shape the admin API answers in, for the page's script to read."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


@router.post(CALLBACK)
async def record_integrations(request: Request, document: Any = Body(...)) -> JSONResponse:
    """The plugin's integrations, stored for the signed-in administrator's tenant and their sync queued."""
    admin = await current_admin(request)
    if admin is None:
        return _problem(401, "Unauthenticated", "Sign in to the console first.")
    if not carries_csrf_header(request, admin):
        return _problem(403, "CSRF token missing", f"The callback carries the {CSRF_HEADER} header.")
    items = document.get("integrations") if isinstance(document, dict) else document
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return _problem(400, "Refused", 'the body is {"integrations": [{integrationContext, …}, …]}')
    database: Database = request.app.state.database
    try:
        async with database.tenant_transaction(admin.tenant_id) as session:
            result = await operations.record_plugin_integrations(session, items)
    except HubError as refusal:
        return _problem(refusal.status, "Refused", str(refusal))
    return JSONResponse(result, status_code=202)
