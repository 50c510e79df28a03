"""Who a browser request comes from: the console session its cookie names, and whether it carries that session's
CSRF token in a header.

The console's pages and the admin API both accept a signed-in administrator's browser; resolving the cookie here,
beside the accounts, lets both use it without either importing the other.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from starlette.requests import Request

from hirehub.accounts import service
from hirehub.accounts.service import SignedIn
from hirehub.db.session import Database

SESSION_COOKIE = "hirehub_console"
CSRF_HEADER = "X-CSRF-Token"
"""The header a script running in a console page sends the session's CSRF token in (forms post it instead)."""


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
        admin = await service.resolve(session, token, datetime.now(UTC))
    request.state.admin = admin
    return admin


def carries_csrf_header(request: Request, admin: SignedIn) -> bool:
    """The request repeats the session's CSRF token in :data:`CSRF_HEADER`, which another site cannot make it do."""
    sent = request.headers.get(CSRF_HEADER, "")
    return bool(sent) and secrets.compare_digest(sent, admin.csrf_token)
