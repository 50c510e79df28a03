"""Reconciliation: all of HR against all of the directory; what drifted, and the plans that fix it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from hirehub.lifecycle.connector import all_accounts
from hirehub.lifecycle.directory_state import DirectoryAccount
from hirehub.lifecycle.expressions import compile_expression
from hirehub.lifecycle.group_rules import Condition, GroupRule
from hirehub.lifecycle.planning import CreateAccount, DisableAccount, Phase, Plan, StepKind, plan
from hirehub.lifecycle.policy import LeaverOptions, starter_policy
from hirehub.lifecycle.reconciliation import AccountMismatch, compare
from hirehub.lifecycle.worker_view import HRStatus, WorkerView
from hirehub.testing.memory_connector import InMemoryConnector

K = StepKind
NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
EARLIER = datetime(2025, 5, 2, 9, 0, tzinfo=UTC)
POLICY = starter_policy(
    "contoso.com", group_rules=(GroupRule("Sales", ("Sales team",), (Condition("Department", "equals", "Sales"),)),)
)


def worker(number: int, **changes: object) -> WorkerView:
    values: dict[str, object] = {
        "worker_id": f"w-{number}",
        "personnel_number": f"{number:06d}",
        "first_name": "Ada",
        "last_name": f"Lovelace{number}",
        "status": HRStatus.EMPLOYED,
        "start_date": date(2025, 1, 6),
        "department": "Sales",
        "time_zone": "Europe/London",
    }
    values.update(changes)
    return WorkerView(**values)  # type: ignore[arg-type]


async def provisioned(*workers: WorkerView) -> InMemoryConnector:
    """A directory in which every given worker's account was made as the policy wants it, a month before NOW."""
    connector = InMemoryConnector(clock=lambda: EARLIER)
    for each in workers:
        observed = await connector.find_by_anchor(each.anchor)
        result = await connector.apply(plan(each, POLICY, observed, EARLIER, connector.holds_name), observed)
        assert result.ok
    connector.clock = lambda: NOW
    return connector


async def test_a_converged_tenant_is_clean() -> None:
    workers = [worker(1), worker(2, department="Support")]
    connector = await provisioned(*workers)
    report = compare(workers, connector.accounts(), POLICY, NOW)
    assert report.is_clean
    assert report.fixes(POLICY) == []
    assert report.summary()["fixes"] == 0


async def test_an_account_whose_anchor_no_worker_has_is_an_orphan_and_is_never_fixed() -> None:
    connector = await provisioned(worker(1))
    orphan = connector.add_account(anchor="000777", user_principal_name="ghost@contoso.com")
    report = compare([worker(1)], connector.accounts(), POLICY, NOW)
    assert report.orphans == (orphan,)
    assert not report.is_clean
    assert report.fixes(POLICY) == []


async def test_accounts_without_an_anchor_are_not_the_lifecycles_business() -> None:
    connector = await provisioned(worker(1))
    connector.add_account(anchor=None, user_principal_name="admin@contoso.com")
    report = compare([worker(1)], connector.accounts(), POLICY, NOW)
    assert report.is_clean
    assert report.unanchored == 1


async def test_two_accounts_with_one_anchor_are_duplicates_left_to_an_administrator() -> None:
    connector = await provisioned(worker(1))
    second = connector.add_account(anchor="000001", user_principal_name="ada.again@contoso.com")
    report = compare([worker(1)], connector.accounts(), POLICY, NOW)
    assert set(report.duplicates) == {"000001"}
    assert second in report.duplicates["000001"]
    assert len(report.duplicates["000001"]) == 2
    assert report.missing == () and report.mismatched == ()
    assert report.fixes(POLICY) == []


async def test_differing_attributes_manager_and_groups_are_mismatches() -> None:
    connector = await provisioned(worker(9), worker(1, manager_personnel_number="000009"))
    moved = worker(1, department="Support", job_title="Engineer", manager_personnel_number=None)
    report = compare([worker(9), moved], connector.accounts(), POLICY, NOW)
    account = connector.accounts_with_anchor("000001")[0]
    assert report.mismatched == (
        AccountMismatch(
            anchor="000001",
            object_id=account.object_id,
            attributes={"department": ("Sales", "Support"), "jobTitle": (None, "Engineer")},
            manager=("000009", None),
            groups_to_remove=("Sales team",),
        ),
    )
    (fix,) = report.fixes(POLICY)
    assert fix.kinds() == (K.UPDATE_ATTRIBUTES, K.SET_MANAGER, K.REMOVE_FROM_GROUP)


async def test_enabled_accounts_of_leavers_are_reported_and_fixed() -> None:
    connector = await provisioned(worker(1), worker(2))
    gone = worker(1, status=HRStatus.TERMINATED, last_day=date(2025, 5, 30))
    report = compare([gone, worker(2)], connector.accounts(), POLICY, NOW)
    assert [account.anchor for account in report.enabled_leavers] == ["000001"]
    assert report.mismatched == ()
    (fix,) = report.fixes(POLICY)
    assert fix.phase is Phase.LEAVER
    assert fix.kinds()[:3] == (K.DISABLE_ACCOUNT, K.REVOKE_SESSIONS, K.RESET_PASSWORD)


async def test_a_leaver_kept_enabled_by_the_policy_is_still_reported_but_needs_no_fix() -> None:
    keep = starter_policy(
        "contoso.com", leaver=LeaverOptions(disable=False, reset_password=False, revoke_sessions=False)
    )
    connector = InMemoryConnector(clock=lambda: NOW)
    await connector.apply(plan(worker(1), keep, None, NOW, connector.holds_name), None)
    gone = worker(1, last_day=date(2025, 5, 30))
    observed = await connector.find_by_anchor("000001")
    await connector.apply(plan(gone, keep, observed, NOW, connector.holds_name), observed)
    report = compare([gone], connector.accounts(), keep, NOW)
    assert len(report.enabled_leavers) == 1
    assert report.fixes(keep) == []


async def test_a_leavers_disabled_account_with_one_shot_actions_still_to_do_needs_a_fix() -> None:
    connector = await provisioned(worker(1))
    account = connector.accounts_with_anchor("000001")[0]
    await connector.apply(Plan("w-1", "000001", Phase.ACTIVE, account.object_id, (DisableAccount("by hand"),)), account)
    gone = worker(1, last_day=date(2025, 5, 30))
    report = compare([gone], connector.accounts(), POLICY, NOW)
    assert report.enabled_leavers == ()
    (fix,) = report.fixes(POLICY)
    assert K.RESET_PASSWORD in fix.kinds() and K.DISABLE_ACCOUNT not in fix.kinds()


async def test_workers_who_should_have_an_account_and_have_none_are_missing() -> None:
    connector = await provisioned(worker(1))
    future = worker(3, status=HRStatus.PENDING, start_date=date(2025, 9, 1))
    soon = worker(4, status=HRStatus.PENDING, start_date=date(2025, 6, 10))
    report = compare([worker(1), worker(2), future, soon], connector.accounts(), POLICY, NOW)
    assert [w.anchor for w in report.missing] == ["000002", "000004"]
    fixes = report.fixes(POLICY)
    assert [fix.anchor for fix in fixes] == ["000002", "000004"]
    assert all(fix.creates for fix in fixes)


async def test_namesakes_missing_together_get_different_names_in_the_fixes() -> None:
    twins = [worker(1, last_name="Lovelace"), worker(2, last_name="Lovelace")]
    connector = InMemoryConnector(clock=lambda: NOW)
    connector.add_account(anchor=None, user_principal_name="ada.lovelace@contoso.com")
    report = compare(twins, connector.accounts(), POLICY, NOW)
    names = []
    for fix in report.fixes(POLICY):
        create = fix.steps[0]
        assert isinstance(create, CreateAccount)
        names.append(create.account.user_principal_name)
    assert names == ["alovelace@contoso.com", "ada.lovelace2@contoso.com"]


async def test_fixes_under_another_policy_are_planned_afresh() -> None:
    twins = [worker(1, last_name="Lovelace"), worker(2, last_name="Lovelace")]
    report = compare(twins, [], POLICY, NOW)
    other = replace(POLICY, supervised=True)
    fixes = report.fixes(other)
    assert all(fix.supervised for fix in fixes)
    upns = [step.account.user_principal_name for fix in fixes for step in fix.steps if isinstance(step, CreateAccount)]
    assert upns == ["ada.lovelace@contoso.com", "alovelace@contoso.com"]


async def test_a_worker_whose_data_does_not_fit_the_policy_is_an_error_and_others_go_on() -> None:
    strict = replace(
        POLICY,
        attribute_mappings={**POLICY.attribute_mappings, "extension_code": compile_expression("Left([LastName], -1)")},
    )
    report = compare([worker(1)], [], strict, NOW)
    assert "extension_code" in report.errors["000001"]
    assert report.missing == ()
    assert not report.is_clean


def test_two_workers_with_one_personnel_number_are_an_error() -> None:
    report = compare([worker(1), worker(1, first_name="Other")], [], POLICY, NOW)
    assert "more than one worker" in report.errors["000001"]


async def test_applying_the_fixes_leaves_a_clean_tenant() -> None:
    connector = await provisioned(worker(1), worker(2), worker(3))
    connector.add_account(anchor=None, user_principal_name="ada.lovelace5@contoso.com")
    workers = [
        worker(1, department="Support"),
        worker(2, status=HRStatus.TERMINATED, last_day=date(2025, 5, 30)),
        worker(3, status=HRStatus.ON_LEAVE),
        worker(4),
        worker(5, last_name=""),
        worker(6, last_name=""),
    ]
    report = compare(workers, [account async for account in all_accounts(connector)], POLICY, NOW)
    for fix in report.fixes(POLICY):
        observed = await connector.find_by_anchor(fix.anchor)
        assert (await connector.apply(fix, observed)).ok
    assert compare(workers, connector.accounts(), POLICY, NOW).is_clean


def test_each_input_is_read_once_so_generators_work() -> None:
    reads = {"workers": 0, "accounts": 0}

    def workers() -> Iterator[WorkerView]:
        for number in range(1, 4):
            reads["workers"] += 1
            yield worker(number)

    def accounts() -> Iterator[DirectoryAccount]:
        for number in range(1, 6):
            reads["accounts"] += 1
            yield DirectoryAccount(f"obj-{number}", f"{number:06d}", f"u{number}@contoso.com")

    report = compare(workers(), accounts(), POLICY, NOW)
    assert reads == {"workers": 3, "accounts": 5}
    assert [account.anchor for account in report.orphans] == ["000004", "000005"]
    assert len(report.mismatched) == 3


@pytest.mark.parametrize("auckland_first", [True, False])
async def test_each_worker_is_compared_on_the_date_in_their_own_time_zone(auckland_first: bool) -> None:
    """At 13:00 UTC on 2 June it is already 3 June in Auckland but still 2 June in Los Angeles: a last day of
    2 June has ended for the one and not for the other, whichever of them is compared first."""
    auckland = worker(1, time_zone="Pacific/Auckland")
    los_angeles = worker(2, time_zone="America/Los_Angeles")
    connector = await provisioned(auckland, los_angeles)
    leaving = {"status": HRStatus.TERMINATED, "last_day": date(2025, 6, 2)}
    workers = [replace(auckland, **leaving), replace(los_angeles, **leaving)]  # type: ignore[arg-type]
    report = compare(
        workers if auckland_first else workers[::-1],
        connector.accounts(),
        POLICY,
        datetime(2025, 6, 2, 13, 0, tzinfo=UTC),
    )
    assert [account.anchor for account in report.enabled_leavers] == ["000001"]
    assert [fix.anchor for fix in report.fixes(POLICY)] == ["000001"]


def test_a_reconciliation_computes_a_mapping_once_for_the_workers_who_share_what_it_reads() -> None:
    policy = starter_policy("contoso.com")  # a fresh policy: an empty memo
    compare([worker(1), worker(2), worker(3, start_date=date(2025, 2, 3))], [], policy, NOW)
    hire_date = policy.memoized_mappings["employeeHireDate"].cache_info()
    assert (hire_date.misses, hire_date.hits) == (2, 1)
