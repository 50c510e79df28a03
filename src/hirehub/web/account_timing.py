"""When the worker's directory account will be created, enabled, changed or disabled, in words a person reads.

An administrator who hires someone from next month, or terminates someone with today as the last day, wants to
know when the directory will follow, without knowing how provisioning schedules itself. The answer follows from
the dated HR view (the changes still to come, :func:`hirehub.hr.as_of.worker_as_of`) and the lifecycle policy,
by the same rules the planner applies (:func:`hirehub.lifecycle.planning.phase_of`): the account appears
``provision_days_before_start`` days ahead of the start, disabled until the start day if the policy says so;
a change takes effect when its day begins in the tenant's time zone; a leaver's account is disabled once the last
day worked has *ended* there. The instants come from :mod:`hirehub.lifecycle.worker_view`, so a day that begins
at 01:00 because of daylight saving time says 01:00. Pure: the page loads the inputs and renders the sentences.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hirehub.hr.as_of import ChangeKind, ScheduledChange
from hirehub.lifecycle.policy import LifecyclePolicy
from hirehub.lifecycle.worker_view import end_of_day, start_of_day


@dataclass(frozen=True)
class AccountMoment:
    """One thing that will happen to the account: on which tenant day, and the sentence that says so."""

    day: date
    sentence: str


@dataclass(frozen=True)
class Clock:
    """The tenant's today and time zone, and how its days and instants are written."""

    today: date
    zone: ZoneInfo

    def day(self, day: date) -> str:
        """``12 Dec``, with the year when it is not this year's."""
        written = f"{day.day} {day.strftime('%b')}"
        return written if day.year == self.today.year else f"{written} {day.year}"

    def beginning(self, day: date) -> str:
        """``12 Dec at 00:00 (Europe/Berlin)``: when ``day`` begins in the tenant's zone."""
        instant = start_of_day(day, self.zone).astimezone(self.zone)
        return f"{self.day(day)} at {instant:%H:%M} ({self.zone.key})"

    def end(self, day: date) -> str:
        """``the end of 15 Dec (16 Dec at 00:00, Europe/Berlin)``: when ``day`` ends in the tenant's zone."""
        instant = end_of_day(day, self.zone).astimezone(self.zone)
        return f"the end of {self.day(day)} ({self.day(instant.date())} at {instant:%H:%M}, {self.zone.key})"


def account_timing(
    changes: Sequence[tuple[ScheduledChange, str]],
    policy: LifecyclePolicy,
    *,
    today: date,
    zone: ZoneInfo,
    starts_today: bool = False,
) -> list[AccountMoment]:
    """What the account will go through, earliest first, from the worker's scheduled ``changes`` (each with the
    worker page's description of it, "Transfer to SALES-2") under ``policy``. ``starts_today``: the current
    employment begins today, so the account is enabled from this day's beginning (the job runner creates it within
    moments of the hire)."""
    clock = Clock(today, zone)
    moments: list[AccountMoment] = []
    if starts_today:
        moments.append(
            AccountMoment(today, f"The account is enabled from {clock.beginning(today)}, the first day of work.")
        )
    for change, label in changes:
        moments.extend(_moments(change, label, policy, clock))
    return sorted(moments, key=lambda moment: moment.day)


def _moments(change: ScheduledChange, label: str, policy: LifecyclePolicy, clock: Clock) -> Iterator[AccountMoment]:
    kind, day = change.kind, change.effective
    if kind in (ChangeKind.HIRE, ChangeKind.REHIRE):
        yield from _joining(day, policy, clock, again=kind is ChangeKind.REHIRE)
    elif kind in (ChangeKind.TRANSFER, ChangeKind.MANAGER_CHANGE):
        what = label[:1].lower() + label[1:]
        yield AccountMoment(day, f"The account will be changed on {clock.beginning(day)}: {what}.")
    elif kind is ChangeKind.LEAVE and policy.leave_of_absence.disable:
        yield AccountMoment(
            day, f"The account will be disabled on {clock.beginning(day)}, when the leave of absence begins."
        )
    elif kind is ChangeKind.RETURN and policy.leave_of_absence.disable:
        yield AccountMoment(day, f"The account will be enabled again on {clock.beginning(day)}, the day of return.")
    elif kind is ChangeKind.TERMINATION:
        yield _leaving(day - timedelta(days=1), policy, clock)


def _joining(start: date, policy: LifecyclePolicy, clock: Clock, *, again: bool) -> Iterator[AccountMoment]:
    """A (re)hire starting on ``start``: the account appears on the first day of the provisioning window (or
    already exists when the window has begun), enabled then or only on the start day."""
    ahead = policy.joiner.provision_days_before_start
    window = start - timedelta(days=ahead)
    enabled_at_start = policy.joiner.disable_until_start and window < start
    verb = "brought back" if again else "created"
    if window > clock.today:
        state = ", disabled until the start date," if enabled_at_start else " and enabled"
        why = f", {ahead} days before the start date" if window < start else ", the first day of work"
        yield AccountMoment(window, f"The account will be {verb}{state} on {clock.beginning(window)}{why}.")
    if enabled_at_start:
        again_word = " again" if again else ""
        yield AccountMoment(
            start, f"The account will be enabled{again_word} on {clock.beginning(start)}, the first day of work."
        )


def _leaving(last_day: date, policy: LifecyclePolicy, clock: Clock) -> AccountMoment:
    """The last day worked ``last_day``: the leaver's steps once it has ended in the tenant's zone."""
    leaver = policy.leaver
    after = [
        what
        for wanted, what in (
            (leaver.revoke_sessions, "its sign-in sessions revoked"),
            (leaver.remove_groups, "its groups removed"),
            (leaver.convert_mailbox_to_shared, "its mailbox made shared"),
        )
        if wanted
    ]
    if leaver.disable:
        sentence = f"The account will be disabled at {clock.end(last_day)}"
    else:
        sentence = f"At {clock.end(last_day)} the account stays enabled, as the policy says for leavers"
    if after:
        sentence += ", with " + (", ".join(after[:-1]) + " and " if len(after) > 1 else "") + after[-1]
    return AccountMoment(last_day + timedelta(days=1), sentence + ".")
