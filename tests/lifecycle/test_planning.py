"""Planning: every lifecycle event, at explicit instants, applied through the in-memory connector."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hirehub.lifecycle.connector import Connector
from hirehub.lifecycle.directory_state import DesiredAccount, DirectoryAccount, Mailbox
from hirehub.lifecycle.expressions import compile_expression
from hirehub.lifecycle.group_rules import Condition, GroupRule
from hirehub.lifecycle.naming import taken_among
from hirehub.lifecycle.planning import (
    AddToGroup,
    AttributeChange,
    CreateAccount,
    DisableAccount,
    EnableAccount,
    Phase,
    Plan,
    PlanningError,
    RemoveFromGroup,
    SetManager,
    StepKind,
    UpdateAttributes,
    desired_state,
    never,
    phase_of,
    plan,
)
from hirehub.lifecycle.policy import JoinerOptions, LeaveOptions, LeaverOptions, LifecyclePolicy, starter_policy
from hirehub.lifecycle.worker_view import HRStatus, WorkerView, end_of_day
from hirehub.testing.memory_connector import InMemoryConnector

K = StepKind
SALES = GroupRule("Sales", ("Sales team",), (Condition("Department", "equals", "Sales"),))
POLICY = starter_policy("contoso.com", group_rules=(SALES,))
"""Accounts 14 days ahead, disabled until the start; leavers disabled, signed out, reset, groups removed."""

JOSE = WorkerView(
    worker_id="w-1",
    personnel_number="000123",
    first_name="José",
    last_name="Núñez",
    status=HRStatus.PENDING,
    start_date=date(2025, 3, 3),
    department="Sales",
    job_title="Account manager",
    company_code="DE01",
    manager_personnel_number="000045",
    time_zone="Europe/Berlin",
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, zone: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def directory() -> InMemoryConnector:
    """A directory where José's manager already has an account."""
    connector = InMemoryConnector(clock=lambda: utc("2025-01-01T00:00:00"))
    connector.add_account(anchor="000045", user_principal_name="boss@contoso.com")
    return connector


async def run(
    connector: InMemoryConnector, worker: WorkerView, now: datetime, policy: LifecyclePolicy = POLICY
) -> Plan:
    """One engine pass at ``now``: observe by anchor, plan, apply; every step must succeed."""
    connector.clock = lambda: now
    observed = await connector.find_by_anchor(worker.anchor)
    worker_plan = plan(worker, policy, observed, now, connector.holds_name)
    result = await connector.apply(worker_plan, observed)
    assert result.ok, [r.error for r in result.results]
    return worker_plan


async def replan(
    connector: InMemoryConnector, worker: WorkerView, now: datetime, policy: LifecyclePolicy = POLICY
) -> Plan:
    return plan(worker, policy, await connector.find_by_anchor(worker.anchor), now, connector.holds_name)


async def hired(connector: InMemoryConnector, worker: WorkerView = JOSE) -> DirectoryAccount:
    """José hired and working: his account exists and is enabled."""
    await run(connector, worker, utc("2025-03-03T08:00:00"))
    account = await connector.find_by_anchor(worker.anchor)
    assert account is not None and account.enabled
    return account


def test_the_memory_connector_is_a_connector() -> None:
    assert isinstance(InMemoryConnector(), Connector)


# --- joiner ---------------------------------------------------------------------------------------------------------


def test_a_hire_beyond_the_provisioning_window_has_no_account_yet() -> None:
    now = utc("2025-02-16T22:59:59")  # 23:59:59 on 16 February in Berlin; the window opens on the 17th
    assert desired_state(JOSE, POLICY, JOSE.today(now), never) is None
    worker_plan = plan(JOSE, POLICY, None, now, never)
    assert worker_plan.is_empty
    assert worker_plan.phase is Phase.NOT_YET


def test_a_future_hire_gets_a_disabled_account_when_entering_the_provisioning_window() -> None:
    now = utc("2025-02-16T23:00:00")  # midnight in Berlin, 14 days before the start date
    worker_plan = plan(JOSE, POLICY, None, now, never)
    assert worker_plan.phase is Phase.PRE_START
    assert worker_plan.kinds() == (K.CREATE_ACCOUNT, K.SET_MANAGER, K.ADD_TO_GROUP, K.ADD_TO_GROUP)
    create = worker_plan.steps[0]
    assert isinstance(create, CreateAccount)
    account = create.account
    assert account.anchor == "000123"
    assert account.enabled is False
    assert (account.user_principal_name, account.mail, account.mail_nickname) == (
        "jose.nunez@contoso.com",
        "jose.nunez@contoso.com",
        "jose.nunez",
    )
    assert account.attributes["displayName"] == "José Núñez"
    assert account.attributes["department"] == "Sales"
    assert account.attributes["employeeHireDate"] == "2025-03-03T00:00:00Z"
    assert worker_plan.steps[1] == SetManager("000045")
    assert worker_plan.steps[2:] == (AddToGroup("All staff"), AddToGroup("Sales team"))


def test_desired_state_matches_what_the_plan_creates() -> None:
    now = utc("2025-02-20T09:00:00")
    create = plan(JOSE, POLICY, None, now, never).steps[0]
    assert isinstance(create, CreateAccount)
    assert desired_state(JOSE, POLICY, JOSE.today(now), never) == create.account


def test_the_window_is_counted_in_the_tenants_time_zone() -> None:
    auckland = replace(JOSE, time_zone="Pacific/Auckland")
    # 16 February 11:00 UTC is already 17 February 00:00 in Auckland (NZDT, +13)
    assert plan(auckland, POLICY, None, utc("2025-02-16T10:59:59"), never).is_empty
    assert plan(auckland, POLICY, None, utc("2025-02-16T11:00:00"), never).creates


def test_a_policy_without_disabling_before_the_start_creates_the_account_enabled() -> None:
    policy = replace(POLICY, joiner=JoinerOptions(provision_days_before_start=3, disable_until_start=False))
    assert plan(JOSE, policy, None, utc("2025-02-27T12:00:00"), never).is_empty
    create = plan(JOSE, policy, None, utc("2025-02-28T12:00:00"), never).steps[0]
    assert isinstance(create, CreateAccount) and create.account.enabled


def test_a_hire_starting_today_with_no_window_is_created_enabled() -> None:
    policy = replace(POLICY, joiner=JoinerOptions(provision_days_before_start=0))
    worker_plan = plan(JOSE, policy, None, local("2025-03-03T00:00:00", "Europe/Berlin"), never)
    assert worker_plan.phase is Phase.ACTIVE
    create = worker_plan.steps[0]
    assert isinstance(create, CreateAccount) and create.account.enabled


async def test_the_account_is_enabled_on_the_start_date_in_the_tenants_time_zone() -> None:
    connector = directory()
    await run(connector, JOSE, utc("2025-02-20T09:00:00"))
    assert (await replan(connector, JOSE, utc("2025-03-02T22:59:59"))).is_empty
    start = await replan(connector, JOSE, utc("2025-03-02T23:00:00"))  # midnight in Berlin
    assert start.kinds() == (K.ENABLE_ACCOUNT,)
    assert start.describe() == ["enable account: employed (start date 2025-03-03)"]


async def test_a_pending_worker_whose_start_date_has_come_is_treated_as_employed() -> None:
    connector = directory()
    await run(connector, JOSE, utc("2025-03-05T09:00:00"))  # HR's status still says pending
    account = await connector.find_by_anchor("000123")
    assert account is not None and account.enabled


async def test_a_created_account_is_converged_at_once() -> None:
    connector = directory()
    first = await run(connector, JOSE, utc("2025-02-20T09:00:00"))
    assert first.creates
    assert (await replan(connector, JOSE, utc("2025-02-20T09:00:00"))).is_empty
    account = await connector.find_by_anchor("000123")
    assert account is not None
    assert account.manager_anchor == "000045"
    assert account.groups == ("All staff", "Sales team")
    assert account.attributes["jobTitle"] == "Account manager"


def test_a_pending_worker_without_a_start_date_has_no_account() -> None:
    assert plan(replace(JOSE, start_date=None), POLICY, None, utc("2025-03-05T09:00:00"), never).is_empty


# --- names ----------------------------------------------------------------------------------------------------------


def test_a_namesake_gets_the_next_candidate() -> None:
    taken = taken_among(["jose.nunez@contoso.com", "jose.nunez"])
    create = plan(JOSE, POLICY, None, utc("2025-02-20T09:00:00"), taken).steps[0]
    assert isinstance(create, CreateAccount)
    assert (create.account.user_principal_name, create.account.mail_nickname) == ("jnunez@contoso.com", "jnunez")


def test_a_departed_persons_name_is_not_reused_unless_the_policy_allows_it() -> None:
    reserved = taken_among(["jose.nunez@contoso.com"])
    create = plan(JOSE, POLICY, None, utc("2025-02-20T09:00:00"), never, reserved).steps[0]
    assert isinstance(create, CreateAccount) and create.account.user_principal_name == "jnunez@contoso.com"
    reuse = replace(POLICY, reuse_departed_names=True)
    create = plan(JOSE, reuse, None, utc("2025-02-20T09:00:00"), never, reserved).steps[0]
    assert isinstance(create, CreateAccount) and create.account.user_principal_name == "jose.nunez@contoso.com"


async def test_an_existing_account_keeps_its_names_when_hr_changes_the_name() -> None:
    connector = directory()
    await hired(connector)
    married = replace(JOSE, last_name="García")
    move = await replan(connector, married, utc("2025-06-01T09:00:00"))
    assert move.kinds() == (K.UPDATE_ATTRIBUTES,)
    update = move.steps[0]
    assert isinstance(update, UpdateAttributes)
    assert update.before == {"displayName": "José Núñez", "surname": "Núñez"}
    assert update.after == {"displayName": "José García", "surname": "García"}


async def test_a_mapped_upn_changes_with_an_explicit_update_step() -> None:
    mapped = replace(
        POLICY,
        user_principal_name=None,
        attribute_mappings={
            **POLICY.attribute_mappings,
            "userPrincipalName": compile_expression('Concat(Lower([LastName]), "@contoso.com")'),
        },
    )
    connector = directory()
    await run(connector, replace(JOSE, last_name="Nunez"), utc("2025-03-03T08:00:00"), mapped)
    account = await connector.find_by_anchor("000123")
    assert account is not None and account.user_principal_name == "nunez@contoso.com"
    move = await replan(connector, replace(JOSE, last_name="Garcia"), utc("2025-06-01T09:00:00"), mapped)
    update = move.steps[0]
    assert isinstance(update, UpdateAttributes)
    assert update.before["userPrincipalName"] == "nunez@contoso.com"
    assert update.after["userPrincipalName"] == "garcia@contoso.com"
    assert move.describe()[0].startswith("update userPrincipalName 'nunez@contoso.com' → 'garcia@contoso.com'")


# --- mover ----------------------------------------------------------------------------------------------------------


async def test_a_move_updates_attributes_groups_and_manager() -> None:
    connector = directory()
    connector.add_account(anchor="000046", user_principal_name="newboss@contoso.com")
    await hired(connector)
    moved = replace(JOSE, department="Marketing", job_title="Campaign lead", manager_personnel_number="000046")
    move = await run(connector, moved, utc("2025-06-01T09:00:00"))
    assert move.kinds() == (K.UPDATE_ATTRIBUTES, K.SET_MANAGER, K.REMOVE_FROM_GROUP)
    update = move.steps[0]
    assert isinstance(update, UpdateAttributes)
    assert update.before == {"department": "Sales", "jobTitle": "Account manager"}
    assert update.after == {"department": "Marketing", "jobTitle": "Campaign lead"}
    assert move.steps[1] == SetManager("000046", previous="000045")
    assert move.steps[2] == RemoveFromGroup("Sales team")
    assert (await replan(connector, moved, utc("2025-06-01T09:00:00"))).is_empty


async def test_a_move_never_removes_a_group_the_policy_does_not_grant() -> None:
    connector = directory()
    account = await hired(connector)
    await connector.apply(
        Plan("w-1", "000123", Phase.ACTIVE, account.object_id, (AddToGroup("Project Apollo"),)), account
    )
    move = await replan(connector, replace(JOSE, department="Marketing"), utc("2025-06-01T09:00:00"))
    assert RemoveFromGroup("Project Apollo") not in move.steps
    assert RemoveFromGroup("Sales team") in move.steps


async def test_a_worker_losing_their_manager_has_the_manager_removed() -> None:
    connector = directory()
    await hired(connector)
    move = await run(connector, replace(JOSE, manager_personnel_number=None), utc("2025-06-01T09:00:00"))
    assert move.steps == (SetManager(None, previous="000045"),)
    assert move.describe() == ["remove manager 000045"]


async def test_managers_are_left_alone_when_the_policy_does_not_sync_them() -> None:
    policy = replace(POLICY, sync_manager=False)
    connector = directory()
    first = await run(connector, JOSE, utc("2025-03-03T08:00:00"), policy)
    assert K.SET_MANAGER not in first.kinds()
    assert (
        await replan(connector, replace(JOSE, manager_personnel_number="000999"), utc("2025-06-01"), policy)
    ).is_empty


async def test_a_hand_edited_attribute_is_put_back() -> None:
    connector = directory()
    account = await hired(connector)
    edit = UpdateAttributes((AttributeChange("department", "Sales", "IT"),))
    await connector.apply(Plan("w-1", "000123", Phase.ACTIVE, account.object_id, (edit,)), account)
    fix = await replan(connector, JOSE, utc("2025-06-01T09:00:00"))
    assert fix.steps == (UpdateAttributes((AttributeChange("department", "IT", "Sales"),)),)


# --- leave of absence -----------------------------------------------------------------------------------------------


async def test_leave_of_absence_disables_and_return_enables_when_the_policy_says_so() -> None:
    policy = replace(POLICY, leave_of_absence=LeaveOptions(disable=True))
    connector = directory()
    await run(connector, JOSE, utc("2025-03-03T08:00:00"), policy)
    away = await run(connector, replace(JOSE, status=HRStatus.ON_LEAVE), utc("2025-05-01T08:00:00"), policy)
    assert away.phase is Phase.ON_LEAVE
    assert away.steps == (DisableAccount("on leave of absence"),)
    assert (await replan(connector, replace(JOSE, status=HRStatus.ON_LEAVE), utc("2025-05-02"), policy)).is_empty
    back = await run(connector, replace(JOSE, status=HRStatus.EMPLOYED), utc("2025-08-01T08:00:00"), policy)
    assert back.kinds() == (K.ENABLE_ACCOUNT,)
    assert (await replan(connector, replace(JOSE, status=HRStatus.EMPLOYED), utc("2025-08-01"), policy)).is_empty


async def test_leave_of_absence_changes_nothing_by_default() -> None:
    connector = directory()
    await hired(connector)
    assert (await replan(connector, replace(JOSE, status=HRStatus.ON_LEAVE), utc("2025-05-01T08:00:00"))).is_empty


# --- leaver ---------------------------------------------------------------------------------------------------------


def leaver(last_day: date, zone: str) -> WorkerView:
    return replace(JOSE, status=HRStatus.EMPLOYED, last_day=last_day, time_zone=zone)


@pytest.mark.parametrize(
    ("zone", "last_day", "day_end"),
    [
        ("Europe/Berlin", date(2025, 6, 30), "2025-06-30T22:00:00"),
        ("Pacific/Auckland", date(2025, 6, 30), "2025-06-30T12:00:00"),  # NZST, +12
        ("Pacific/Auckland", date(2025, 12, 31), "2025-12-31T11:00:00"),  # NZDT, +13
        ("Pacific/Auckland", date(2025, 4, 6), "2025-04-06T12:00:00"),  # DST ends on the 6th: +13 -> +12
        ("Pacific/Auckland", date(2025, 4, 5), "2025-04-05T11:00:00"),  # the next day is the 25-hour one
        ("Pacific/Auckland", date(2025, 9, 28), "2025-09-28T11:00:00"),  # DST starts on the 28th: +12 -> +13
        ("America/Los_Angeles", date(2025, 6, 30), "2025-07-01T07:00:00"),  # PDT, -7
        ("America/Los_Angeles", date(2025, 3, 9), "2025-03-10T07:00:00"),  # DST starts on the 9th: -8 -> -7
        ("America/Los_Angeles", date(2025, 11, 2), "2025-11-03T08:00:00"),  # DST ends on the 2nd: -7 -> -8
        ("America/Los_Angeles", date(2025, 3, 8), "2025-03-09T08:00:00"),  # the day before the short day
        ("America/Santiago", date(2025, 9, 6), "2025-09-07T04:00:00"),  # midnight does not exist: day starts 01:00
        ("America/Santiago", date(2025, 4, 5), "2025-04-06T04:00:00"),  # 23:00-24:00 happens twice
        ("UTC", date(2025, 6, 30), "2025-07-01T00:00:00"),
    ],
)
async def test_a_leaver_leaves_when_the_last_day_ends_in_the_tenants_time_zone(
    zone: str, last_day: date, day_end: str
) -> None:
    worker = leaver(last_day, zone)
    end = utc(day_end)
    assert worker.leaves_at() == end
    assert end_of_day(last_day, ZoneInfo(zone)) == end
    connector = directory()
    await hired(connector, replace(worker, last_day=None))
    just_before = await replan(connector, worker, end - timedelta(microseconds=1))
    assert just_before.phase is Phase.ACTIVE and just_before.is_empty
    at_day_end = await replan(connector, worker, end)
    assert at_day_end.phase is Phase.LEAVER
    assert at_day_end.kinds()[0] is K.DISABLE_ACCOUNT


def test_the_day_end_is_the_first_instant_of_the_next_local_date() -> None:
    for zone in (
        "Pacific/Auckland",
        "America/Los_Angeles",
        "America/Santiago",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
    ):
        tz = ZoneInfo(zone)
        for offset in range(0, 366):
            day = date(2025, 1, 1) + timedelta(days=offset)
            end = end_of_day(day, tz)
            assert end.astimezone(tz).date() == day + timedelta(days=1), (zone, day)
            assert (end - timedelta(microseconds=1)).astimezone(tz).date() == day, (zone, day)


async def test_a_leaver_is_disabled_signed_out_reset_and_removed_from_groups_once() -> None:
    connector = directory()
    account = await hired(connector)
    worker = replace(JOSE, status=HRStatus.TERMINATED, last_day=date(2025, 6, 30))
    leave = await run(connector, worker, utc("2025-06-30T22:00:00"))
    assert leave.kinds() == (
        K.DISABLE_ACCOUNT,
        K.REVOKE_SESSIONS,
        K.RESET_PASSWORD,
        K.REMOVE_FROM_GROUP,
        K.REMOVE_FROM_GROUP,
    )
    assert leave.describe()[0] == (
        "disable account: the last day worked, 2025-06-30, ended at 2025-06-30T22:00:00+00:00"
    )
    after = await connector.find_by_anchor("000123")
    assert after is not None and not after.enabled and after.groups == ()
    assert connector.password_resets[account.object_id] == 1
    assert connector.session_revocations[account.object_id] == 1
    for later in ("2025-06-30T22:00:00", "2025-07-01T09:00:00", "2026-01-01T00:00:00"):
        assert (await replan(connector, worker, utc(later))).is_empty


async def test_a_termination_entered_ahead_changes_nothing_until_the_day_ends() -> None:
    connector = directory()
    await hired(connector)
    worker = replace(JOSE, status=HRStatus.EMPLOYED, last_day=date(2025, 6, 30))
    assert (await replan(connector, worker, utc("2025-06-15T09:00:00"))).is_empty
    assert (await replan(connector, worker, utc("2025-06-30T21:59:59"))).is_empty


async def test_hr_saying_terminated_before_the_last_day_ends_does_not_cut_access_early() -> None:
    connector = directory()
    await hired(connector)
    worker = replace(JOSE, status=HRStatus.TERMINATED, last_day=date(2025, 6, 30))
    assert (await replan(connector, worker, utc("2025-06-30T12:00:00"))).phase is Phase.ACTIVE


async def test_a_leavers_mailbox_becomes_shared_when_the_policy_says_so() -> None:
    policy = replace(POLICY, leaver=LeaverOptions(convert_mailbox_to_shared=True))
    connector = directory()
    await run(connector, JOSE, utc("2025-03-03T08:00:00"), policy)
    worker = replace(JOSE, last_day=date(2025, 6, 30))
    leave = await run(connector, worker, utc("2025-07-01T08:00:00"), policy)
    assert leave.kinds()[-1] is K.CONVERT_MAILBOX_TO_SHARED
    account = await connector.find_by_anchor("000123")
    assert account is not None and account.mailbox is Mailbox.SHARED
    assert (await replan(connector, worker, utc("2025-07-02T08:00:00"), policy)).is_empty


async def test_a_policy_may_keep_leavers_enabled_and_in_their_groups() -> None:
    policy = replace(POLICY, leaver=LeaverOptions(disable=False, remove_groups=False))
    connector = directory()
    await run(connector, JOSE, utc("2025-03-03T08:00:00"), policy)
    worker = replace(JOSE, last_day=date(2025, 6, 30))
    leave = await run(connector, worker, utc("2025-07-01T08:00:00"), policy)
    assert leave.kinds() == (K.REVOKE_SESSIONS, K.RESET_PASSWORD)
    assert (await replan(connector, worker, utc("2025-07-02T08:00:00"), policy)).is_empty


def test_a_leaver_without_an_account_gets_none() -> None:
    worker = replace(JOSE, status=HRStatus.TERMINATED, last_day=date(2025, 6, 30))
    assert desired_state(worker, POLICY, date(2025, 7, 1), never) is None
    assert plan(worker, POLICY, None, utc("2025-07-01T08:00:00"), never).is_empty


async def test_a_leaver_is_not_updated_from_hr_any_more() -> None:
    connector = directory()
    await hired(connector)
    worker = replace(JOSE, last_day=date(2025, 6, 30))
    await run(connector, worker, utc("2025-07-01T08:00:00"))
    assert (await replan(connector, replace(worker, department="Archive"), utc("2025-07-02T08:00:00"))).is_empty


# --- rehire ---------------------------------------------------------------------------------------------------------


async def test_a_rehire_gets_their_old_account_back_and_never_a_second_one() -> None:
    connector = directory()
    account = await hired(connector)
    gone = replace(JOSE, status=HRStatus.TERMINATED, last_day=date(2025, 6, 30))
    await run(connector, gone, utc("2025-07-01T08:00:00"))
    rehire = replace(JOSE, status=HRStatus.PENDING, start_date=date(2026, 1, 5), last_day=None, department="Support")
    assert (await replan(connector, rehire, utc("2025-12-01T08:00:00"))).is_empty  # beyond the window
    ahead = await run(connector, rehire, utc("2025-12-22T08:00:00"))
    assert ahead.phase is Phase.PRE_START
    assert not ahead.creates
    assert ahead.kinds() == (K.UPDATE_ATTRIBUTES, K.ADD_TO_GROUP)  # still disabled until the start
    back = await run(connector, rehire, utc("2026-01-05T06:00:00"))
    assert back.kinds() == (K.ENABLE_ACCOUNT,)
    assert [a.object_id for a in connector.accounts_with_anchor("000123")] == [account.object_id]
    again = await connector.find_by_anchor("000123")
    assert again is not None
    assert again.user_principal_name == account.user_principal_name and again.enabled


async def test_a_rehire_who_leaves_again_is_reset_again() -> None:
    connector = directory()
    account = await hired(connector)
    await run(connector, replace(JOSE, last_day=date(2025, 6, 30)), utc("2025-07-01T08:00:00"))
    rehire = replace(JOSE, start_date=date(2026, 1, 5), last_day=None)
    await run(connector, rehire, utc("2026-01-05T08:00:00"))
    second = replace(rehire, last_day=date(2026, 3, 31))
    leave = await run(connector, second, utc("2026-04-01T08:00:00"))
    assert K.RESET_PASSWORD in leave.kinds() and K.REVOKE_SESSIONS in leave.kinds()
    assert connector.password_resets[account.object_id] == 2


def test_create_is_never_planned_when_the_anchor_has_an_account() -> None:
    observed = DirectoryAccount("obj-9", "000123", "someone.else@contoso.com", enabled=False)
    for now in ("2025-02-20T09:00:00", "2025-03-03T09:00:00", "2025-08-01T09:00:00"):
        worker_plan = plan(JOSE, POLICY, observed, utc(now), never)
        assert not worker_plan.creates
        assert worker_plan.account_id == "obj-9"


# --- rescinded hire -------------------------------------------------------------------------------------------------


async def test_a_rescinded_hire_disables_the_account_created_ahead() -> None:
    policy = replace(POLICY, joiner=JoinerOptions(provision_days_before_start=14, disable_until_start=False))
    connector = directory()
    await run(connector, JOSE, utc("2025-02-20T09:00:00"), policy)
    rescinded = replace(JOSE, status=HRStatus.RESCINDED, last_day=JOSE.start_date)
    undo = await run(connector, rescinded, utc("2025-02-25T09:00:00"), policy)
    assert undo.phase is Phase.RESCINDED
    assert undo.steps == (
        DisableAccount("the hire was rescinded"),
        RemoveFromGroup("All staff"),
        RemoveFromGroup("Sales team"),
    )
    assert (await replan(connector, rescinded, utc("2025-03-10T09:00:00"), policy)).is_empty


def test_a_rescinded_hire_without_an_account_gets_none() -> None:
    rescinded = replace(JOSE, status=HRStatus.RESCINDED)
    assert desired_state(rescinded, POLICY, date(2025, 2, 25), never) is None
    assert plan(rescinded, POLICY, None, utc("2025-02-25T09:00:00"), never).is_empty


# --- phases ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "start", "last_day", "today", "phase"),
    [
        (HRStatus.PENDING, date(2025, 3, 3), None, date(2025, 2, 1), Phase.NOT_YET),
        (HRStatus.PENDING, date(2025, 3, 3), None, date(2025, 2, 17), Phase.PRE_START),
        (HRStatus.PENDING, date(2025, 3, 3), None, date(2025, 3, 3), Phase.ACTIVE),
        (HRStatus.EMPLOYED, date(2025, 3, 3), date(2025, 6, 30), date(2025, 6, 30), Phase.ACTIVE),
        (HRStatus.EMPLOYED, date(2025, 3, 3), date(2025, 6, 30), date(2025, 7, 1), Phase.LEAVER),
        (HRStatus.ON_LEAVE, date(2025, 3, 3), None, date(2025, 5, 1), Phase.ON_LEAVE),
        (HRStatus.ON_LEAVE, date(2025, 3, 3), date(2025, 6, 30), date(2025, 7, 1), Phase.LEAVER),
        (HRStatus.RESCINDED, date(2025, 3, 3), date(2025, 3, 3), date(2025, 2, 20), Phase.RESCINDED),
        (HRStatus.EMPLOYED, None, None, date(2025, 2, 20), Phase.ACTIVE),
    ],
)
def test_the_phase_follows_the_dates_and_the_status(
    status: HRStatus, start: date | None, last_day: date | None, today: date, phase: Phase
) -> None:
    worker = replace(JOSE, status=status, start_date=start, last_day=last_day)
    assert phase_of(worker, POLICY, today) is phase


# --- the plan's faces and refusals ----------------------------------------------------------------------------------


def test_a_plan_describes_itself_line_by_line_and_serialises_to_json() -> None:
    worker_plan = plan(JOSE, replace(POLICY, supervised=True), None, utc("2025-02-20T09:00:00"), never)
    assert worker_plan.describe() == [
        "create account jose.nunez@contoso.com for 000123 (disabled until the start date, 2025-03-03)",
        "set manager to 000045",
        "add to group 'All staff'",
        "add to group 'Sales team'",
    ]
    data = json.loads(json.dumps(worker_plan.to_json()))
    assert data["supervised"] is True
    assert data["phase"] == "pre_start"
    assert [step["kind"] for step in data["steps"]] == ["create_account", "set_manager", "add_to_group", "add_to_group"]
    assert data["steps"][0]["account"]["userPrincipalName"] == "jose.nunez@contoso.com"
    assert data["steps"][0]["account"]["accountEnabled"] is False


def test_an_update_step_serialises_its_before_and_after() -> None:
    step = UpdateAttributes((AttributeChange("department", "Sales", None), AttributeChange("jobTitle", None, "Lead")))
    assert step.to_json() == {
        "kind": "update_attributes",
        "before": {"department": "Sales", "jobTitle": None},
        "after": {"department": None, "jobTitle": "Lead"},
    }
    assert step.describe() == "update department 'Sales' → (empty); jobTitle (empty) → 'Lead'"


def test_an_empty_plan_says_nothing() -> None:
    worker_plan = plan(JOSE, POLICY, None, utc("2025-01-01T00:00:00"), never)
    assert worker_plan.is_empty and len(worker_plan) == 0 and worker_plan.describe() == []


def test_the_enable_step_says_why() -> None:
    observed = DirectoryAccount("obj-1", "000123", "jose.nunez@contoso.com", enabled=False)
    steps = plan(JOSE, POLICY, observed, utc("2025-03-05T09:00:00"), never).steps
    assert steps[-1] == EnableAccount("employed (start date 2025-03-03)")


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan(JOSE, POLICY, None, datetime(2025, 3, 3, 9), never)


def test_an_account_of_another_anchor_is_refused() -> None:
    with pytest.raises(ValueError, match="anchored to"):
        plan(JOSE, POLICY, DirectoryAccount("obj-1", "000999", "x@contoso.com"), utc("2025-03-03T09:00:00"), never)


def test_data_that_does_not_fit_an_expression_is_a_planning_error_for_that_worker() -> None:
    policy = replace(
        POLICY,
        attribute_mappings={
            **POLICY.attribute_mappings,
            "extension_code": compile_expression("Mid([FirstName], 0, 2)"),
        },
    )
    with pytest.raises(PlanningError) as raised:
        plan(JOSE, policy, None, utc("2025-03-03T09:00:00"), never)
    assert raised.value.anchor == "000123"
    assert "extension_code" in str(raised.value)


def test_no_free_name_is_a_planning_error() -> None:
    with pytest.raises(PlanningError, match="no free name"):
        plan(JOSE, POLICY, None, utc("2025-03-03T09:00:00"), lambda name: True)


def test_a_worker_view_refuses_inconsistent_data() -> None:
    with pytest.raises(ValueError, match="personnel number"):
        replace(JOSE, personnel_number=" ")
    with pytest.raises(ValueError, match="time zone"):
        replace(JOSE, time_zone="Mars/Olympus")
    with pytest.raises(ValueError, match="no last day"):
        replace(JOSE, status=HRStatus.TERMINATED)
    with pytest.raises(ValueError, match="before the start"):
        replace(JOSE, last_day=date(2025, 1, 1))
    with pytest.raises(ValueError, match="own manager"):
        replace(JOSE, manager_personnel_number="000123")


def test_an_account_created_for_a_worker_on_leave_says_why_it_is_disabled() -> None:
    policy = replace(POLICY, leave_of_absence=LeaveOptions(disable=True))
    away = replace(JOSE, status=HRStatus.ON_LEAVE)
    worker_plan = plan(away, policy, None, utc("2025-05-01T08:00:00"), never)
    assert worker_plan.describe()[0] == "create account jose.nunez@contoso.com for 000123 (on leave of absence)"


# --- the property: any sequence of HR events converges, one account per anchor ------------------------------------

SIM_POLICY = replace(
    POLICY,
    joiner=JoinerOptions(provision_days_before_start=7),
    leave_of_absence=LeaveOptions(disable=True),
    leaver=LeaverOptions(convert_mailbox_to_shared=True),
)
SIM_ZONES = ("Pacific/Auckland", "America/Los_Angeles", "America/Santiago", "Europe/Berlin", "UTC")
SIM_STARTS = (  # a few days before daylight-saving changes somewhere
    utc("2025-04-02T10:00:00"),
    utc("2025-09-03T17:00:00"),
    utc("2025-09-25T09:00:00"),
    utc("2025-10-30T20:00:00"),
    utc("2025-03-06T12:00:00"),
)
MANAGERS = ("900001", "900002", None)
WORKERS = 3  # namesakes, all called José Núñez
WORKING = (HRStatus.PENDING, HRStatus.EMPLOYED, HRStatus.ON_LEAVE)

EVENTS = st.one_of(
    st.tuples(st.just("advance"), st.integers(1, 30)),  # hours: crossing day ends at every local time
    st.tuples(st.just("advance"), st.integers(24, 24 * 12)),
    st.tuples(
        st.just("hr"),
        st.integers(0, WORKERS - 1),
        st.integers(0, 5),  # which of the changes HR allows for this worker now
        st.integers(-2, 12),  # days ahead, for a start or a last day
        st.sampled_from(["Sales", "Support"]),
        st.sampled_from(MANAGERS),
    ),
    st.tuples(st.just("glitch"), st.integers(1, 3)),
)


class SimulatedHR:
    """One tenant's HR, changed only the ways hirehub.hr.domain allows: an "hr" event picks one of the changes
    possible for the worker today (hire, move, leave, return, terminate, rescind, rehire). ``nightly`` says
    whether HR's status job runs; if not, statuses lag behind the dates and the engine must go by the dates."""

    def __init__(self, zone: str, nightly: bool) -> None:
        self.zone = zone
        self.nightly = nightly
        self.workers: list[WorkerView | None] = [None] * WORKERS

    def tick(self, today: date) -> None:
        if not self.nightly:
            return
        for index, worker in enumerate(self.workers):
            if worker is None:
                continue
            if worker.status is HRStatus.PENDING and worker.start_date and worker.start_date <= today:
                worker = replace(worker, status=HRStatus.EMPLOYED)
            if worker.last_day and today > worker.last_day and worker.status in WORKING:
                worker = replace(worker, status=HRStatus.TERMINATED)
            self.workers[index] = worker

    def change(self, today: date, index: int, choice: int, days: int, department: str, manager: str | None) -> None:
        worker = self.workers[index]
        options = self._options(worker, today)
        if not options:
            return
        kind = options[choice % len(options)]
        if kind == "hire":
            self.workers[index] = self._hire(worker, today, index, max(days, 0))
            return
        assert worker is not None
        if kind == "move":
            worker = replace(worker, department=department, manager_personnel_number=manager)
        elif kind == "leave":
            worker = replace(worker, status=HRStatus.ON_LEAVE)
        elif kind == "return":
            worker = replace(worker, status=HRStatus.EMPLOYED)
        elif kind == "rescind":
            worker = replace(worker, status=HRStatus.RESCINDED, last_day=worker.start_date)
        elif kind == "terminate":
            last_day = max(today + timedelta(days=days), worker.start_date or today)
            worker = replace(
                worker, last_day=last_day, status=HRStatus.TERMINATED if last_day < today else worker.status
            )
        self.workers[index] = worker

    @staticmethod
    def _options(worker: WorkerView | None, today: date) -> list[str]:
        if worker is None or worker.status is HRStatus.RESCINDED:
            return ["hire"]
        if worker.last_day is not None and today > worker.last_day:
            return ["hire"]  # a rehire
        terminate = ["terminate"] if worker.last_day is None else []
        if worker.start_date is not None and worker.start_date > today:
            return ["move", *terminate, *(["rescind"] if worker.last_day is None else [])]
        if worker.status is HRStatus.ON_LEAVE:
            return ["return", "move", *terminate]
        return ["move", *terminate, *(["leave"] if worker.last_day is None else [])]

    def _hire(self, worker: WorkerView | None, today: date, index: int, days: int) -> WorkerView:
        start = today + timedelta(days=days)
        if worker is None:
            return WorkerView(
                worker_id=f"w-{index}",
                personnel_number=f"00000{index}",
                first_name="José",
                last_name="Núñez",
                start_date=start,
                department="Sales",
                manager_personnel_number="900001",
                time_zone=self.zone,
            )
        if worker.last_day is not None and start <= worker.last_day:
            start = worker.last_day + timedelta(days=1)
        return replace(worker, status=HRStatus.PENDING, start_date=start, last_day=None)


async def engine_round(connector: InMemoryConnector, hr: SimulatedHR, now: datetime) -> bool:
    """Plan and apply for every worker; True when every plan was empty (converged)."""
    converged = True
    for worker in hr.workers:
        if worker is None:
            continue
        observed = await connector.find_by_anchor(worker.anchor)  # raises DuplicateAnchor on a second account
        worker_plan = plan(worker, SIM_POLICY, observed, now, connector.holds_name)
        assert not (observed is not None and worker_plan.creates), "create planned for an anchor with an account"
        if not worker_plan.is_empty:
            converged = False
            await connector.apply(worker_plan, observed)
    return converged


def check_invariants(connector: InMemoryConnector, hr: SimulatedHR, now: datetime) -> None:
    for worker in hr.workers:
        if worker is None:
            continue
        accounts = connector.accounts_with_anchor(worker.anchor)
        assert len(accounts) <= 1, f"{worker.anchor} has {len(accounts)} accounts"
        phase = phase_of(worker, SIM_POLICY, worker.today(now))
        if phase.wants_account:
            assert accounts, f"{worker.anchor} ({phase}) has no account"
        if not accounts:
            continue
        account = accounts[0]
        leaves_at = worker.leaves_at()
        left = worker.status is not HRStatus.RESCINDED and leaves_at is not None and now >= leaves_at
        assert left == (phase is Phase.LEAVER)
        if left:
            assert leaves_at is not None
            assert not account.enabled, "a leaver is enabled after their day end"
            assert account.groups == ()
            assert account.password_changed_at is not None and account.password_changed_at >= leaves_at
            assert account.sessions_valid_from is not None and account.sessions_valid_from >= leaves_at
            assert account.mailbox is not Mailbox.USER
        elif phase is Phase.ACTIVE:
            assert account.enabled
            assert account.attributes.get("department") == worker.department
            assert account.manager_anchor == worker.manager_personnel_number
        else:  # pre-start, on leave, rescinded and not-yet accounts are all off under this policy
            assert not account.enabled, f"{worker.anchor} is enabled while {phase}"


async def simulate(zone: str, start: datetime, nightly: bool, events: list[tuple[object, ...]]) -> None:
    now = start
    connector = InMemoryConnector(clock=lambda: now)
    for manager in MANAGERS:
        if manager is not None:
            connector.add_account(anchor=manager, user_principal_name=f"boss{manager}@contoso.com")
    hr = SimulatedHR(zone, nightly)
    for event in events:
        if event[0] == "advance":
            hours = event[1]
            assert isinstance(hours, int)
            now += timedelta(hours=hours)
        today = local_date_of(now, zone)
        hr.tick(today)
        if event[0] == "hr":
            hr.change(today, *event[1:])  # type: ignore[arg-type]
        if event[0] == "glitch":
            count = event[1]
            assert isinstance(count, int)
            connector.fail_next(count, error="Graph had a bad moment")
        rounds = 0
        while not await engine_round(connector, hr, now):
            rounds += 1
            assert rounds <= 4, "the engine does not converge"
        if event[0] == "glitch":
            connector.clear_failures()  # those no step met
        else:
            assert rounds <= 1, "one application must converge when nothing fails"
        check_invariants(connector, hr, now)
    used = [a.user_principal_name.casefold() for a in connector.accounts()]
    assert len(used) == len(set(used))


def local_date_of(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(SIM_ZONES),
    start=st.sampled_from(SIM_STARTS),
    nightly=st.booleans(),
    events=st.lists(EVENTS, max_size=40),
)
def test_any_sequence_of_hr_events_converges_with_one_account_per_anchor(
    zone: str, start: datetime, nightly: bool, events: list[tuple[object, ...]]
) -> None:
    asyncio.run(simulate(zone, start, nightly, events))


def test_a_desired_account_keeps_its_own_copy_of_the_attributes_it_is_given() -> None:
    given_attributes: dict[str, object] = {"department": "Finance"}
    desired = DesiredAccount(anchor="000001", user_principal_name="ada@contoso.example", mail=None,
                             mail_nickname=None, enabled=True, attributes=given_attributes)  # fmt: skip
    given_attributes["department"] = "Sales"
    assert desired.attributes == {"department": "Finance"}
    with pytest.raises(TypeError):
        desired.attributes["department"] = "Sales"  # type: ignore[index]
