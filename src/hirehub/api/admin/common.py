"""What every admin route does: read in the caller's tenant, or change it in one audited transaction, with the
domain's refusals answered as problem documents (their ``status``: 400, 404, 409)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.api.admin.caller import AdminCaller
from hirehub.api.problems import Problem
from hirehub.audit import log as audit
from hirehub.db.session import Database
from hirehub.jobs.errors import JobError, JobNotFound
from hirehub.lifecycle.policy import PolicyError
from hirehub.provisioning.approvals import ApprovalError
from hirehub.provisioning.operations import PreviewError, ReconciliationError
from hirehub.security.admin import SecurityAdminError
from hirehub.security.apps import AppError

Json = dict[str, Any]
SECRET_KEYS = frozenset({"secret"})
REFUSALS: tuple[type[Exception], ...] = (
    AppError, SecurityAdminError, ApprovalError, PreviewError, JobError, ReconciliationError,
)  # fmt: skip
TITLES = {404: "Not found", 409: "Already exists"}


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


@asynccontextmanager
async def refusals_as_problems() -> AsyncIterator[None]:
    try:
        yield
    except REFUSALS as exc:
        status = int(getattr(exc, "status", 0)) or _job_status(exc)
        raise Problem(status, TITLES.get(status, "Refused"), str(exc)) from None
    except PolicyError as exc:
        raise Problem(400, "Invalid policy", str(exc), problems=list(exc.problems)) from None


def _job_status(exc: Exception) -> int:
    if isinstance(exc, JobNotFound):
        return 404
    return 409 if isinstance(exc, JobError) else 400


async def read(request: Request, caller: AdminCaller, reader: Callable[[AsyncSession], Awaitable[Json]]) -> Json:
    async with refusals_as_problems(), database_of(request).tenant_session(caller.tenant_id) as session:
        return await reader(session)


async def change(
    request: Request, caller: AdminCaller, action: str, subject: tuple[str, str | None],
    changer: Callable[[AsyncSession], Awaitable[Json]],
) -> Json:  # fmt: skip
    """Make one change in the caller's tenant and audit it in the same transaction (never a secret's value).

    ``subject`` is (type, id); a ``None`` id is taken from the answer (the new row's client ID or id)."""
    async with refusals_as_problems(), database_of(request).tenant_transaction(caller.tenant_id) as session:
        result = await changer(session)
        subject_id = subject[1] or str(result.get("client_id") or result.get("id"))
        audit.record(
            session, actor=caller.actor, action=action, subject_type=subject[0], subject_id=subject_id,
            after={key: value for key, value in result.items() if key not in SECRET_KEYS},
        )  # fmt: skip
    return result


async def transact(request: Request, caller: AdminCaller, changer: Callable[[AsyncSession], Awaitable[Json]]) -> Json:
    """One transaction in the caller's tenant, for changes the domain audits itself (plan decisions)."""
    async with refusals_as_problems(), database_of(request).tenant_transaction(caller.tenant_id) as session:
        return await changer(session)
