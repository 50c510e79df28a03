"""Reporting finished jobs in batches: every success reported in one turn of the event loop shares a
transaction.

A runner running many short jobs finishes several in the same moment; one transaction each (a pool
checkout, BEGIN, UPDATE, COMMIT) was most of what a no-op job cost. Each caller still learns whether its
own job was still its runner's to complete, exactly as with :func:`hirehub.jobs.claiming.complete`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hirehub.db.session import Database
from hirehub.jobs import claiming

_Pending = dict[uuid.UUID, tuple[Mapping[str, Any] | None, "asyncio.Future[bool]"]]


class CompletionBatcher:
    """Collects ``complete`` calls of one runner and writes them together at the next turn of the loop."""

    def __init__(self, database: Database, worker_id: str) -> None:
        self.database = database
        self.worker_id = worker_id
        self._pending: _Pending = {}
        self._flushes: set[asyncio.Task[None]] = set()
        self.batches = 0
        """How many transactions completed jobs so far (for tests and metrics: fewer than jobs means batching)."""

    async def complete(self, job_id: uuid.UUID, result: Mapping[str, Any] | None, now: datetime) -> bool:
        """Mark ``job_id`` succeeded with ``result`` (with others reported in the same turn); True if it
        was still this runner's job. Raises what the database raised, like a single completion would."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        if not self._pending:
            flush = asyncio.create_task(self._flush(now))
            self._flushes.add(flush)
            flush.add_done_callback(self._flushes.discard)
        self._pending[job_id] = (result, future)
        return await future

    async def _flush(self, now: datetime) -> None:
        """Write everything reported until this task got to run (the rest of the current loop turn)."""
        batch, self._pending = self._pending, {}
        try:
            done = await claiming.complete_many(
                self.database, self.worker_id, {job_id: result for job_id, (result, _) in batch.items()}, now=now
            )
        except Exception as exc:  # each caller handles it as it would a failed single completion
            _settle(batch, exc)
            return
        except asyncio.CancelledError:
            _settle(batch, asyncio.CancelledError())
            raise
        self.batches += 1
        for job_id, (_, future) in batch.items():
            if not future.done():
                future.set_result(job_id in done)


def _settle(batch: _Pending, exc: BaseException) -> None:
    for _, future in batch.values():
        if not future.done():
            future.set_exception(exc)
