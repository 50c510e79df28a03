"""What the hub knows of the data it syncs to LinkedIn for each customer organization (RSC Module 2).

* :class:`SyncedRecord` — one hub record (a job posting, a candidate, an application) as LinkedIn should hold it
  for one integration context: whether it still has to be sent (``pending``, ``delete_pending``), is in flight
  (``sent``: a job posting's asynchronous task), is held by LinkedIn (``synced``, ``deleted``) or was refused with
  LinkedIn's reason (``refused``). A change to the record puts it back to ``pending``; sending is always the
  record's current state, so a record changed five times before the sender reaches it is sent once.
* :class:`HistoricalSync` — the enumeration of one kind's history for one context: how far it got (``cursor``, the
  last record key put in the queue, in key order) so that a crash resumes where it stopped, neither skipping nor
  repeating, and when it finished.

Both are the tenant's rows: a customer's sync state is as private as its recruiting data.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hirehub.db.base import Base, TenantOwned, utcnow


class SyncKind(StrEnum):
    """The kinds of records LinkedIn's data sync takes, in the order they must reach it (an application names
    its job posting and its candidate)."""

    JOB_POSTING = "job_posting"
    CANDIDATE = "candidate"
    APPLICATION = "application"


KIND_ORDER: tuple[SyncKind, ...] = (SyncKind.JOB_POSTING, SyncKind.CANDIDATE, SyncKind.APPLICATION)


class SyncStatus(StrEnum):
    PENDING = "pending"
    DELETE_PENDING = "delete_pending"
    SENT = "sent"
    SYNCED = "synced"
    DELETED = "deleted"
    REFUSED = "refused"


WAITING: frozenset[str] = frozenset({SyncStatus.PENDING, SyncStatus.DELETE_PENDING})


class SyncedRecord(TenantOwned, Base):
    """One record's state at LinkedIn for one integration context (see the module's docstring)."""

    __tablename__ = "linkedin_synced_record"
    __table_args__ = (
        UniqueConstraint("tenant_id", "integration_context", "kind", "record_id"),
        Index("ix_linkedin_synced_record_waiting", "tenant_id", "integration_context", "status", "kind"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    integration_context: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[uuid.UUID] = mapped_column()
    """The hub row the LinkedIn record mirrors (a recruiting request or position, a candidate to hire)."""
    ats_id: Mapped[str | None] = mapped_column(String(100), default=None)
    """The record's id as LinkedIn knows it (``externalJobPostingId``, ``atsCandidateId``, …), once sent."""
    status: Mapped[str] = mapped_column(String(20), default=SyncStatus.PENDING.value)
    reason: Mapped[str | None] = mapped_column(String(1000), default=None)
    """Why LinkedIn refused the record, or why the hub could not send it correctly, in LinkedIn's words."""
    digest: Mapped[str | None] = mapped_column(String(64), default=None)
    """A hash of the payload LinkedIn holds: a change that leaves the payload as it was sends nothing."""
    task_urn: Mapped[str | None] = mapped_column(String(200), default=None)
    stage: Mapped[str | None] = mapped_column(String(100), default=None)
    """An application's stage as LinkedIn last got it (or, after its first sync, the stage it had then, which is not
    sent): a stage call is made only when the stage differs (see :mod:`hirehub.linkedin.data_send`)."""
    matched_members: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    """The LinkedIn members (``urn:li:person:…``) the candidate matched, as LinkedIn last reported them."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    synced_at: Mapped[datetime | None] = mapped_column(default=None)


class HistoricalSync(TenantOwned, Base):
    """How far the history of one kind has been queued for one context (see the module's docstring)."""

    __tablename__ = "linkedin_historical_sync"
    __table_args__ = (UniqueConstraint("tenant_id", "integration_context", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    integration_context: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    cursor: Mapped[str | None] = mapped_column(String(100), default=None)
    """The key (``created_at`` and id, as text) of the last record queued; None before the first."""
    queued: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class QuotaUsage(TenantOwned, Base):
    """Requests one customer application made to one data-sync resource on one UTC day, counted before each call:
    LinkedIn allows 100,000 a day per application for candidates and for applications, and resets at midnight UTC.
    The sender stops short of the quota and resumes after midnight instead of earning 429s."""

    __tablename__ = "linkedin_quota_usage"
    __table_args__ = (UniqueConstraint("tenant_id", "client_id", "resource", "day"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[str] = mapped_column(String(200))
    resource: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column()
    requests: Mapped[int] = mapped_column(Integer, default=0)
