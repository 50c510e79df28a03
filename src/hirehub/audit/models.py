"""The audit entry table, and the database triggers that make it append-only.

"Append-only" is enforced by the database, not by convention: an UPDATE or DELETE of an audit row is
refused by a trigger on both engines, so not even a bug or a hand-written SQL session can rewrite
history. (Removing a whole tenant is the one exception: its rows go with it, by cascade.)
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, BigInteger, Identity, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from hirehub.db.base import Base, TenantOwned, utcnow


class AuditEntry(TenantOwned, Base):
    """One thing that happened: who or what did it, to what, when, and the state before and after."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_tenant_at", "tenant_id", "at"),)

    # SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY, hence the variant.
    position: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4, unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80))
    subject_type: Mapped[str] = mapped_column(String(80))
    subject_id: Mapped[str] = mapped_column(String(200), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    job_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    outcome: Mapped[str] = mapped_column(String(20), default="applied")
    detail: Mapped[str | None] = mapped_column(String(2000), default=None)


APPEND_ONLY_MESSAGE = "audit_entry is append-only"

_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
    # A tenant's deletion cascades; anything else deleting audit rows is refused.
    f"""CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
        WHEN (SELECT COUNT(*) FROM tenant WHERE id = OLD.tenant_id) > 0
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
]
_POSTGRES_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM tenant WHERE id = OLD.tenant_id) THEN
            RETURN OLD;
          END IF;
          RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
        END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
        FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
]
DROP_SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
]
DROP_POSTGRES_TRIGGERS = [
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry",
    "DROP FUNCTION IF EXISTS audit_entry_append_only()",
]


def append_only_ddl(dialect: str) -> list[str]:
    """The statements that make the table append-only on ``dialect`` (used by create_all and migrations)."""
    return _POSTGRES_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS


for _statement in _SQLITE_TRIGGERS:
    event.listen(AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in _POSTGRES_TRIGGERS:
    event.listen(AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
