"""What every admin route does: read in the caller's tenant, or change it in one audited transaction.

A refusal of the domain propagates as it is: the app answers every :class:`~hirehub.errors.HubError` with its
problem document (:mod:`hirehub.api.problems`), and the transaction it interrupted keeps nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.api.admin.caller import AdminCaller
from hirehub.audit import log as audit
from hirehub.db.session import Database

Json = dict[str, Any]
Work = Callable[[AsyncSession], Awaitable[Json]]
"""What a route does inside the session the helpers open (usually one call of an ``operations`` module)."""
SECRET_KEYS = frozenset({"secret"})


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def read(request: Request, caller: AdminCaller, reader: Work) -> Json:
    async with database_of(request).tenant_session(caller.tenant_id) as session:
        return await reader(session)


async def change(
    request: Request, caller: AdminCaller, action: str, subject: tuple[str, str | None], changer: Work
) -> Json:
    """Make one change in the caller's tenant and audit it in the same transaction (never a secret's value).

    ``subject`` is (type, id); a ``None`` id is taken from the answer (the new row's client ID or id)."""
    async with database_of(request).tenant_transaction(caller.tenant_id) as session:
        result = await changer(session)
        subject_id = subject[1] or str(result.get("client_id") or result.get("id"))
        audit.record(
            session, actor=caller.actor, action=action, subject_type=subject[0], subject_id=subject_id,
            after={key: value for key, value in result.items() if key not in SECRET_KEYS},
        )  # fmt: skip
    return result


async def transact(request: Request, caller: AdminCaller, changer: Work) -> Json:
    """One transaction in the caller's tenant, for changes the domain audits itself (plan decisions)."""
    async with database_of(request).tenant_transaction(caller.tenant_id) as session:
        return await changer(session)
