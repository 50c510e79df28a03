"""What only the Entra connector does, against the Graph and Exchange sandbox: an account an interrupted attempt
created is adopted rather than duplicated, Graph's throttling and faults become retries, and without Exchange no
mailbox is reported.

The connector contract itself is specified once for every connector in tests/connectors/test_contract.py.
"""

from __future__ import annotations

from hirehub.directories.entra.connector import GraphConnector
from hirehub.lifecycle.connector import Outcome, all_accounts
from hirehub.lifecycle.directory_state import DesiredAccount
from hirehub.lifecycle.planning import (
    AddToGroup,
    ConvertMailboxToShared,
    CreateAccount,
    Phase,
    Plan,
    Step,
)
from hirehub.sandbox.entra.world import Faults
from tests.sandbox.entra.graph_support import (
    DOMAIN,
    EXCHANGE_ADMINISTRATOR,
    EXCHANGE_APP_ID,
    GraphRig,
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
        rig.world.clock.advance(2)  # the engine observes again later: past the consistency lag
        if not applied.ok:  # a retry outcome: the engine would plan again from a fresh observation
            observed = await entra.find_by_anchor(anchor)
            if observed is None:
                applied = await entra.apply(plan(*steps, anchor=anchor), None)
                rig.world.clock.advance(2)
        account = await entra.find_by_anchor(anchor)
        assert account is not None
        joined = await entra.apply(plan(AddToGroup("Sales"), account_id=account.object_id), account)
        assert joined.ok or joined.retry_after is not None
    accounts = [account async for account in all_accounts(entra)]
    assert sorted(a.anchor or "" for a in accounts) == [f"{n:06d}" for n in range(10)]
