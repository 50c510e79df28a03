"""The connector contract, kept by every connector: the in-memory directory and the Entra connector on the sandbox.

One suite, run against each connector through a small harness that knows how to arrange that directory (a group,
a namesake's account, a second account on an anchor, an outage); what a connector must answer is written once.
Behaviours only one connector has (the in-memory one's failure injection, the Entra one's adoption of an account an
interrupted attempt created) are specified beside that connector.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from hirehub.directories.entra.connector import GraphConnector
from hirehub.lifecycle.connector import Connector, ConnectorUnavailable, DuplicateAnchor, Outcome, all_accounts
from hirehub.lifecycle.directory_state import DesiredAccount, DirectoryAccount, Mailbox
from hirehub.lifecycle.planning import (
    AddToGroup,
    AttributeChange,
    ConvertMailboxToShared,
    CreateAccount,
    DisableAccount,
    EnableAccount,
    Phase,
    Plan,
    RemoveFromGroup,
    ResetPassword,
    RevokeSessions,
    SetManager,
    Step,
    UpdateAttributes,
)
from hirehub.testing.memory_connector import InMemoryConnector
from tests.sandbox.entra.graph_support import DOMAIN, EXCHANGE_ADMINISTRATOR, EXCHANGE_APP_ID, GraphRig, user_body


@dataclass
class Directory:
    """One connector under test and the means to arrange its directory behind its back."""

    connector: Connector
    domain: str
    add_group: Callable[[str], None]
    add_namesake: Callable[[str], None]
    """An account without an anchor holding the userPrincipalName and mailNickname ``key@domain`` / ``key``."""
    add_anchored: Callable[[str, str], None]
    """An account carrying the anchor (first argument) under the name ``key`` (second)."""
    advance: Callable[[float], None]
    """Let the directory's time pass by that many seconds."""
    take_down: Callable[[], None]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def memory_directory() -> Directory:
    clock = Clock()
    memory = InMemoryConnector(clock=clock, page_size=5, groups=())

    def advance(seconds: float) -> None:
        clock.now += timedelta(seconds=seconds)

    return Directory(
        connector=memory,
        domain="contoso.com",
        add_group=memory.add_group,
        add_namesake=lambda key: memory.add_account(
            anchor=None, user_principal_name=f"{key}@contoso.com", mail_nickname=key
        ),
        add_anchored=lambda anchor, key: memory.add_account(anchor=anchor, user_principal_name=f"{key}@contoso.com"),
        advance=advance,
        take_down=lambda: memory.down_until(clock.now + timedelta(hours=1)),
    )


def graph_directory() -> Directory:
    rig = GraphRig.create()
    rig.world.grant_application_permissions(rig.directory, rig.app.app_id, {"Exchange.ManageAsApp"}, EXCHANGE_APP_ID)
    rig.world.assign_directory_role(rig.directory, rig.app.app_id, EXCHANGE_ADMINISTRATOR)

    def add_group(name: str) -> None:
        body = {
            "displayName": name,
            "mailEnabled": False,
            "mailNickname": name.lower().replace(" ", ""),
            "securityEnabled": True,
        }
        rig.store.create_group(body)

    def take_down() -> None:
        rig.world.faults = replace(rig.world.faults, down=True)

    return Directory(
        connector=GraphConnector(rig.directory_client(max_attempts=2), rig.exchange()),
        domain=DOMAIN,
        add_group=add_group,
        add_namesake=lambda key: rig.store.create_user(user_body(key, employeeId=None)),
        add_anchored=lambda anchor, key: rig.store.create_user(user_body(key, employeeId=anchor)),
        advance=rig.world.clock.advance,
        take_down=take_down,
    )


@pytest.fixture(params=["memory", "graph"])
def directory(request: pytest.FixtureRequest) -> Iterator[Directory]:
    yield memory_directory() if request.param == "memory" else graph_directory()


def desired(
    directory: Directory, anchor: str = "000123", name: str = "jose.nunez", **changes: object
) -> DesiredAccount:
    values: dict[str, object] = {
        "anchor": anchor,
        "user_principal_name": f"{name}@{directory.domain}",
        "mail": f"{name}@{directory.domain}",
        "mail_nickname": name,
        "enabled": True,
        "attributes": {"displayName": name.replace(".", " ").title(), "department": "Sales", "jobTitle": None},
    }
    values.update(changes)
    return DesiredAccount(**values)  # type: ignore[arg-type]


def plan(*steps: Step, anchor: str = "000123", account: DirectoryAccount | None = None) -> Plan:
    return Plan("w-1", anchor, Phase.ACTIVE, account.object_id if account else None, tuple(steps))


async def created(directory: Directory, **changes: object) -> DirectoryAccount:
    account = desired(directory, **changes)  # type: ignore[arg-type]
    applied = await directory.connector.apply(plan(CreateAccount(account), anchor=account.anchor), None)
    assert applied.ok and applied.account is not None, applied.results
    return applied.account


async def test_a_created_account_carries_the_anchor_and_is_found_by_it(directory: Directory) -> None:
    account = await created(directory)
    found = await directory.connector.find_by_anchor("000123")
    assert found is not None and found.object_id == account.object_id
    assert (found.user_principal_name, found.mail, found.mail_nickname) == (
        f"jose.nunez@{directory.domain}", f"jose.nunez@{directory.domain}", "jose.nunez",
    )  # fmt: skip
    assert found.attributes["department"] == "Sales" and "jobTitle" not in found.attributes  # null is absent
    assert found.enabled and found.mailbox is Mailbox.USER and found.password_changed_at is not None
    assert await directory.connector.find_by_anchor("999999") is None


async def test_an_account_without_mail_has_no_mailbox(directory: Directory) -> None:
    account = await created(directory, mail=None)
    assert account.mailbox is None


async def test_a_namesakes_upn_is_a_conflict_and_the_rest_of_the_plan_is_skipped(directory: Directory) -> None:
    directory.add_namesake("jose.nunez")
    applied = await directory.connector.apply(plan(CreateAccount(desired(directory)), AddToGroup("All staff")), None)
    assert [r.outcome for r in applied.results] == [Outcome.CONFLICT, Outcome.SKIPPED]
    assert applied.conflicts[0].attribute == "userPrincipalName"
    assert applied.conflicts[0].name.lower() == f"jose.nunez@{directory.domain}"
    assert applied.account is None
    assert await directory.connector.find_by_anchor("000123") is None


async def test_two_accounts_with_one_anchor_are_reported_as_a_duplicate(directory: Directory) -> None:
    directory.add_anchored("000123", "a")
    directory.add_anchored("000123", "b")
    with pytest.raises(DuplicateAnchor) as raised:
        await directory.connector.find_by_anchor("000123")
    assert len(raised.value.object_ids) == 2


async def test_names_are_taken_ignoring_case_whichever_attribute_holds_them(directory: Directory) -> None:
    await created(directory)
    assert await directory.connector.name_taken(f"JOSE.NUNEZ@{directory.domain}")
    assert await directory.connector.name_taken("jose.nunez")
    assert not await directory.connector.name_taken(f"j.nunez@{directory.domain}")


async def test_creating_with_an_account_given_fails(directory: Directory) -> None:
    account = await created(directory)
    applied = await directory.connector.apply(plan(CreateAccount(desired(directory, name="other"))), account)
    assert applied.results[0].outcome is Outcome.FAILED


async def test_changing_without_an_account_fails_and_stops(directory: Directory) -> None:
    applied = await directory.connector.apply(plan(EnableAccount("x"), AddToGroup("g")), None)
    assert [r.outcome for r in applied.results] == [Outcome.FAILED, Outcome.SKIPPED]
    assert applied.results[0].error == "there is no account to change"


async def test_attributes_are_set_and_cleared(directory: Directory) -> None:
    account = await created(directory)
    changes = UpdateAttributes((AttributeChange("department", "Sales", None), AttributeChange("jobTitle", None, "Rep")))
    applied = await directory.connector.apply(plan(changes, account=account), account)
    assert applied.ok and applied.account is not None
    assert "department" not in applied.account.attributes and applied.account.attributes["jobTitle"] == "Rep"


async def test_a_rename_onto_a_taken_name_is_a_conflict(directory: Directory) -> None:
    directory.add_namesake("ana.silva")
    account = await created(directory)
    taken = f"ana.silva@{directory.domain}"
    rename = UpdateAttributes((AttributeChange("userPrincipalName", account.user_principal_name, taken),))
    refused = await directory.connector.apply(plan(rename, account=account), account)
    assert refused.results[0].outcome is Outcome.CONFLICT
    assert refused.conflicts[0].attribute == "userPrincipalName"


async def test_managers_are_set_by_anchor_and_a_manager_without_an_account_fails_without_stopping(
    directory: Directory,
) -> None:
    directory.add_group("All staff")
    await created(directory, anchor="000001", name="boss")
    account = await created(directory)
    missing = await directory.connector.apply(plan(SetManager("424242"), AddToGroup("All staff"), account=account),
                                              account)  # fmt: skip
    assert [r.outcome for r in missing.results] == [Outcome.FAILED, Outcome.OK]
    assert missing.results[0].error == "no account carries the manager's anchor '424242'"
    applied = await directory.connector.apply(plan(SetManager("000001"), account=account), missing.account)
    assert applied.ok and applied.account is not None and applied.account.manager_anchor == "000001"
    removed = await directory.connector.apply(plan(SetManager(None, "000001"), account=account), applied.account)
    assert removed.account is not None and removed.account.manager_anchor is None


async def test_an_account_cannot_be_its_own_manager(directory: Directory) -> None:
    account = await created(directory)
    applied = await directory.connector.apply(plan(SetManager("000123"), account=account), account)
    assert applied.results[0].outcome is Outcome.FAILED


async def test_groups_are_joined_by_name_once_left_ignoring_case_and_an_unknown_group_fails(
    directory: Directory,
) -> None:
    directory.add_group("Sales")
    account = await created(directory)
    joined = await directory.connector.apply(
        plan(AddToGroup("Ghosts"), AddToGroup("Sales"), AddToGroup("sales"), account=account), account
    )
    assert [r.outcome for r in joined.results] == [Outcome.FAILED, Outcome.OK, Outcome.OK]
    assert joined.results[0].error == "there is no group named 'Ghosts'"
    assert joined.account is not None and joined.account.groups == ("Sales",)
    left = await directory.connector.apply(
        plan(RemoveFromGroup("SALES"), RemoveFromGroup("Sales"), account=account), joined.account
    )
    assert left.ok and left.account is not None and left.account.groups == ()


async def test_a_leaver_is_disabled_their_password_reset_sessions_revoked_and_mailbox_shared(
    directory: Directory,
) -> None:
    await created(directory)
    before = await directory.connector.find_by_anchor("000123")  # the stamps a creation's response may not carry
    assert before is not None
    directory.advance(60)
    leaver = plan(DisableAccount("left"), ResetPassword(), RevokeSessions(), ConvertMailboxToShared(), account=before)
    applied = await directory.connector.apply(leaver, before)
    assert applied.ok, applied.results
    after = applied.account
    assert after is not None and not after.enabled and after.mailbox is Mailbox.SHARED
    assert before.password_changed_at is not None and after.password_changed_at is not None
    assert after.password_changed_at > before.password_changed_at
    assert before.sessions_valid_from is not None and after.sessions_valid_from is not None
    assert after.sessions_valid_from > before.sessions_valid_from
    rehired = await directory.connector.apply(plan(EnableAccount("rehired"), account=after), after)
    assert rehired.account is not None and rehired.account.enabled


async def test_a_conversion_of_an_account_without_a_mailbox_fails(directory: Directory) -> None:
    bare = await created(directory, mail=None)
    applied = await directory.connector.apply(plan(ConvertMailboxToShared(), account=bare), bare)
    assert applied.results[0].outcome is Outcome.FAILED


async def test_all_accounts_come_page_by_page_with_managers_and_groups(directory: Directory) -> None:
    directory.add_group("Sales")
    for number in range(12):
        await created(directory, anchor=f"{number:06d}", name=f"person{number}")
    second = await directory.connector.find_by_anchor("000001")
    assert second is not None
    await directory.connector.apply(plan(SetManager("000000"), AddToGroup("Sales"), account=second), second)
    accounts = {a.anchor: a async for a in all_accounts(directory.connector)}
    assert sorted(accounts) == [f"{number:06d}" for number in range(12)]
    assert accounts["000001"].manager_anchor == "000000" and accounts["000001"].groups == ("Sales",)
    assert accounts["000002"].manager_anchor is None and accounts["000002"].groups == ()


async def test_a_directory_that_is_down_is_unavailable(directory: Directory) -> None:
    directory.take_down()
    with pytest.raises(ConnectorUnavailable):
        await directory.connector.find_by_anchor("000123")
