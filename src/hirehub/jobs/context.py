"""What a handler is given (the claimed job and the means to do its work), and what a handler is."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.session import Database

Clock = Callable[[], datetime]
"""The current time, timezone-aware; injected everywhere so tests can move time by hand."""


@dataclass(frozen=True)
class ClaimedJob:
    """A job as its runner holds it: a snapshot taken when it was claimed, not a live ORM row."""

    id: uuid.UUID
    sequence: int
    tenant_id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    ordering_key: str | None
    attempt: int
    """This attempt's number, from 1."""
    max_attempts: int
    lease_owner: str
    lease_expires_at: datetime


@dataclass(frozen=True)
class JobContext:
    """Everything a handler needs: the job, the database, who runs it and what time it is."""

    job: ClaimedJob
    database: Database
    runner_id: str
    """Who runs it (the job runner that holds its lease)."""
    clock: Clock
    lease: timedelta

    @property
    def payload(self) -> dict[str, Any]:
        return self.job.payload

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.job.tenant_id

    @property
    def attempt(self) -> int:
        return self.job.attempt

    def tenant_transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        """One transaction in the job's tenant, for the handler's own reads and writes."""
        return self.database.tenant_transaction(self.job.tenant_id)


Handler = Callable[[JobContext], Coroutine[Any, Any, Mapping[str, Any] | None]]
"""Runs one job; returns a small JSON-able result (stored on the job) or None.

Jobs are delivered at least once, so a handler must be idempotent: running it twice has the effect of
running it once. Raise :class:`~hirehub.jobs.errors.RetryLater` to be retried after a delay,
:class:`~hirehub.jobs.errors.PermanentFailure` when retrying cannot help; any other exception is taken
as transient and retried with backoff.
"""
