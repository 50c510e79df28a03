"""The worker page's *What happens next*: when the directory account will be created, enabled, changed or disabled,
said from the worker's scheduled changes and the lifecycle policy, in the tenant's time zone."""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from hirehub.db.session import Database
from hirehub.hr.as_of import ChangeKind, ScheduledChange
from hirehub.lifecycle.policy import JoinerOptions, LeaveOptions, LeaverOptions, LifecyclePolicy, starter_policy
from hirehub.web.account_timing import account_timing
from tests.web.console_support import signed_in, tenant_with_hr

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 12, 7)
POLICY = starter_policy("contoso.example")
MOMENT = re.compile(r'data-testid="account-moment"[^>]*>([^<]*)</li>')


def change(kind: ChangeKind, effective: date, label: str = "") -> tuple[ScheduledChange, str]:
    return ScheduledChange(uuid.uuid4(), kind, effective), label


def sentences(
    *changes: tuple[ScheduledChange, str], policy: LifecyclePolicy = POLICY, starts_today: bool = False
) -> list[str]:
    return [
        moment.sentence
        for moment in account_timing(changes, policy, today=TODAY, zone=BERLIN, starts_today=starts_today)
    ]


def joiner(days_before: int, disable_until_start: bool) -> LifecyclePolicy:
    return replace(POLICY, joiner=JoinerOptions(days_before, disable_until_start))


def test_a_hire_ahead_gets_its_account_in_the_window_disabled_and_enabled_on_the_first_day() -> None:
    assert sentences(change(ChangeKind.HIRE, date(2027, 1, 4)), policy=joiner(14, True)) == [
        "The account will be created, disabled until the start date, on 21 Dec at 00:00 (Europe/Berlin), "
        "14 days before the start date.",
        "The account will be enabled on 4 Jan 2027 at 00:00 (Europe/Berlin), the first day of work.",
    ]


def test_without_a_window_the_account_is_created_and_enabled_on_the_first_day() -> None:
    assert sentences(change(ChangeKind.HIRE, date(2026, 12, 12)), policy=joiner(0, True)) == [
        "The account will be created and enabled on 12 Dec at 00:00 (Europe/Berlin), the first day of work."
    ]


def test_a_policy_that_enables_ahead_says_the_account_is_enabled_when_it_is_created() -> None:
    assert sentences(change(ChangeKind.HIRE, date(2026, 12, 21)), policy=joiner(7, False)) == [
        "The account will be created and enabled on 14 Dec at 00:00 (Europe/Berlin), 7 days before the start date."
    ]


def test_inside_the_window_only_the_enabling_is_still_to_come() -> None:
    assert sentences(change(ChangeKind.HIRE, date(2026, 12, 12)), policy=joiner(14, True)) == [
        "The account will be enabled on 12 Dec at 00:00 (Europe/Berlin), the first day of work."
    ]


def test_a_hire_from_today_is_enabled_from_the_beginning_of_today() -> None:
    assert sentences(starts_today=True) == [
        "The account is enabled from 7 Dec at 00:00 (Europe/Berlin), the first day of work."
    ]


def test_a_rehire_brings_the_old_account_back() -> None:
    assert sentences(change(ChangeKind.REHIRE, date(2026, 12, 10)), policy=joiner(0, True)) == [
        "The account will be brought back and enabled on 10 Dec at 00:00 (Europe/Berlin), the first day of work."
    ]


def test_a_transfer_changes_the_account_when_its_day_begins() -> None:
    assert sentences(change(ChangeKind.TRANSFER, date(2026, 12, 8), "Transfer to SALES-2")) == [
        "The account will be changed on 8 Dec at 00:00 (Europe/Berlin): transfer to SALES-2."
    ]


def test_a_last_day_of_today_disables_the_account_at_the_end_of_today() -> None:
    # The termination takes effect the day after the last day worked
    leaver = replace(POLICY, leaver=LeaverOptions(convert_mailbox_to_shared=True))
    assert sentences(change(ChangeKind.TERMINATION, date(2026, 12, 8)), policy=leaver) == [
        "The account will be disabled at the end of 7 Dec (8 Dec at 00:00, Europe/Berlin), with its sign-in "
        "sessions revoked, its groups removed and its mailbox made shared."
    ]


def test_a_policy_that_keeps_leavers_enabled_says_so() -> None:
    keeps = replace(POLICY, leaver=LeaverOptions(disable=False, revoke_sessions=False, remove_groups=False))
    assert sentences(change(ChangeKind.TERMINATION, date(2026, 12, 16)), policy=keeps) == [
        "At the end of 15 Dec (16 Dec at 00:00, Europe/Berlin) the account stays enabled, as the policy says for "
        "leavers."
    ]


def test_a_leave_disables_and_the_return_enables_only_when_the_policy_says_so() -> None:
    leave, back = change(ChangeKind.LEAVE, date(2026, 12, 14)), change(ChangeKind.RETURN, date(2027, 2, 1))
    assert sentences(leave, back) == []
    assert sentences(leave, back, policy=replace(POLICY, leave_of_absence=LeaveOptions(disable=True))) == [
        "The account will be disabled on 14 Dec at 00:00 (Europe/Berlin), when the leave of absence begins.",
        "The account will be enabled again on 1 Feb 2027 at 00:00 (Europe/Berlin), the day of return.",
    ]


def test_a_day_that_begins_at_one_because_of_daylight_saving_time_says_one() -> None:
    santiago = ZoneInfo("America/Santiago")  # clocks went from 00:00 to 01:00 on 2026-09-06
    [moment] = account_timing(
        [change(ChangeKind.TRANSFER, date(2026, 9, 6), "Transfer to P-1")],
        POLICY, today=date(2026, 9, 1), zone=santiago,
    )  # fmt: skip
    assert moment.sentence == "The account will be changed on 6 Sep at 01:00 (America/Santiago): transfer to P-1."


def test_the_moments_come_earliest_first() -> None:
    moments = account_timing(
        [change(ChangeKind.TERMINATION, date(2026, 12, 20)), change(ChangeKind.TRANSFER, date(2026, 12, 9), "X")],
        POLICY, today=TODAY, zone=BERLIN,
    )  # fmt: skip
    assert [moment.day for moment in moments] == [date(2026, 12, 9), date(2026, 12, 20)]


async def test_the_worker_page_says_when_a_hire_ahead_gets_its_account(live_hub: str, database: Database) -> None:
    # Given a worker hired from a day years ahead, in a tenant on the starter policy (14 days ahead, disabled
    # until the start date) and in UTC
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Ada", "Lovelace", start=date(2030, 3, 1))

    # When the administrator opens the worker's page
    async with signed_in(live_hub, admin) as client:
        page = await client.get(f"/console/workers/{worker.id}")

    # Then the directory account panel says when the account appears and when it is enabled
    assert page.status_code == 200
    assert [html.unescape(item) for item in MOMENT.findall(page.text)] == [
        "The account will be created, disabled until the start date, on 15 Feb 2030 at 00:00 (UTC), "
        "14 days before the start date.",
        "The account will be enabled on 1 Mar 2030 at 00:00 (UTC), the first day of work.",
    ]
