"""Why an HR operation was refused. Each is raised before anything changes.

Every refusal is one of the hub's kinds (:mod:`hirehub.errors`), which is all a protocol looks at; the class
names are HR's own words for it, and ``field`` names the input concerned (as the services call it) when there
is one, so a form can put the message beside the right box.
"""

from __future__ import annotations

from hirehub import errors


class HRError(errors.HubError):
    """Base of every HR refusal; the message is meant for the person who asked."""


class NotFound(HRError, errors.NotFound):
    """A record the operation names does not exist (in this tenant)."""


class MissingRequiredField(HRError, errors.Invalid):
    """A value the operation cannot do without was not given; ``field`` names it (``first_name``)."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field.replace('_', ' ')} is required", field=field)


class TerminationBeforeStart(HRError, errors.Invalid):
    """An employment cannot end (or change) before it starts."""


class LeaveDatesInvalid(HRError, errors.Invalid):
    """A leave's days do not fit: a return before the first day, or days outside the employment."""


class SelfManagement(HRError, errors.Invalid):
    """A worker cannot be their own manager."""


class CandidateAlreadyHired(HRError, errors.Conflict):
    """The candidate was hired already; hiring twice would create a second worker."""


class CandidateNotHireable(HRError, errors.Conflict):
    """The ATS marked the candidate Not hired or Dismissed."""


class PositionOccupied(HRError, errors.Conflict):
    """The position already has as many workers as it allows."""


class WorkerAlreadyEmployed(HRError, errors.Conflict):
    """The person already has an open employment."""


class WorkerNotEmployed(HRError, errors.Conflict):
    """The worker has no open employment to change or end."""


class AlreadyTerminated(HRError, errors.Conflict):
    """The open employment already has an end date."""


class RehireWhileEmployed(HRError, errors.Conflict):
    """A rehire needs the previous employment to have ended before the new start."""


class HireAlreadyStarted(HRError, errors.Conflict):
    """A hire can be rescinded only before its start date."""


class LeaveOverlaps(HRError, errors.Conflict):
    """The worker is already on leave (or has one recorded) for some of those days."""


class NotOnLeave(HRError, errors.Conflict):
    """The worker has no open leave of absence to return from."""


class EffectiveDateInvalid(HRError, errors.Invalid):
    """A dated change whose date falls outside the employment, or a change moved to a day already past."""


class ChangeAlreadyEffective(HRError, errors.Conflict):
    """A scheduled change that has taken effect can no longer be changed or cancelled."""


class ChangeScheduledAfter(HRError, errors.Conflict):
    """A termination before a change already scheduled: the change must be cancelled first."""
