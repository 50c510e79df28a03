"""What the security set-up pages share: one audited change through :mod:`hirehub.security.operations`.

The pages for app registrations, security roles, HR users and Microsoft Entra applications make the same
changes as ``hirehub app|role|app-user|hr-user|entra-app-link …`` and ``/admin/v1``, by calling the same
operations; this module makes each of them the way the admin API does: in one transaction of the
administrator's tenant with its audit entry (never a secret's value), refused with the operation's message
and nothing changed, and then forgotten by the principal cache so a new role or link counts at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.accounts import SignedIn
from hirehub.audit import log as audit
from hirehub.db.session import Database
from hirehub.security import operations
from hirehub.web.forms import FormPage, PostedForm, actor, submit

Json = dict[str, Any]
SECRET_KEYS = frozenset({"secret"})


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def read(request: Request, admin: SignedIn, reader: Callable[[AsyncSession], Awaitable[Json]]) -> Json:
    """A read in the administrator's tenant, in a transaction: the built-in roles are created on first use in a
    tenant, and a page links to them by id, so the first page that lists them keeps them (nothing else is
    written by a read)."""
    async with database_of(request).tenant_transaction(admin.tenant_id) as session:
        return await reader(session)


async def read_each(request: Request, admin: SignedIn, **readers: Callable[[AsyncSession], Awaitable[Any]]) -> Json:
    """Several reads in one transaction of the administrator's tenant, each answer under its reader's name."""

    async def load(session: AsyncSession) -> Json:
        return {name: await reader(session) for name, reader in readers.items()}

    return await read(request, admin, load)


async def audited_change(
    request: Request,
    admin: SignedIn,
    *,
    action: str,
    subject: tuple[str, str | None],
    change: Callable[[AsyncSession], Awaitable[Json]],
) -> Json:
    """Make one change and audit it in the same transaction; a refusal propagates and nothing is kept.

    ``subject`` is (type, id); a ``None`` id is taken from the answer (the new row's client ID or id), as the
    admin API does, so the audit log reads the same whichever interface made the change."""
    async with database_of(request).tenant_transaction(admin.tenant_id) as session:
        result = await change(session)
        subject_id = subject[1] or str(result.get("client_id") or result.get("id"))
        audit.record(
            session, actor=actor(admin), action=action, subject_type=subject[0], subject_id=subject_id,
            after={key: value for key, value in result.items() if key not in SECRET_KEYS},
        )  # fmt: skip
    request.app.state.security.principals.forget()
    return result


async def audited_submit(
    request: Request,
    admin: SignedIn,
    posted: PostedForm,
    page: FormPage,
    *,
    action: str,
    subject: tuple[str, str | None],
    change: Callable[[AsyncSession], Awaitable[Json]],
    then: Callable[[Json], str],
) -> Response:
    """:func:`~hirehub.web.forms.submit` of one :func:`audited_change`: the form again if refused, else ``then``."""

    async def changed() -> Json:
        return await audited_change(request, admin, action=action, subject=subject, change=change)

    return await submit(posted, page, changed, then)


def is_client_id(text: str) -> bool:
    """A client (application) ID is a GUID, as Entra ID issues them."""
    try:
        uuid.UUID(text.strip())
    except ValueError:
        return False
    return True


async def usable_apps(session: AsyncSession) -> list[Json]:
    """The apps that may act in this organisation: its own registrations and the apps it consented to."""
    registered = (await operations.list_apps(session))["apps"]
    consented = (await operations.list_consented_apps(session))["apps"]
    return [*registered, *consented]
