"""What can go wrong with a job: refusals an operator sees, and the signals a handler raises."""

from __future__ import annotations

from hirehub import errors


class JobError(errors.HubError):
    """Base of the refusals of an operation on the queue; each is one of the hub's kinds."""


class JobNotFound(JobError, errors.NotFound):
    """No job has that id (in the session's tenant, for a tenant session)."""


class JobStateConflict(JobError, errors.Conflict):
    """An operation on a job that its state does not allow (the message says why and what would)."""


class InvalidJob(JobError, errors.Invalid):
    """A job that cannot be enqueued as asked (no kind, no attempts)."""


class RetryLater(Exception):
    """Raised by a handler to ask for another attempt no sooner than ``seconds`` from now.

    Connectors raise it with the service's own hint (Graph's ``Retry-After``), so the queue backs off as
    long as the service asked rather than hammering it on its own schedule.
    """

    def __init__(self, seconds: float, message: str = "") -> None:
        super().__init__(message or f"retry requested in {seconds:g} s")
        self.seconds = seconds


class PermanentFailure(Exception):
    """Raised by a handler when retrying cannot help (bad input, a refusal): the job goes dead at once."""


PAUSED_PREFIX = "paused: "
"""How a paused job's ``last_error`` begins, so the event that removes the cause can find and resume it."""


class Paused(Exception):
    """Raised by a handler when the job cannot run until a person acts — a directory connection whose delegated
    grant was revoked or expired and needs *Link account* again. The job is held without spending an attempt
    (retrying could only fail, and waiting days must not kill it); :func:`hirehub.jobs.queue.resume_paused`
    runs it again once the cause is gone."""
