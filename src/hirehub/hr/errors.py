"""Why an HR operation was refused. Each is raised before anything changes."""

from __future__ import annotations


class HRError(ValueError):
    """Base of every HR refusal; the message is meant for the person who asked."""


class NotFound(HRError):
    """A record the operation names does not exist (in this tenant)."""


class MissingRequiredField(HRError):
    def __init__(self, field: str) -> None:
        super().__init__(f"{field} is required")
        self.field = field


class CandidateAlreadyHired(HRError):
    """The candidate was hired already; hiring twice would create a second worker."""


class CandidateNotHireable(HRError):
    """The ATS marked the candidate Not hired or Dismissed."""


class PositionOccupied(HRError):
    """The position already has as many workers as it allows."""


class WorkerAlreadyEmployed(HRError):
    """The person already has an open employment."""


class WorkerNotEmployed(HRError):
    """The worker has no open employment to change or end."""


class AlreadyTerminated(HRError):
    """The open employment already has an end date."""


class TerminationBeforeStart(HRError):
    """An employment cannot end before it starts."""


class RehireWhileEmployed(HRError):
    """A rehire needs the previous employment to have ended before the new start."""


class HireAlreadyStarted(HRError):
    """A hire can be rescinded only before its start date."""


class LeaveOverlaps(HRError):
    """The worker is already on leave (or has one recorded) for some of those days."""


class NotOnLeave(HRError):
    """The worker has no open leave of absence to return from."""


class LeaveDatesInvalid(HRError):
    """A leave's days do not fit: a return before the first day, or days outside the employment."""
