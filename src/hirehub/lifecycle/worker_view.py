"""The plain-value snapshot of one HR worker that the lifecycle engine plans from.

The planner must be pure and fast (a reconciliation plans for every worker of a tenant), so it never touches the
database or an ORM object: the engine's caller loads what it needs into a :class:`WorkerView`. The view also owns
the worker's sense of time, because "today" and "the end of the last day" are local to the tenant: a leaver in
Auckland leaves half a day before a leaver in Los Angeles with the same last day.

Attributes an administrator's expressions can read (:meth:`WorkerView.attributes`)::

    WorkerId          the HR worker's id
    PersonnelNumber   the directory anchor (Entra's employeeId); never changes, survives rehires
    FirstName  LastName  PreferredName
    Email  Phone      the worker's contact details in HR (not the directory mail the policy assigns)
    Department  JobTitle  Company  OfficeLocation
    Manager           the manager's personnel number
    Status            pending, employed, on_leave, terminated or rescinded
    StartDate         the start (hire) date, ISO-8601 (HireDate is the same value under Entra's name)
    LastDay           the last day worked, ISO-8601, when a termination is recorded
    TimeZone          the tenant's IANA time zone, e.g. Europe/Berlin

Missing values are null, so ``Coalesce`` and ``IsPresent`` work as administrators expect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class HRStatus(StrEnum):
    """The HR status of a worker (hirehub.hr's WorkerStatus by name), as the lifecycle sees it."""

    PENDING = "pending"
    EMPLOYED = "employed"
    ON_LEAVE = "on_leave"
    TERMINATED = "terminated"
    RESCINDED = "rescinded"


ATTRIBUTE_NAMES: tuple[str, ...] = (
    "WorkerId",
    "PersonnelNumber",
    "FirstName",
    "LastName",
    "PreferredName",
    "Email",
    "Phone",
    "Department",
    "JobTitle",
    "Company",
    "OfficeLocation",
    "Manager",
    "Status",
    "StartDate",
    "HireDate",
    "LastDay",
    "TimeZone",
)
"""Every attribute name :meth:`WorkerView.attributes` provides, e.g. for the console's expression help."""


def tenant_zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; a ValueError (not a lookup error deep in planning) when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone name (e.g. Europe/Berlin)") from None


def local_date(now: datetime, zone: ZoneInfo) -> date:
    """The calendar date at the instant ``now`` in ``zone``; ``now`` must carry a time zone, since a naive
    datetime would silently mean the server's zone."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware, e.g. datetime.now(UTC)")
    return now.astimezone(zone).date()


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The instant ``day`` begins in ``zone``: the previous day's end (see :func:`end_of_day`)."""
    return end_of_day(day - timedelta(days=1), zone)


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The instant (in UTC) at which ``day`` ends in ``zone``: when the next local day begins.

    That is usually local midnight, but not always: where daylight saving time starts at midnight (America/Santiago)
    the next day begins at 01:00, and where it ends at midnight midnight happens twice. Both readings of local
    midnight are tried and the earliest one that already falls on the next day wins.
    """
    following = day + timedelta(days=1)
    midnight = datetime.combine(following, time(), tzinfo=zone)
    readings = sorted({midnight.replace(fold=fold).astimezone(UTC) for fold in (0, 1)})
    for instant in readings:
        if instant.astimezone(zone).date() >= following:
            return instant
    return readings[-1]  # pragma: no cover - a zone whose clocks jump back across midnight into the old day


@dataclass(frozen=True)
class WorkerView:
    """One worker as HR knows them now; dates are calendar dates in the tenant's ``time_zone``.

    ``last_day`` is the last day worked of the current employment (None while none is recorded, and again after a
    rehire opens a new employment). ``start_date`` is the current employment's start.

    ``leave_from`` and ``leave_until`` are the current leave of absence, or the next one HR has recorded: its first
    day, and the day the worker is back at work (None while no return is recorded). Dates, not the status, decide
    whether the worker is on leave on a given day (:meth:`on_leave`), since a leave is often entered weeks ahead.
    """

    worker_id: str
    personnel_number: str
    first_name: str
    last_name: str | None = None
    status: HRStatus = HRStatus.PENDING
    start_date: date | None = None
    last_day: date | None = None
    time_zone: str = "UTC"
    preferred_name: str | None = None
    email: str | None = None
    phone: str | None = None
    department: str | None = None
    job_title: str | None = None
    company_code: str | None = None
    office_location: str | None = None
    manager_personnel_number: str | None = None
    leave_from: date | None = None
    leave_until: date | None = None
    changes_on: tuple[date, ...] = ()
    """The days ahead on which HR's view of the worker changes by itself (a transfer, a manager change, a leave,
    a return, a termination or a rehire entered ahead of its date): the plan is looked at again on each."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", HRStatus(self.status))
        if not self.personnel_number.strip():
            raise ValueError("a worker needs a personnel number: it is the directory anchor")
        tenant_zone(self.time_zone)
        if self.status is HRStatus.TERMINATED and self.last_day is None:
            raise ValueError(f"worker {self.personnel_number} is terminated but has no last day worked")
        if self.start_date and self.last_day and self.last_day < self.start_date:
            raise ValueError(f"worker {self.personnel_number}'s last day is before the start date")
        if self.manager_personnel_number == self.personnel_number:
            raise ValueError(f"worker {self.personnel_number} cannot be their own manager")
        if self.leave_until is not None and (self.leave_from is None or self.leave_until < self.leave_from):
            raise ValueError(f"worker {self.personnel_number}'s return from leave is before the leave starts")

    @property
    def anchor(self) -> str:
        """The value of the directory account's employeeId: what ties an account to this worker for good."""
        return self.personnel_number

    @property
    def zone(self) -> ZoneInfo:
        return tenant_zone(self.time_zone)

    def today(self, now: datetime) -> date:
        """The tenant's calendar date at the instant ``now``."""
        return local_date(now, self.zone)

    def on_leave(self, today: date) -> bool:
        """Whether the tenant's date ``today`` falls within the recorded leave of absence: from its first day up to
        (not including) the day of return. A status of on_leave with no recorded leave (set directly in HR)
        counts as well."""
        if self.leave_from is None:
            return self.status is HRStatus.ON_LEAVE
        return self.leave_from <= today and (self.leave_until is None or today < self.leave_until)

    def leave_changes_at(self) -> tuple[datetime, ...]:
        """The instants at which the leave begins and ends (the starts of those days in the tenant's zone), when
        the worker's plan changes without any new HR event."""
        days = [day for day in (self.leave_from, self.leave_until) if day is not None]
        return tuple(datetime.combine(day, time(), tzinfo=self.zone) for day in days)

    def changes_at(self) -> tuple[datetime, ...]:
        """The instants at which the worker's plan can change without a new HR event: the starts (in the tenant's
        zone) of the leave's days and of every day in ``changes_on``."""
        days = sorted({*self.changes_on, *(d for d in (self.leave_from, self.leave_until) if d is not None)})
        return tuple(start_of_day(day, self.zone) for day in days)

    def leaves_at(self) -> datetime | None:
        """The instant the last day worked ends in the tenant's zone (None without a last day): from then on the
        worker is a leaver."""
        return None if self.last_day is None else end_of_day(self.last_day, self.zone)

    def attributes(self) -> dict[str, object]:
        """The mapping the expression language evaluates (see the module's docstring for the names)."""
        return {
            "WorkerId": self.worker_id,
            "PersonnelNumber": self.personnel_number,
            "FirstName": self.first_name,
            "LastName": self.last_name,
            "PreferredName": self.preferred_name,
            "Email": self.email,
            "Phone": self.phone,
            "Department": self.department,
            "JobTitle": self.job_title,
            "Company": self.company_code,
            "OfficeLocation": self.office_location,
            "Manager": self.manager_personnel_number,
            "Status": self.status.value,
            "StartDate": self.start_date,
            "HireDate": self.start_date,
            "LastDay": self.last_day,
            "TimeZone": self.time_zone,
        }
