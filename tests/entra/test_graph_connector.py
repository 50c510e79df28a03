"""The Entra connector keeps the lifecycle connector contract against the Graph and Exchange sandbox.

The same contract the in-memory connector keeps (tests/lifecycle/test_memory_connector.py), now on the wire:
plans become Graph calls, Graph's answers become step results, and an account an interrupted attempt created is
adopted rather than duplicated.
"""

from __future__ import annotations

import pytest

from hirehub.directories.entra.connector import GraphConnector
from hirehub.lifecycle.connector import ConnectorUnavailable, DuplicateAnchor, Outcome, all_accounts
from hirehub.lifecycle.directory_state import DesiredAccount, Mailbox
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
from hirehub.sandbox.entra.world import Faults
from tests.sandbox.entra.graph_support import (
    DOMAIN,
    EXCHANGE_ADMINISTRATOR,
    EXCHANGE_APP_ID,
    GraphRig,
    user_body,
)


def desired(anchor: str = "000123", name: str = "jose.nunez", **changes: object) -> DesiredAccount:
    values: dict[str, object] = {
        "anchor": anchor,
        "user_principal_name": f"{name}@{DOMAIN}",
        "mail": f"{name}@{DOMAIN}",
        "mail_nickname": name,
        "enabled": True,
        "attributes": {"displayName": name.replace(".", " ").title(), "department": "Sales", "jobTitle": None},
    }
    values.update(changes)
    return DesiredAccount(**values)  # type: ignore[arg-type]


def plan(*steps: Step, anchor: str = "000123", account_id: str | None = None) -> Plan:
    return Plan("w-1", anchor, Phase.ACTIVE, account_id, tuple(steps))


def connector(rig: GraphRig, *, exchange: bool = False) -> GraphConnector:
    return GraphConnector(rig.directory_client(), rig.exchange() if exchange else None)


async def create(rig: GraphRig, the_connector: GraphConnector, account: DesiredAccount) -> str:
    applied = await the_connector.apply(plan(CreateAccount(account), anchor=account.anchor), None)
    assert applied.ok, applied.results
    assert applied.account is not None
    return applied.account.object_id


def with_exchange(rig: GraphRig) -> GraphRig:
    rig.world.grant_application_permissions(rig.directory, rig.app.app_id, {"Exchange.ManageAsApp"}, EXCHANGE_APP_ID)
    rig.world.assign_directory_role(rig.directory, rig.app.app_id, EXCHANGE_ADMINISTRATOR)
    return rig


async def test_a_created_account_carries_the_anchor_and_is_found_by_it() -> None:
    rig = GraphRig.create()
    entra = connector(rig)
    object_id = await create(rig, entra, desired())
    found = await entra.find_by_anchor("000123")
    assert found is not None and found.object_id == object_id
    assert (found.user_principal_name, found.mail, found.mail_nickname) == (
        f"jose.nunez@{DOMAIN}",
        f"jose.nunez@{DOMAIN}",
        "jose.nunez",
    )
    assert found.attributes["department"] == "Sales" and "jobTitle" not in found.attributes
    assert found.enabled and found.password_changed_at is not None
    assert await entra.find_by_anchor("999999") is None


async def test_a_namesakes_upn_is_a_conflict_and_the_rest_of_the_plan_is_skipped() -> None:
    rig = GraphRig.create()
    entra = connector(rig)
    await create(rig, entra, desired(anchor="000001"))
    applied = await entra.apply(
        plan(CreateAccount(desired(anchor="000002")), AddToGroup("All staff"), anchor="000002"), None
    )
    assert [r.outcome for r in applied.results] == [Outcome.CONFLICT, Outcome.SKIPPED]
    conflict = applied.results[0].conflict
    assert conflict is not None and conflict.name.lower() == f"jose.nunez@{DOMAIN}"
    assert applied.account is None


async def test_creating_again_after_an_interrupted_attempt_adopts_the_account_instead_of_a_second_one() -> None:
    """The worker died after Graph created the account; the retry, not seeing it yet, plans the same creation."""
    rig = GraphRig.create(faults=Faults(consistency_lag_seconds=3))
    entra = connector(rig)
    first = await entra.apply(plan(CreateAccount(desired())), None)
    assert first.ok
    again = await entra.apply(plan(CreateAccount(desired())), None)
    assert again.ok and again.account is not None
    assert first.account is not None and again.account.object_id == first.account.object_id
    assert rig.store.user_count == 1


async def test_a_name_held_by_an_object_too_new_to_read_is_a_retry_not_a_conflict() -> None:
    """Calling it a conflict would make the naming rules choose a second name: a second account."""
    rig = GraphRig.create(faults=Faults(consistency_lag_seconds=600))
    entra = connector(rig)
    assert (await entra.apply(plan(CreateAccount(desired())), None)).ok
    again = await entra.apply(plan(CreateAccount(desired())), None)
    assert again.results[0].outcome is Outcome.RETRY and again.retry_after
    assert rig.store.user_count == 1


async def test_two_accounts_with_one_anchor_are_reported_as_a_duplicate() -> None:
    rig = GraphRig.create()
    rig.store.create_user(user_body("a", employeeId="000123"))
    rig.store.create_user(user_body("b", employeeId="000123"))
    with pytest.raises(DuplicateAnchor):
        await connector(rig).find_by_anchor("000123")


async def test_names_are_taken_whichever_attribute_holds_them() -> None:
    rig = GraphRig.create()
    entra = connector(rig)
    await create(rig, entra, desired())
    assert await entra.name_taken(f"JOSE.NUNEZ@{DOMAIN}")
    assert await entra.name_taken("jose.nunez")
    assert not await entra.name_taken(f"j.nunez@{DOMAIN}")


async def test_attributes_change_and_clear_and_a_rename_onto_a_taken_name_is_a_conflict() -> None:
    rig = GraphRig.create()
    entra = connector(rig)
    await create(rig, entra, desired(anchor="000001", name="ana.silva"))
    object_id = await create(rig, entra, desired())
    account = await entra.find_by_anchor("000123")
    changes = UpdateAttributes((AttributeChange("department", "Sales", None), AttributeChange("jobTitle", None, "Rep")))
    applied = await entra.apply(plan(changes, account_id=object_id), account)
    assert applied.ok and applied.account is not None
    assert "department" not in applied.account.attributes and applied.account.attributes["jobTitle"] == "Rep"
    rename = UpdateAttributes((AttributeChange("userPrincipalName", f"jose.nunez@{DOMAIN}", f"ana.silva@{DOMAIN}"),))
    refused = await entra.apply(plan(rename, account_id=object_id), applied.account)
    assert refused.results[0].outcome is Outcome.CONFLICT


async def test_managers_are_set_by_anchor_and_a_manager_without_an_account_fails_without_stopping() -> None:
    rig = GraphRig.create()
    rig.store.create_group(
        {"displayName": "All staff", "mailEnabled": False, "mailNickname": "staff", "securityEnabled": True}
    )
    entra = connector(rig)
    await create(rig, entra, desired(anchor="000001", name="boss"))
    object_id = await create(rig, entra, desired())
    account = await entra.find_by_anchor("000123")
    missing = await entra.apply(plan(SetManager("424242"), AddToGroup("All staff"), account_id=object_id), account)
    assert [r.outcome for r in missing.results] == [Outcome.FAILED, Outcome.OK]
    assert "424242" in (missing.results[0].error or "")
    applied = await entra.apply(plan(SetManager("000001"), account_id=object_id), missing.account)
    assert applied.ok and applied.account is not None and applied.account.manager_anchor == "000001"
    removed = await entra.apply(plan(SetManager(None, previous="000001"), account_id=object_id), applied.account)
    assert removed.account is not None and removed.account.manager_anchor is None


async def test_groups_are_joined_by_name_left_and_an_unknown_group_fails() -> None:
    rig = GraphRig.create()
    rig.store.create_group(
        {"displayName": "Sales", "mailEnabled": False, "mailNickname": "sales", "securityEnabled": True}
    )
    entra = connector(rig)
    object_id = await create(rig, entra, desired())
    account = await entra.find_by_anchor("000123")
    joined = await entra.apply(
        plan(AddToGroup("sales"), AddToGroup("Sales"), AddToGroup("Ghosts"), account_id=object_id), account
    )
    assert [r.outcome for r in joined.results] == [Outcome.OK, Outcome.OK, Outcome.FAILED]
    assert joined.account is not None and joined.account.groups == ("Sales",)
    left = await entra.apply(
        plan(RemoveFromGroup("Sales"), RemoveFromGroup("Sales"), account_id=object_id), joined.account
    )
    assert left.ok and left.account is not None and left.account.groups == ()


async def test_a_leaver_is_disabled_their_password_reset_sessions_revoked_and_mailbox_shared() -> None:
    rig = with_exchange(GraphRig.create())
    entra = connector(rig, exchange=True)
    await create(rig, entra, desired(anchor="000001", name="boss"))
    object_id = await create(rig, entra, desired())
    account = await entra.find_by_anchor("000123")
    assert account is not None and account.mailbox is Mailbox.USER
    await entra.apply(plan(SetManager("000001"), account_id=object_id), account)
    before = await entra.find_by_anchor("000123")
    assert before is not None
    rig.world.clock.advance(60)
    leaver = plan(
        DisableAccount("left"), ResetPassword(), RevokeSessions(), ConvertMailboxToShared(), account_id=object_id
    )
    applied = await entra.apply(leaver, before)
    assert applied.ok, applied.results
    after = applied.account
    assert after is not None and not after.enabled and after.mailbox is Mailbox.SHARED
    assert before.password_changed_at is not None and after.password_changed_at is not None
    assert after.password_changed_at > before.password_changed_at
    assert after.sessions_valid_from is not None and before.sessions_valid_from is not None
    assert after.sessions_valid_from > before.sessions_valid_from
    rehired = await entra.apply(plan(EnableAccount("rehired"), account_id=object_id), after)
    assert rehired.account is not None and rehired.account.enabled


async def test_without_exchange_accounts_report_no_mailbox_and_a_conversion_fails() -> None:
    rig = GraphRig.create()
    entra = connector(rig)
    object_id = await create(rig, entra, desired())
    account = await entra.find_by_anchor("000123")
    assert account is not None and account.mailbox is None
    applied = await entra.apply(plan(ConvertMailboxToShared(), account_id=object_id), account)
    assert applied.results[0].outcome is Outcome.FAILED


async def test_throttling_that_outlasts_the_clients_retries_is_a_retry_with_graphs_wait() -> None:
    rig = GraphRig.create(faults=Faults(throttle_rate=1.0, retry_after_seconds=7))
    entra = GraphConnector(rig.directory_client(max_attempts=2))
    applied = await entra.apply(plan(CreateAccount(desired()), AddToGroup("Sales")), None)
    assert [r.outcome for r in applied.results] == [Outcome.RETRY, Outcome.SKIPPED]
    assert applied.retry_after is not None and applied.retry_after > 0


async def test_a_directory_that_is_down_is_unavailable() -> None:
    rig = GraphRig.create(faults=Faults(down=True))
    entra = GraphConnector(rig.directory_client(max_attempts=2))
    with pytest.raises(ConnectorUnavailable):
        await entra.find_by_anchor("000123")


async def test_injected_faults_do_not_change_the_end_state() -> None:
    """20 % 429s and 503s and lagging reads: the client's retries and the connector reach the same accounts."""
    rig = GraphRig.create(faults=Faults(throttle_rate=0.1, unavailable_rate=0.1, consistency_lag_seconds=2, seed=7))
    rig.store.create_group(
        {"displayName": "Sales", "mailEnabled": False, "mailNickname": "sales", "securityEnabled": True}
    )
    entra = connector(rig)
    for number in range(10):
        anchor = f"{number:06d}"
        steps = [CreateAccount(desired(anchor=anchor, name=f"person{number}"))]
        applied = await entra.apply(plan(*steps, anchor=anchor), None)
        if not applied.ok:  # a retry outcome: the engine would plan again from a fresh observation
            observed = await entra.find_by_anchor(anchor)
            if observed is None:
                applied = await entra.apply(plan(*steps, anchor=anchor), None)
        account = await entra.find_by_anchor(anchor)
        assert account is not None
        joined = await entra.apply(plan(AddToGroup("Sales"), account_id=account.object_id), account)
        assert joined.ok or joined.retry_after is not None
    accounts = [account async for account in all_accounts(entra)]
    assert sorted(a.anchor or "" for a in accounts) == [f"{n:06d}" for n in range(10)]


async def test_all_accounts_come_page_by_page_with_managers_and_groups() -> None:
    rig = GraphRig.create()
    rig.store.create_group(
        {"displayName": "Sales", "mailEnabled": False, "mailNickname": "sales", "securityEnabled": True}
    )
    entra = connector(rig)
    for number in range(12):
        await create(rig, entra, desired(anchor=f"{number:06d}", name=f"person{number}"))
    first = await entra.find_by_anchor("000000")
    second = await entra.find_by_anchor("000001")
    assert first is not None and second is not None
    await entra.apply(plan(SetManager("000000"), AddToGroup("Sales"), account_id=second.object_id), second)
    accounts = {a.anchor: a for a in [account async for account in all_accounts(entra)]}
    assert len(accounts) == 12
    assert accounts["000001"].manager_anchor == "000000" and accounts["000001"].groups == ("Sales",)
    assert accounts["000002"].manager_anchor is None
