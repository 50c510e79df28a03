"""Request-level console security: who is signed in, CSRF checks, and where anonymous visitors go.

Every console page depends on :func:`require_admin`; an anonymous visitor is redirected to sign in
(with the page to come back to), never shown a page. Every state-changing form depends on
:func:`require_csrf`.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, Request

from hirehub.accounts import SignedIn
from hirehub.accounts.browser import current_admin

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


Admin = Annotated[SignedIn, Depends(require_admin)]
"""A page's parameter for the signed-in administrator (anonymous visitors are sent to sign in first)."""
