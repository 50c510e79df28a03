"""Who may call the admin API, and in which tenant.

Two kinds of caller, as people use a back office: a console administrator's browser (the session
cookie, with the session's CSRF token in ``X-CSRF-Token`` on every change, so another site cannot make
the browser act), and a script holding an access token from the hub's own token endpoint for an app
whose application user has the built-in *System Administrator* security role — as a Dataverse
administrator's automation would. Either way the caller acts in exactly one tenant: its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Depends, Request
from sqlalchemy import select

from hirehub.accounts.browser import CSRF_HEADER, carries_csrf_header, current_admin
from hirehub.api.admin.plain_text import refuse_what_no_column_holds
from hirehub.api.problems import Problem
from hirehub.db.base import record_of
from hirehub.db.session import Database
from hirehub.security.models import ApplicationUser, ApplicationUserRole, SecurityRole
from hirehub.security.principal import NotAuthenticated
from hirehub.security.privileges import SYSTEM_ADMINISTRATOR_ROLE_NAME

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class AdminCaller:
    tenant_id: uuid.UUID
    actor: str
    """Who, for the audit log: ``console:<email>`` or ``app:<client id>``."""


def _unauthenticated(detail: str) -> Problem:
    return Problem(401, "Unauthenticated", detail, headers={"WWW-Authenticate": "Bearer"})


async def admin_caller(request: Request) -> AdminCaller:
    authorization = request.headers.get("authorization")
    if authorization:
        return await _app_caller(request, authorization)
    admin = await current_admin(request)
    if admin is None:
        raise _unauthenticated(
            "Sign in to the console, or send an access token (Authorization: Bearer) for an app whose application "
            f"user has the {SYSTEM_ADMINISTRATOR_ROLE_NAME} role."
        )
    if request.method not in SAFE_METHODS and not carries_csrf_header(request, admin):
        raise Problem(403, "CSRF token missing", f"Changes from a console session carry the {CSRF_HEADER} header.")
    return AdminCaller(admin.tenant_id, f"console:{admin.email}")


async def _app_caller(request: Request, authorization: str) -> AdminCaller:
    principals = request.app.state.security.principals
    if not authorization.lower().startswith("bearer "):
        raise _unauthenticated("The admin API accepts bearer access tokens (Authorization: Bearer <token>).")
    try:
        tenant_id, client_id = await principals.validate(authorization[7:].strip(), datetime.now(UTC))
    except NotAuthenticated as exc:
        raise _unauthenticated(str(exc)) from None
    database: Database = request.app.state.database
    async with database.tenant_session(tenant_id) as session:
        is_administrator = await session.scalar(
            select(SecurityRole.id)
            .join(ApplicationUserRole, record_of(SecurityRole, ApplicationUserRole.role_id))
            .join(ApplicationUser, record_of(ApplicationUser, ApplicationUserRole.user_id))
            .where(
                ApplicationUser.client_id == client_id.lower(),
                ApplicationUser.enabled.is_(True),
                SecurityRole.name == SYSTEM_ADMINISTRATOR_ROLE_NAME,
                SecurityRole.built_in.is_(True),
            )
        )
    if is_administrator is None:
        raise Problem(
            403, "Not an administrator",
            f"The application user of {client_id} needs the {SYSTEM_ADMINISTRATOR_ROLE_NAME} security role to use "
            "the admin API.",
        )  # fmt: skip
    return AdminCaller(tenant_id, f"app:{client_id}")


async def checked_admin_caller(request: Request) -> AdminCaller:
    """The caller, once its request carries only text a database can hold (:mod:`hirehub.api.admin.plain_text`)."""
    caller = await admin_caller(request)
    await refuse_what_no_column_holds(request)
    return caller


AdminDependency = Depends(checked_admin_caller)
