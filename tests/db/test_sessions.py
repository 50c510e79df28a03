"""The hub's sessions: the tenant scoping belongs to the session class a Database is made with."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from hirehub.db.session import Database, TenantScopedSession


def test_a_database_refuses_a_session_class_without_the_tenant_scoping(database_url: str) -> None:
    with pytest.raises(TypeError, match="tenant-scoped"):
        Database(database_url, session_class=Session)  # type: ignore[arg-type]


async def test_a_database_makes_its_sessions_from_the_class_it_was_given(database_url: str) -> None:
    class Audited(TenantScopedSession):
        pass

    database = Database(database_url, session_class=Audited)
    try:
        async with database.system_session() as session:
            assert isinstance(session.sync_session, Audited)
    finally:
        await database.dispose()
