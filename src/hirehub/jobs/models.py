"""The job table: one row per unit of durable work, from enqueue to its final state.

``sequence`` is the insertion order, taken from the table itself (like the outbox's ``position``): jobs
of one ``ordering_key`` run strictly in that order. The row is also the lease: a running job names its
runner and when the lease ends, so a job whose runner died is taken up again once the lease expires.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Identity, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from hirehub.db.base import Base, TenantOwned, utcnow


class JobStatus(StrEnum):
    """Where a job is in its life; stored as the plain string."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    """Failed at least once and waiting (until ``run_at``) for another attempt."""
    DEAD = "dead"
    """Out of attempts, failed permanently, or of an unknown kind: waits for an operator's retry."""
    CANCELLED = "cancelled"
    HELD = "held"
    """Set aside (for example awaiting approval): not run, and blocks later jobs of its ordering key."""


UNFINISHED = (JobStatus.QUEUED, JobStatus.FAILED, JobStatus.RUNNING, JobStatus.HELD)
"""States that block later jobs of the same ordering key."""
FINISHED = (JobStatus.SUCCEEDED, JobStatus.DEAD, JobStatus.CANCELLED)


def _status_in(*statuses: JobStatus) -> str:
    """The SQL condition "status is one of ``statuses``", for the check constraint and partial indexes."""
    return "status IN ({})".format(", ".join(f"'{status.value}'" for status in statuses))


_WAITING_ROWS = text(_status_in(JobStatus.QUEUED, JobStatus.FAILED))
_UNFINISHED_ROWS = text(_status_in(*UNFINISHED))
_RUNNING_ROWS = text(_status_in(JobStatus.RUNNING))


class DurableJob(TenantOwned, Base):
    """One unit of work of a tenant: what to do (``kind``, ``payload``), when, and how it went.

    Not called ``Job``: the HR domain has a ``Job`` (a job title in the organisation) and its relationships
    find it by that name in the shared class registry, where two would be ambiguous.
    """

    __tablename__ = "job"
    # Partial indexes keep the claim's cost independent of how many jobs have finished: a claim walks the
    # waiting jobs in ``sequence`` order (or by ``run_at`` when most wait for the future), checks a
    # job's key against the unfinished ones only, and looks for expired leases among running jobs only.
    __table_args__ = (
        Index("ix_job_waiting", "sequence", postgresql_where=_WAITING_ROWS, sqlite_where=_WAITING_ROWS),
        Index("ix_job_due", "run_at", postgresql_where=_WAITING_ROWS, sqlite_where=_WAITING_ROWS),
        Index("ix_job_running", "lease_expires_at", postgresql_where=_RUNNING_ROWS, sqlite_where=_RUNNING_ROWS),
        Index(
            "ix_job_unfinished_ordering",
            "tenant_id",
            "ordering_key",
            "sequence",
            postgresql_where=_UNFINISHED_ROWS,
            sqlite_where=_UNFINISHED_ROWS,
        ),
        CheckConstraint(_status_in(*JobStatus), name="status"),
    )

    # SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY, hence the variant.
    sequence: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4, unique=True)
    kind: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    ordering_key: Mapped[str | None] = mapped_column(String(200), default=None)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED.value)
    run_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    lease_owner: Mapped[str | None] = mapped_column(String(200), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    """When the current (or last) attempt was claimed: the start its history row records."""
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    def __repr__(self) -> str:
        return f"<DurableJob {self.sequence} {self.kind} {self.status} key={self.ordering_key!r}>"


class AttemptOutcome(StrEnum):
    """How one attempt of a job ended, as its history keeps it."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    """Failed, with another attempt to come."""
    DEAD = "dead"
    """Failed for the last time (out of attempts, hopeless, or its runner vanished on the last attempt)."""
    PAUSED = "paused"
    """Set aside until a person acts; the attempt was given back."""
    ABANDONED = "abandoned"
    """Its runner stopped or stalled past the lease without reporting; another runner took the job up."""


HISTORY_LIMIT = 50
"""Attempts kept per job: the newest ones. A job retried by an operator for months keeps a bounded history."""


class JobAttempt(TenantOwned, Base):
    """One finished attempt of a durable job, written in the transaction that records its outcome.

    The job row says where the job is now (a job that finally succeeded shows no error); its attempts say how
    it got there. ``attempt`` is the job's attempt number at the time: an operator's retry starts a fresh
    budget, so numbers can repeat, and ``sequence`` gives the order.
    """

    __tablename__ = "job_attempt"
    __table_args__ = (
        Index("ix_job_attempt_job", "job_id", "sequence"),
        CheckConstraint("outcome IN ({})".format(", ".join(f"'{o.value}'" for o in AttemptOutcome)), name="outcome"),
    )

    sequence: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime] = mapped_column()
    outcome: Mapped[str] = mapped_column(String(20), info={"choices": tuple(o.value for o in AttemptOutcome)})
    error: Mapped[str | None] = mapped_column(Text, default=None)
    runner_id: Mapped[str | None] = mapped_column(String(200), default=None)

    def __repr__(self) -> str:
        return f"<JobAttempt {self.job_id} #{self.attempt} {self.outcome}>"
