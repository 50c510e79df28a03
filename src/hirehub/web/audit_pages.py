"""The audit log: what happened in the tenant, newest first, a page at a time, filtered by actor and action.

:func:`hirehub.audit.log.entries` filters by subject and job only, so this module has a thin read-only query for
actor and action and for paging; the tenant session scopes it like every read, so another tenant's entries are
not merely hidden but never selected.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.audit.log import entry_json
from hirehub.audit.models import AuditEntry
from hirehub.db.session import Database
from hirehub.web.auth import Admin
from hirehub.web.pages import render

router = APIRouter(include_in_schema=False)
PAGE = "/console/audit"
PAGE_SIZE = 25


async def find_entries(
    session: AsyncSession, *, actor: str, action: str, page: int, size: int = PAGE_SIZE
) -> tuple[Sequence[AuditEntry], bool]:
    """One page of entries, newest first, and whether an older page follows.

    ``actor`` matches part of the actor (``ada@`` finds ``console:ada@contoso.example``); ``action`` is exact.
    """
    statement = select(AuditEntry).order_by(AuditEntry.position.desc())
    if actor.strip():
        statement = statement.where(AuditEntry.actor.contains(actor.strip(), autoescape=True))
    if action.strip():
        statement = statement.where(AuditEntry.action == action.strip())
    rows = list(await session.scalars(statement.offset((page - 1) * size).limit(size + 1)))
    return rows[:size], len(rows) > size


@router.get(f"{PAGE}/", response_class=HTMLResponse)
async def audit_page(request: Request, admin: Admin, actor: str = "", action: str = "", page: int = 1) -> Response:
    page = max(page, 1)
    database: Database = request.app.state.database
    async with database.tenant_session(admin.tenant_id) as session:
        entries, more = await find_entries(session, actor=actor, action=action, page=page)
        actions = list(await session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))

    def page_url(number: int) -> str:
        query = {k: v for k, v in (("actor", actor), ("action", action), ("page", str(number))) if v}
        return f"{PAGE}/?{urlencode(query)}"

    return render(
        request,
        "audit_list.html",
        entries=[entry_json(entry) for entry in entries],
        actions=[(a, a) for a in actions],
        actor=actor,
        action=action,
        page=page,
        previous_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if more else None,
    )
