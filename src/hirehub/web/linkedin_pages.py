"""The LinkedIn RSC configuration plugin page (``/console/linkedin/plugin``) and its callback endpoint.

The page carries LinkedIn's RSC onboarding guide's script tags with the tenant's customer-app key, its bundled
integration types and width, under a Content-Security-Policy that lets in LinkedIn's two origins
(``platform.linkedin.com`` serves ``in.js`` and the widget, ``www.linkedin.com`` its frames and calls) and nothing else
beyond the hub itself; the one inline script (the ``data-onintegrate`` callback) runs by nonce. The callback posts what
the plugin reports to ``/console/linkedin/integrations`` as the signed-in administrator, with the session's CSRF token
in a header.

In development, ``HIREHUB_BROWSER_HOST_MAP`` may send LinkedIn's origins elsewhere (``hirehub demo run`` sends
``platform.linkedin.com`` to the LinkedIn sandbox, which plays the plugin): the script's URL and the policy then
name the mapped origins, as the redirects of *Link account* do. Production always loads LinkedIn's own.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from hirehub.accounts.browser import CSRF_HEADER, carries_csrf_header, current_admin
from hirehub.db.session import Database
from hirehub.errors import Forbidden, Invalid, Unauthenticated
from hirehub.linkedin import apps, operations
from hirehub.outbound import HostMap
from hirehub.settings import Environment, Settings
from hirehub.web.auth import Admin
from hirehub.web.pages import render

router = APIRouter(include_in_schema=False)
PAGE = "/console/linkedin/plugin"
CALLBACK = "/console/linkedin/integrations"
PLATFORM_ORIGIN = "https://platform.linkedin.com"
"""Serves ``in.js`` and the onboarding widget."""
LINKEDIN_ORIGINS = (PLATFORM_ORIGIN, "https://www.linkedin.com")
# The navigation lists the RSC page (linkedin_rsc_pages), which links here.


def linkedin_origins(settings: Settings) -> dict[str, str]:
    """Each LinkedIn origin the page uses → the origin the browser really loads it from (itself outside
    development, or where the browser host map sends it)."""
    host_map = HostMap(settings.browser_host_map if settings.env is Environment.DEVELOPMENT else {})
    return {origin: host_map.rewrite(origin)[0].rstrip("/") for origin in LINKEDIN_ORIGINS}


def content_security_policy(nonce: str, origins: Iterable[str] = LINKEDIN_ORIGINS) -> str:
    """Only the hub and LinkedIn's origins (``origins``); inline script only by this response's nonce."""
    allowed = " ".join(dict.fromkeys(origins))
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}' {allowed}",
            f"frame-src {allowed}",
            f"connect-src 'self' {allowed}",
            f"img-src 'self' data: {allowed}",
            f"style-src 'self' 'unsafe-inline' {allowed}",
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
    origins = linkedin_origins(request.app.state.settings)
    response = render(
        request,
        "linkedin_plugin.html",
        app=app if app is not None and app.enabled else None,
        integrations=listed["integrations"],
        warnings=listed["warnings"],
        nonce=nonce,
        callback_path=CALLBACK,
        csrf_header=CSRF_HEADER,
        platform_origin=origins[PLATFORM_ORIGIN],
        rsc_page="/console/linkedin/",
    )
    response.headers["Content-Security-Policy"] = content_security_policy(nonce, origins.values())
    return response


@router.post(CALLBACK)
async def record_integrations(request: Request, document: Any = Body(...)) -> JSONResponse:
    """The plugin's integrations, stored for the signed-in administrator's tenant and their sync queued.

    The page's script reads the answer, so a refusal is raised as the hub's refusal and the application answers it
    as a problem document, as it does every JSON endpoint's."""
    admin = await current_admin(request)
    if admin is None:
        raise Unauthenticated("Sign in to the console first.")
    if not carries_csrf_header(request, admin):
        raise Forbidden(f"The callback carries the {CSRF_HEADER} header.")
    items = document.get("integrations") if isinstance(document, dict) else document
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise Invalid('the body is {"integrations": [{integrationContext, …}, …]}', field="integrations")
    database: Database = request.app.state.database
    async with database.tenant_transaction(admin.tenant_id) as session:
        result = await operations.record_plugin_integrations(session, items)
    return JSONResponse(result, status_code=202)
