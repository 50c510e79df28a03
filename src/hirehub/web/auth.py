"""Request-level console security: who is signed in, CSRF checks, and where anonymous visitors go.

Every console page depends on :func:`require_admin`; an anonymous visitor is redirected to sign in
(with the page to come back to), never shown a page. Every state-changing form depends on
:func:`require_csrf`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from urllib.parse import quote

from fastapi import Form, Request

from hirehub.db.session import Database
from hirehub.web import accounts
from hirehub.web.accounts import SignedIn

SESSION_COOKIE = "hirehub_console"
PRE_SESSION_CSRF_COOKIE = "hirehub_console_csrf"


class SignInRequired(Exception):
    """Raised by :func:`require_admin`; answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfFailure(Exception):
    """A form arrived without the session's CSRF token."""


def sign_in_url(next_path: str) -> str:
    return f"/console/sign-in?next={quote(next_path, safe='/')}"


def safe_next(next_path: str | None) -> str:
    """Only same-site console paths are followed after sign-in (no open redirect)."""
    if next_path and next_path.startswith("/console/") and not next_path.startswith("//"):
        return next_path
    return "/console/"


async def current_admin(request: Request) -> SignedIn | None:
    """The signed-in administrator, if any (resolved once per request)."""
    cached: SignedIn | None = getattr(request.state, "admin", None)
    if cached is not None:
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    database: Database = request.app.state.database
    async with database.system_session() as session:
        admin = await accounts.resolve(session, token, datetime.now(UTC))
    request.state.admin = admin
    return admin


async def require_admin(request: Request) -> SignedIn:
    admin = await current_admin(request)
    if admin is not None:
        return admin
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise SignInRequired(path)


async def require_csrf(request: Request, csrf_token: str = Form("")) -> None:
    """Signed-in forms carry the session's token; the sign-in form carries the pre-session cookie's."""
    admin = await current_admin(request)
    expected = admin.csrf_token if admin else request.cookies.get(PRE_SESSION_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf_token):
        raise CsrfFailure()
