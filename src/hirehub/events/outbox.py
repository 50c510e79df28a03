"""The outbox: domain events recorded in the same transaction as the change that caused them.

A hire and the record that it happened commit together or not at all, so nothing downstream (jobs,
provisioning, audit) can miss a change or see one that was rolled back. Events of one subject (a
person) are ordered by ``position``, a per-tenant increasing number taken from the table itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Identity, Index, Integer, String, event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from hirehub.db.base import Base, TenantOwned, utcnow
from hirehub.db.session import TENANT_KEY, TenantScopeError


class OutboxEvent(TenantOwned, Base):
    """One domain event, waiting to be dispatched (``dispatched_at`` is set once jobs exist for it)."""

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_undispatched", "dispatched_at", "position"),)

    # SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY, hence the variant.
    position: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4, unique=True)
    type: Mapped[str] = mapped_column(String(80))
    subject_id: Mapped[uuid.UUID] = mapped_column(index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)


@dataclass(frozen=True)
class DomainEvent:
    """A fact the HR domain reports; ``subject_id`` is the person it concerns (the ordering key)."""

    type: str
    subject_id: uuid.UUID
    data: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {key: _jsonable(value) for key, value in self.data.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


PENDING_KEY = "hirehub.outbox.pending"


def record(session: AsyncSession, events: list[DomainEvent]) -> None:
    """Add events to the session's transaction (they are written with its next flush, and commit with it).

    Events are not ORM objects in the session: their primary key is a database counter, which the unit
    of work would have to read back row by row. They are kept aside and written with one executemany
    just before the session flushes or commits, in the order they were recorded.
    """
    tenant_id = session.info.get(TENANT_KEY)
    if tenant_id is None:
        raise TenantScopeError("domain events are recorded in a tenant session")
    pending = session.sync_session.info.setdefault(PENDING_KEY, [])
    occurred_at = utcnow()
    pending.extend(
        {"id": uuid.uuid4(), "tenant_id": tenant_id, "type": event.type, "subject_id": event.subject_id,
         "payload": event.payload(), "occurred_at": occurred_at}
        for event in events
    )  # fmt: skip


def _write_pending(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending:
        session.execute(insert(OutboxEvent).execution_options(render_nulls=True), pending)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    _write_pending(session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    _write_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(PENDING_KEY, None)
