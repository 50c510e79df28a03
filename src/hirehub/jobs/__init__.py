"""Durable jobs: the hub's work queue, kept in the main database.

An HR change and the job that carries it to the directory commit in one transaction (:func:`enqueue`), so
nothing is lost when a process dies. Runners claim due jobs under a lease (:mod:`hirehub.jobs.claiming`),
run them at least once, retry failures with backoff, keep jobs of one ordering key (one person) strictly in
order, and set aside those that keep failing as dead letters. Handlers must be idempotent.
"""

from hirehub.jobs.errors import (
    InvalidJob,
    JobError,
    JobNotFound,
    JobStateConflict,
    Paused,
    PermanentFailure,
    RetryLater,
)
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.jobs.queue import QueueStats, cancel, enqueue, get_job, hold, list_jobs, queue_stats, resume, retry

__all__ = [
    "DurableJob",
    "InvalidJob",
    "JobError",
    "JobNotFound",
    "JobStateConflict",
    "JobStatus",
    "Paused",
    "PermanentFailure",
    "QueueStats",
    "RetryLater",
    "cancel",
    "enqueue",
    "get_job",
    "hold",
    "list_jobs",
    "queue_stats",
    "resume",
    "retry",
]
