"""What only the in-memory connector does: seeding, its own bookkeeping, paging details and failure injection.

The connector contract itself, which it keeps the way Entra would, is specified once for every connector in
tests/connectors/test_contract.py."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hirehub.lifecycle.connector import (
    ConnectorUnavailable,
    NameConflict,
    Outcome,
)
from hirehub.lifecycle.directory_state import DesiredAccount, DirectoryAccount, Mailbox
from hirehub.lifecycle.planning import (
    AddToGroup,
    AttributeChange,
    ConvertMailboxToShared,
    CreateAccount,
    EnableAccount,
    Phase,
    Plan,
    ResetPassword,
    RevokeSessions,
    Step,
    UpdateAttributes,
)
from hirehub.testing.memory_connector import InMemoryConnector

NOW = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def desired(anchor: str = "000123", upn: str = "jose.nunez@contoso.com", **changes: object) -> DesiredAccount:
    values: dict[str, object] = {
        "anchor": anchor,
        "user_principal_name": upn,
        "mail": upn,
        "mail_nickname": upn.split("@")[0],
        "enabled": True,
        "attributes": {"department": "Sales", "jobTitle": None},
    }
    values.update(changes)
    return DesiredAccount(**values)  # type: ignore[arg-type]


def steps_plan(*steps: Step, account_id: str | None = None, anchor: str = "000123") -> Plan:
    return Plan("w-1", anchor, Phase.ACTIVE, account_id, steps)


async def created(connector: InMemoryConnector, **changes: Any) -> DirectoryAccount:
    result = await connector.apply(steps_plan(CreateAccount(desired(**changes))), None)
    assert result.ok and result.account is not None
    return result.account


# --- creating and finding -------------------------------------------------------------------------------------------


async def test_a_mail_colliding_with_another_accounts_upn_is_a_conflict() -> None:
    connector = InMemoryConnector()
    connector.add_account(anchor=None, user_principal_name="sales@contoso.com")
    result = await connector.apply(steps_plan(CreateAccount(desired(mail="sales@contoso.com"))), None)
    assert result.conflicts[0].attribute == "mail"


async def test_a_taken_mail_nickname_is_a_conflict() -> None:
    connector = InMemoryConnector()
    connector.add_account(anchor=None, user_principal_name="x@contoso.com", mail_nickname="jose.nunez")
    result = await connector.apply(steps_plan(CreateAccount(desired())), None)
    assert result.conflicts[0].attribute == "mailNickname"


async def test_seeding_a_taken_name_raises_the_conflict() -> None:
    connector = InMemoryConnector()
    connector.add_account(anchor=None, user_principal_name="x@contoso.com")
    with pytest.raises(NameConflict):
        connector.add_account(anchor=None, user_principal_name="X@contoso.com")


# --- changing -------------------------------------------------------------------------------------------------------


async def test_a_rename_frees_the_old_name_and_takes_the_new_one() -> None:
    connector = InMemoryConnector()
    account = await created(connector)
    rename = UpdateAttributes((AttributeChange("userPrincipalName", account.user_principal_name, "jg@contoso.com"),))
    result = await connector.apply(steps_plan(rename), account)
    assert result.ok and result.account is not None
    assert result.account.user_principal_name == "jg@contoso.com"
    assert await connector.name_taken("jg@contoso.com")
    assert result.account.mail == "jose.nunez@contoso.com"  # the mail was not part of the change


async def test_a_rename_onto_a_taken_name_is_a_conflict_and_changes_nothing() -> None:
    connector = InMemoryConnector()
    connector.add_account(anchor=None, user_principal_name="taken@contoso.com")
    account = await created(connector)
    rename = UpdateAttributes(
        (AttributeChange("department", "Sales", "IT"), AttributeChange("userPrincipalName", None, "taken@contoso.com"))
    )
    result = await connector.apply(steps_plan(rename), account)
    assert result.results[0].outcome is Outcome.CONFLICT
    assert connector.account(account.object_id).attributes["department"] == "Sales"


async def test_resets_and_revocations_are_counted_and_leave_graphs_traces() -> None:
    clock = Clock()
    connector = InMemoryConnector(clock=clock)
    account = await created(connector)
    clock.now = NOW + timedelta(days=90)
    result = await connector.apply(steps_plan(ResetPassword(), RevokeSessions(), ResetPassword()), account)
    assert result.account is not None
    assert result.account.password_changed_at == clock.now
    assert result.account.sessions_valid_from == clock.now
    assert connector.password_resets[account.object_id] == 2
    assert connector.session_revocations[account.object_id] == 1


async def test_a_mailbox_is_converted_to_shared_and_an_account_without_one_fails() -> None:
    connector = InMemoryConnector()
    account = await created(connector)
    result = await connector.apply(steps_plan(ConvertMailboxToShared()), account)
    assert result.account is not None and result.account.mailbox is Mailbox.SHARED
    assert connector.mailbox_conversions[account.object_id] == 1
    bare = await created(connector, anchor="000124", upn="bare@contoso.com", mail=None)
    result = await connector.apply(steps_plan(ConvertMailboxToShared(), anchor="000124"), bare)
    assert result.results[0].error == "the account has no mailbox"


async def test_a_successful_step_is_recorded_with_the_account_it_changed() -> None:
    connector = InMemoryConnector()
    account = await created(connector)
    await connector.apply(steps_plan(EnableAccount("x")), account)
    assert connector.applied[-1] == (account.object_id, EnableAccount("x"))


# --- paging ---------------------------------------------------------------------------------------------------------


async def test_accounts_are_listed_in_pages_of_the_configured_size() -> None:
    connector = InMemoryConnector(page_size=2)
    for number in range(5):
        connector.add_account(anchor=f"{number:06d}", user_principal_name=f"u{number}@contoso.com")
    pages: list[list[str]] = []
    token: str | None = None
    while True:
        page, token = await connector.list_accounts(token)
        pages.append([account.anchor or "" for account in page])
        if token is None:
            break
    assert pages == [["000000", "000001"], ["000002", "000003"], ["000004"]]


async def test_an_exact_multiple_of_the_page_size_ends_without_an_empty_page() -> None:
    connector = InMemoryConnector(page_size=2)
    for number in range(4):
        connector.add_account(anchor=None, user_principal_name=f"u{number}@contoso.com")
    first, token = await connector.list_accounts(None)
    second, token = await connector.list_accounts(token)
    assert (len(first), len(second), token) == (2, 2, None)


async def test_listing_an_empty_directory_gives_one_empty_page() -> None:
    assert await InMemoryConnector().list_accounts(None) == ([], None)


async def test_accounts_created_while_paging_are_not_missed_or_repeated() -> None:
    connector = InMemoryConnector(page_size=2)
    for number in range(3):
        connector.add_account(anchor=None, user_principal_name=f"u{number}@contoso.com")
    first, token = await connector.list_accounts(None)
    connector.add_account(anchor=None, user_principal_name="late@contoso.com")
    rest = [account async for account in _from(connector, token)]
    names = [a.user_principal_name for a in [*first, *rest]]
    assert names == ["u0@contoso.com", "u1@contoso.com", "u2@contoso.com", "late@contoso.com"]


async def _from(connector: InMemoryConnector, token: str | None) -> AsyncIterator[DirectoryAccount]:
    while token is not None:
        page, token = await connector.list_accounts(token)
        for account in page:
            yield account


def test_a_page_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        InMemoryConnector(page_size=0)


# --- failure injection ----------------------------------------------------------------------------------------------


async def test_an_injected_error_fails_one_step_and_the_plan_goes_on() -> None:
    connector = InMemoryConnector()
    account = await created(connector)
    connector.fail_next(1, error="Request_ResourceNotFound")
    result = await connector.apply(steps_plan(AddToGroup("A"), AddToGroup("B")), account)
    assert [r.outcome for r in result.results] == [Outcome.FAILED, Outcome.OK]
    assert result.results[0].error == "Request_ResourceNotFound"
    assert result.account is not None and result.account.groups == ("B",)


async def test_an_injected_failure_of_a_creation_stops_the_plan() -> None:
    connector = InMemoryConnector()
    connector.fail_next()
    result = await connector.apply(steps_plan(CreateAccount(desired()), AddToGroup("A")), None)
    assert [r.outcome for r in result.results] == [Outcome.FAILED, Outcome.SKIPPED]
    assert result.results[0].error == "injected failure"
    assert connector.accounts() == []


async def test_throttling_reports_retry_after_and_skips_the_rest() -> None:
    connector = InMemoryConnector()
    account = await created(connector)
    connector.fail_next(2, retry_after=12.5)
    result = await connector.apply(steps_plan(AddToGroup("A"), AddToGroup("B")), account)
    assert [r.outcome for r in result.results] == [Outcome.RETRY, Outcome.SKIPPED]
    assert result.retry_after == 12.5
    assert not result.ok
    result = await connector.apply(steps_plan(AddToGroup("A"), AddToGroup("B")), account)
    assert [r.outcome for r in result.results] == [Outcome.RETRY, Outcome.SKIPPED]
    result = await connector.apply(steps_plan(AddToGroup("A")), account)
    assert result.ok


async def test_cleared_failures_no_longer_apply() -> None:
    connector = InMemoryConnector()
    connector.fail_next(3)
    connector.clear_failures()
    assert (await connector.apply(steps_plan(CreateAccount(desired())), None)).ok


async def test_a_directory_that_is_down_raises_unavailable_until_the_moment_passes() -> None:
    clock = Clock()
    connector = InMemoryConnector(clock=clock)
    connector.down_until(NOW + timedelta(seconds=30))
    with pytest.raises(ConnectorUnavailable) as raised:
        await connector.find_by_anchor("000123")
    assert raised.value.retry_after == 30
    for call in (
        connector.list_accounts(None),
        connector.name_taken("x"),
        connector.apply(steps_plan(CreateAccount(desired())), None),
    ):
        with pytest.raises(ConnectorUnavailable):
            await call
    assert connector.accounts() == []
    clock.now = NOW + timedelta(seconds=30)
    assert (await connector.apply(steps_plan(CreateAccount(desired())), None)).ok


async def test_bringing_the_directory_up_again_ends_the_outage() -> None:
    connector = InMemoryConnector()
    connector.down_until(datetime.now(UTC) + timedelta(hours=1))
    connector.down_until(None)
    assert await connector.list_accounts(None) == ([], None)


async def test_step_results_serialise_to_json() -> None:
    connector = InMemoryConnector()
    connector.add_account(anchor=None, user_principal_name="jose.nunez@contoso.com")
    result = await connector.apply(steps_plan(CreateAccount(desired())), None)
    data = json.loads(json.dumps(result.results[0].to_json()))
    assert data["outcome"] == "conflict"
    assert data["conflict"] == {"attribute": "userPrincipalName", "name": "jose.nunez@contoso.com"}
    assert data["step"]["kind"] == "create_account"
