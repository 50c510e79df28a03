"""The outbox: domain events recorded in the same transaction as the change that caused them.

A hire and the record that it happened commit together or not at all, so nothing downstream (jobs,
provisioning, audit) can miss a change or see one that was rolled back. Events of one subject (a
person) are ordered by ``position``, a per-tenant increasing number taken from the table itself.

Only sessions of :class:`OutboxSession` write the outbox: the composition root makes the hub's database
from it, and no other session in the process is touched.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Identity, Index, Integer, String, event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from hirehub.db.base import Base, TenantOwned, utcnow
from hirehub.db.session import TENANT_KEY, TenantScopedSession, TenantScopeError
from hirehub.events.event import DomainEvent, encode


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


class OutboxSession(TenantScopedSession):
    """A hub session that writes the events recorded in it (:func:`record`) with its next flush or commit."""


class NoOutbox(RuntimeError):
    """Events were recorded in a session that does not write the outbox: they would be lost silently."""


PENDING_KEY = "hirehub.outbox.pending"


def record(session: AsyncSession, events: Iterable[DomainEvent]) -> None:
    """Add events to the session's transaction (they are written with its next flush, and commit with it).

    Events are not ORM objects in the session: their primary key is a database counter, which the unit
    of work would have to read back row by row. They are kept aside and written with one executemany
    just before the session flushes or commits, in the order they were recorded.
    """
    record_in(session.sync_session, events)


def record_in(session: Session, events: Iterable[DomainEvent]) -> None:
    """:func:`record` for the synchronous session underneath (what a flush listener is given)."""
    if not isinstance(session, OutboxSession):
        raise NoOutbox("this session does not write the outbox: open it from the hub's database")
    tenant_id = session.info.get(TENANT_KEY)
    if tenant_id is None:
        raise TenantScopeError("domain events are recorded in a tenant session")
    pending = session.info.setdefault(PENDING_KEY, [])
    occurred_at = utcnow()
    pending.extend(
        {"id": uuid.uuid4(), "tenant_id": tenant_id, "type": event.name, "subject_id": event.subject_id,
         "payload": encode(event), "occurred_at": occurred_at}
        for event in events
    )  # fmt: skip


def _write_pending(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending:
        session.execute(insert(OutboxEvent).execution_options(render_nulls=True), pending)


@event.listens_for(OutboxSession, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    _write_pending(session)


@event.listens_for(OutboxSession, "before_commit")
def _before_commit(session: Session) -> None:
    _write_pending(session)


@event.listens_for(OutboxSession, "after_soft_rollback")
def _forget_on_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(PENDING_KEY, None)
