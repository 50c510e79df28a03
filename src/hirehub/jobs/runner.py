"""The job runner: claims due jobs, runs their handlers, keeps their leases alive and reports the outcome.

Handlers of different ordering keys run concurrently (up to ``concurrency`` jobs at once); jobs of one
key never do: a claim never returns a job behind an unfinished one of its key, and should a batch ever
hold two, they run one after the other. While a handler runs, a heartbeat extends its lease; if the
heartbeat finds the lease taken over (this runner stalled past it), the handler is cancelled and its
outcome discarded, since the job now belongs to another runner. (Not a "worker": HR has those.)
The handlers come from the composition root (:mod:`hirehub.bootstrap`), which knows every job kind.
On PostgreSQL an idle runner is also woken by every job enqueued (:mod:`hirehub.jobs.wakeups`), so a job
due at once starts without waiting for the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.jobs import claiming
from hirehub.jobs.completions import CompletionBatcher
from hirehub.jobs.context import ClaimedJob, Clock, Handler, JobContext
from hirehub.jobs.errors import Paused, PermanentFailure, RetryLater
from hirehub.jobs.metrics import JOB_DURATION, JOBS_CLAIMED, JOBS_DEAD, JOBS_FAILED, JOBS_SUCCEEDED
from hirehub.jobs.wakeups import Wakeups, connector_for, first_of
from hirehub.logging import get_logger

log = get_logger("hirehub.jobs")


class Outcome(StrEnum):
    """What became of one claimed job in this runner."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEAD = "dead"
    PAUSED = "paused"
    """Held until a person removes the cause (:class:`~hirehub.jobs.errors.Paused`)."""
    LOST = "lost"
    """The lease was lost (taken over, or the database refused our report): the outcome is not ours."""


def default_runner_id() -> str:
    """Unique per process and start: host, process id and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _describe(exc: BaseException) -> str:
    message = str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _chains(jobs: Sequence[ClaimedJob]) -> list[list[ClaimedJob]]:
    """Jobs grouped so that one ordering key is one chain, in sequence order; unkeyed jobs run alone."""
    chains: dict[Any, list[ClaimedJob]] = {}
    for job in sorted(jobs, key=lambda j: j.sequence):
        key = (job.tenant_id, job.ordering_key) if job.ordering_key is not None else job.id
        chains.setdefault(key, []).append(job)
    return list(chains.values())


class _Default:
    """The type of :data:`_DEFAULT`: "choose for the database", as opposed to ``None``, "no wake-ups"."""


_DEFAULT = _Default()


class JobRunner:
    """Runs jobs from the database with ``handlers`` (one per kind), as ``runner_id``, on ``clock``'s time.

    ``runner_id`` is what the job table's lease columns record as the owner; ``poll_interval`` is how long an
    idle runner waits before it looks for due jobs again, unless ``wakeups`` wakes it first: by default, on
    PostgreSQL, a listener on its own connection (:class:`~hirehub.jobs.wakeups.Wakeups`); ``None`` on SQLite.
    """

    def __init__(
        self,
        database: Database,
        handlers: Mapping[str, Handler],
        runner_id: str | None = None,
        clock: Clock = utcnow,
        *,
        concurrency: int = 8,
        poll_interval: float = 1.0,
        lease: timedelta = claiming.DEFAULT_LEASE,
        heartbeat_interval: float | None = None,
        orphan_interval: float | None = None,
        shutdown_grace: float = 30.0,
        before_claim: Sequence[Callable[[], Awaitable[object]]] = (),
        wakeups: Wakeups | _Default | None = _DEFAULT,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.database = database
        self.handlers = handlers
        self.runner_id = runner_id or default_runner_id()
        self.clock = clock
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.lease = lease
        # Three heartbeats per lease: one may be late or fail and the lease still holds.
        self.heartbeat_interval = heartbeat_interval or lease.total_seconds() / 3
        # Orphans appear only when a lease expires, so looking for them at a tenth of the lease (rather than
        # at every claim) takes one up at most a tenth of a lease late.
        self.orphan_interval = timedelta(seconds=orphan_interval or lease.total_seconds() / 10)
        self._orphans_looked_for_at: datetime | None = None
        self.completions = CompletionBatcher(database, self.runner_id)
        self.shutdown_grace = shutdown_grace
        self.jobs_run = 0
        self._in_flight: set[uuid.UUID] = set()
        # Work that turns other state into jobs (the outbox dispatcher), run beside each look for jobs; a truthy
        # result (events dispatched) means it may have made jobs to claim.
        self.before_claim = tuple(before_claim)
        if isinstance(wakeups, _Default):
            wakeups = Wakeups(connector_for(database)) if database.is_postgresql else None
        self.wakeups = wakeups

    async def run_once(self) -> int:
        """Claim up to ``concurrency`` due jobs, run them all to an outcome, and return how many there were."""
        for task_before in self.before_claim:
            await task_before()
        jobs = await self._claim(self.concurrency, orphans=True)
        await asyncio.gather(*(self._run_chain(chain) for chain in _chains(jobs)))
        return len(jobs)

    async def run_forever(self, stop: asyncio.Event, poll_interval: float | None = None) -> None:
        """Keep up to ``concurrency`` jobs running until ``stop`` is set, then shut down gracefully.

        A slot that frees up is refilled at once (a finished job may have unblocked the next one of its
        person); an idle runner polls every ``poll_interval`` seconds (the runner's own, unless given), and looks
        at once when a job is announced (``wakeups``). On stop, running jobs get ``shutdown_grace`` seconds to
        finish; those still running are cancelled and given back.
        """
        poll = self.poll_interval if poll_interval is None else poll_interval
        tasks: set[asyncio.Task[None]] = set()
        housekeeping: asyncio.Task[None] | None = None
        wake = asyncio.Event()
        listening = asyncio.create_task(self.wakeups.run(wake, stop)) if self.wakeups is not None else None

        def finished(task: asyncio.Task[None]) -> None:
            tasks.discard(task)
            wake.set()

        log.info("job_runner.started", runner_id=self.runner_id, concurrency=self.concurrency)
        try:
            while not stop.is_set():
                wake.clear()
                free = self.concurrency - len(self._in_flight)
                claimed: list[ClaimedJob] = []
                if free > 0:
                    try:
                        claimed = await self._claim(free)
                    except Exception as exc:  # the database may be briefly away: keep polling
                        log.warning("job_runner.claim_failed", runner_id=self.runner_id, error=_describe(exc))
                for chain in _chains(claimed):
                    task = asyncio.create_task(self._run_chain(chain))
                    tasks.add(task)
                    task.add_done_callback(finished)
                # Beside the claims, never in front of them: a job announced while the outbox is read starts at
                # once. One round at a time; when it made jobs (events dispatched), it wakes the loop to claim them.
                if self.before_claim and (housekeeping is None or housekeeping.done()):
                    housekeeping = asyncio.create_task(self._before_claims(wake))
                # Idle, or full: either way the next chance is a freed slot or an announced job (wake), work
                # found by polling (a job that became due, or one announced while no one listened) or stop.
                await first_of(stop, wake, seconds=poll)
        finally:
            for background in (listening, housekeeping):
                if background is not None:
                    background.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await background
            await self._shut_down(tasks)
            log.info("job_runner.stopped", runner_id=self.runner_id, jobs_run=self.jobs_run)

    async def _before_claims(self, wake: asyncio.Event) -> None:
        """One round of the work that turns other state into jobs; ``wake`` is set when it may have made some."""
        for task_before in self.before_claim:
            try:
                if await task_before():
                    wake.set()
            except Exception as exc:  # like a failed claim: log it and keep polling
                log.warning("job_runner.before_claim_failed", runner_id=self.runner_id, error=_describe(exc))

    async def _shut_down(self, tasks: set[asyncio.Task[None]]) -> None:
        if not tasks:
            return
        _, pending = await asyncio.wait(set(tasks), timeout=self.shutdown_grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _orphans_due(self, now: datetime) -> bool:
        last = self._orphans_looked_for_at
        return last is None or now - last >= self.orphan_interval or now < last

    async def _claim(self, limit: int, *, orphans: bool | None = None) -> list[ClaimedJob]:
        """Claim up to ``limit`` jobs; orphans too when asked, or when it is time to look for them again."""
        now = self.clock()
        if orphans is None:
            orphans = self._orphans_due(now)
        claimed = await claiming.claim(self.database, self.runner_id, now, self.lease, limit, orphans=orphans)
        if orphans:
            self._orphans_looked_for_at = now
        fresh = []
        for job in claimed:
            JOBS_CLAIMED.labels(kind=job.kind).inc()
            if job.id in self._in_flight:
                # Our own lease ran out while the handler is still running here, and we took it up again:
                # the running attempt goes on under the renewed lease; starting a second would run it twice.
                log.warning("job.reclaimed_while_running", job_id=str(job.id), runner_id=self.runner_id)
                continue
            self._in_flight.add(job.id)
            fresh.append(job)
        return fresh

    async def _run_chain(self, chain: list[ClaimedJob]) -> None:
        """Run jobs of one ordering key one after the other; stop at the first that does not succeed."""
        pending = list(chain)
        try:
            while pending:
                outcome = await self._execute(pending.pop(0))
                self.jobs_run += 1
                if outcome is not Outcome.SUCCEEDED:
                    break
        finally:
            for job in pending:  # behind one that failed, or not reached before shutdown
                await self._release(job)

    async def _release(self, job: ClaimedJob) -> None:
        try:
            await claiming.release(self.database, job.id, self.runner_id)
        except Exception as exc:  # the lease will expire and another runner will take it up
            log.warning("job.release_failed", job_id=str(job.id), error=_describe(exc))
        finally:
            self._in_flight.discard(job.id)

    async def _execute(self, job: ClaimedJob) -> Outcome:
        """Run one job to an outcome; on cancellation (shutdown) give it back to the queue and re-raise."""
        try:
            handler = self.handlers.get(job.kind)
            if handler is None:
                return await self._fail(job, f"no handler is registered for job kind {job.kind!r}", permanent=True)
            return await self._run_handler(job, handler)
        except asyncio.CancelledError:
            await self._release(job)
            raise
        except Exception as exc:  # reporting failed (database away): the lease will expire and it runs again
            log.warning("job.report_failed", job_id=str(job.id), error=_describe(exc))
            return Outcome.LOST
        finally:
            self._in_flight.discard(job.id)

    async def _run_handler(self, job: ClaimedJob, handler: Handler) -> Outcome:
        context = JobContext(
            job=job, database=self.database, runner_id=self.runner_id, clock=self.clock, lease=self.lease
        )
        running = asyncio.create_task(handler(context))
        keeper = asyncio.create_task(self._keep_lease(job, running))
        started = time.perf_counter()
        try:
            result = await running
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # we are being shut down; _execute gives the job back
            log.warning("job.lease_lost", job_id=str(job.id), runner_id=self.runner_id)
            return Outcome.LOST
        except RetryLater as exc:
            return await self._fail(job, _describe(exc), retry_after=exc.seconds)
        except Paused as exc:
            if not await claiming.pause(self.database, job.id, self.runner_id, str(exc), now=self.clock()):
                return Outcome.LOST
            log.warning("job.paused", job_id=str(job.id), kind=job.kind, reason=str(exc))
            return Outcome.PAUSED
        except PermanentFailure as exc:
            return await self._fail(job, _describe(exc), permanent=True)
        except Exception as exc:
            log.info("job.attempt_failed", job_id=str(job.id), kind=job.kind, attempt=job.attempt, exc_info=exc)
            return await self._fail(job, _describe(exc))
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            JOB_DURATION.labels(kind=job.kind).observe(time.perf_counter() - started)
        result = None if result is None else dict(result)
        if not _is_json(result):
            return await self._fail(
                job, f"the handler returned a result that is not JSON: {result!r:.200}", permanent=True
            )
        if not await self.completions.complete(job.id, result, self.clock()):
            log.warning("job.result_discarded", job_id=str(job.id), runner_id=self.runner_id)
            return Outcome.LOST
        JOBS_SUCCEEDED.labels(kind=job.kind).inc()
        return Outcome.SUCCEEDED

    async def _fail(
        self, job: ClaimedJob, error: str, *, retry_after: float | None = None, permanent: bool = False
    ) -> Outcome:
        owned = await claiming.fail(
            self.database, job.id, self.runner_id, error, self.clock(), retry_after, permanent=permanent
        )
        if not owned:
            return Outcome.LOST
        if claiming.goes_dead(job.attempt, job.max_attempts, permanent=permanent):
            JOBS_DEAD.labels(kind=job.kind).inc()
            log.warning("job.dead", job_id=str(job.id), kind=job.kind, attempt=job.attempt, error=error)
            return Outcome.DEAD
        JOBS_FAILED.labels(kind=job.kind).inc()
        return Outcome.FAILED

    async def _keep_lease(self, job: ClaimedJob, running: asyncio.Task[Any]) -> None:
        """Extend the lease every ``heartbeat_interval``; cancel the handler once the lease is someone else's."""
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            try:
                owned = await claiming.heartbeat(self.database, job.id, self.runner_id, self.clock(), self.lease)
            except Exception as exc:  # a missed beat; the next may get through before the lease ends
                log.warning("job.heartbeat_failed", job_id=str(job.id), error=_describe(exc))
                continue
            if not owned:
                running.cancel()
                return


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
