"""The Entra connector writes as few times as Graph allows: a joiner's creation and manager in one ``$batch``, group
adds of the joiners running side by side in 20-member PATCHes, no read-back; and each batch item's answer is its
own step's outcome (a failure, a 429 honoured, a 404 of eventual consistency retried alone).

Counted on the sandbox's side (what Graph admitted) and on the wire (what the client sent).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from hirehub.directories.entra.connector import GraphConnector
from hirehub.directories.entra.group_adds import GroupAdds
from hirehub.lifecycle.connector import Outcome
from hirehub.lifecycle.directory_state import DesiredAccount, DirectoryAccount
from hirehub.lifecycle.planning import (
    AddToGroup,
    AttributeChange,
    CreateAccount,
    EnableAccount,
    Phase,
    Plan,
    SetManager,
    Step,
    UpdateAttributes,
)
from hirehub.sandbox.entra.world import Faults
from tests.sandbox.entra.graph_support import DOMAIN, GraphRig, user_body


@dataclass
class Wire:
    """Every request the client sent, ``$batch`` items unpacked: (method, path relative to the version root)."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    batches: list[list[dict[str, Any]]] = field(default_factory=list)

    async def __call__(self, request: httpx.Request) -> None:
        path = request.url.path.removeprefix("/v1.0")
        if path == "/$batch":
            items = json.loads(request.content)["requests"]
            self.batches.append(items)
            self.sent += [(item["method"], item["url"].split("?")[0]) for item in items]
        else:
            self.sent.append((request.method, path))

    def count(self, method: str, prefix: str) -> int:
        return sum(1 for m, path in self.sent if m == method and path.startswith(prefix))


def listen(rig: GraphRig) -> Wire:
    wire = Wire()
    rig.http.event_hooks["request"].append(wire)
    return wire


def group(rig: GraphRig, name: str) -> str:
    body = {"displayName": name, "mailEnabled": False, "mailNickname": name.replace(" ", ""), "securityEnabled": True}
    return rig.store.create_group(body).id


def joiner(number: int, *groups: str, manager: str | None = "M000") -> Plan:
    anchor = f"{number:06d}"
    name = f"joiner{number}"
    account = DesiredAccount(
        anchor=anchor, user_principal_name=f"{name}@{DOMAIN}", mail=None, mail_nickname=name, enabled=True,
        attributes={"displayName": f"Joiner {number}", "department": "Sales"},
    )  # fmt: skip
    steps: list[Step] = [CreateAccount(account)]
    if manager is not None:
        steps.append(SetManager(manager))
    steps += [AddToGroup(g) for g in groups]
    return Plan(f"w-{number}", anchor, Phase.ACTIVE, None, tuple(steps))


def with_boss(rig: GraphRig) -> str:
    boss = rig.store.create_user(user_body("boss", employeeId="M000"))
    return boss.id


async def test_a_joiner_costs_one_creation_one_manager_and_one_patch_per_group_and_nothing_is_read_back() -> None:
    rig = GraphRig.create()
    boss = with_boss(rig)
    sales, everyone = group(rig, "Sales"), group(rig, "Everyone")
    wire = listen(rig)
    connector = GraphConnector(rig.directory_client())

    applied = await connector.apply(joiner(1, "Sales", "Everyone"), None)

    assert applied.ok, applied.results
    assert rig.world.graph_stats.writes == 4  # POST /users, PUT manager/$ref, PATCH per group
    assert wire.count("POST", "/users") == 1 and wire.count("PUT", "/users/") == 1
    [patches] = [items for items in wire.batches if any(item["method"] == "PATCH" for item in items)]
    assert sorted(item["url"] for item in patches) == sorted([f"/groups/{sales}", f"/groups/{everyone}"])
    assert wire.count("GET", "/users/") == 0  # no read-back of the account, its manager or its groups
    user = rig.store.get(f"joiner1@{DOMAIN}")
    assert user.manager_id == boss
    assert user.id in rig.store.objects[sales].members and user.id in rig.store.objects[everyone].members
    account = applied.account
    assert account is not None and account.object_id == user.id
    assert (account.manager_anchor, account.groups) == ("M000", ("Sales", "Everyone"))
    assert account.attributes["department"] == "Sales"


async def test_the_manager_is_set_in_the_creations_batch_addressing_the_new_user_by_name() -> None:
    rig = GraphRig.create()
    with_boss(rig)
    wire = listen(rig)

    applied = await GraphConnector(rig.directory_client()).apply(joiner(1), None)

    assert applied.ok
    [writes] = [items for items in wire.batches if any(item["method"] == "POST" for item in items)]
    create, manager = writes
    assert (create["method"], create["url"]) == ("POST", "/users")
    assert (manager["method"], manager["url"]) == ("PUT", f"/users/joiner1@{DOMAIN}/manager/$ref")
    assert manager["dependsOn"] == [create["id"]]


async def test_twenty_five_joiners_of_one_group_take_two_group_patches() -> None:
    rig = GraphRig.create()
    with_boss(rig)
    sales = group(rig, "Sales")
    wire = listen(rig)
    adds = GroupAdds(window_seconds=2.0)  # one process's coalescer; a window closes early when it has 20
    connectors = [GraphConnector(rig.directory_client(), group_adds=adds) for _ in range(25)]  # one per job

    applied = await asyncio.gather(*(c.apply(joiner(n, "Sales"), None) for n, c in enumerate(connectors)))

    assert all(a.ok for a in applied), [a.results for a in applied if not a.ok]
    assert wire.count("PATCH", "/groups/") == 2 and wire.count("POST", "/groups/") == 0
    assert len(rig.store.objects[sales].members) == 25
    assert rig.world.graph_stats.writes == 25 * 2 + 2


async def test_a_member_already_present_does_not_fail_the_others_added_with_it() -> None:
    rig = GraphRig.create()
    sales = group(rig, "Sales")
    present = rig.store.create_user(user_body("present"))
    newcomer = rig.store.create_user(user_body("newcomer"))
    rig.store.add_member(sales, f"https://graph.microsoft.com/v1.0/directoryObjects/{present.id}")
    adds = GroupAdds(window_seconds=1.0)
    graph = rig.graph()
    wire = listen(rig)

    answers = await asyncio.gather(adds.add(graph, sales, present.id), adds.add(graph, sales, newcomer.id))

    assert answers == [None, None]
    assert set(rig.store.objects[sales].members) == {present.id, newcomer.id}
    assert wire.count("PATCH", "/groups/") == 1  # refused whole by Graph ("already exist"), then one POST each
    assert wire.count("POST", f"/groups/{sales}/members/$ref") == 2


async def test_a_batch_item_graph_refuses_fails_its_step_alone() -> None:
    rig = GraphRig.create()
    with_boss(rig)
    connector = GraphConnector(rig.directory_client())
    created = await connector.apply(joiner(1, manager=None), None)
    account = created.account
    assert account is not None
    refused = UpdateAttributes((AttributeChange("favouriteColour", None, "teal"),))  # not a property of a user
    plan = Plan("w-1", "000001", Phase.ACTIVE, account.object_id, (refused, SetManager("M000"), EnableAccount("x")))

    applied = await connector.apply(plan, account)

    assert [r.outcome for r in applied.results] == [Outcome.FAILED, Outcome.OK, Outcome.OK]
    assert (applied.results[0].error or "").startswith("400 ")
    assert rig.store.get(account.object_id).manager_id is not None


async def test_a_429_inside_a_batch_waits_graphs_retry_after_and_resends_that_item() -> None:
    rig = GraphRig.create(faults=Faults(throttle_rate=0.5, retry_after_seconds=7, seed=3))
    with_boss(rig)
    directory = rig.directory_client(max_attempts=30)

    applied = await GraphConnector(directory).apply(joiner(1), None)

    assert applied.ok, applied.results
    assert rig.world.graph_stats.injected_throttles >= 1
    assert 7.0 in rig.slept  # Graph's Retry-After, waited on the sandbox clock before the resend
    assert rig.store.user_count == 2  # a refused item never ran: the resends made the one account


async def test_a_404_of_a_user_too_new_to_see_is_retried_for_that_item_only() -> None:
    rig = GraphRig.create(faults=Faults(consistency_lag_seconds=3))
    with_boss(rig)
    rig.world.clock.advance(5)
    wire = listen(rig)
    directory = rig.directory_client()

    applied = await GraphConnector(directory).apply(joiner(1), None)

    assert applied.ok, applied.results
    assert directory.graph.stats.retried_not_found >= 1
    assert wire.count("POST", "/users") == 1 and wire.count("PUT", "/users/") >= 2
    assert rig.store.get(f"joiner1@{DOMAIN}").manager_id is not None


async def test_a_failed_creation_skips_the_manager_it_depended_on() -> None:
    rig = GraphRig.create()
    with_boss(rig)
    rig.store.create_user(user_body("joiner1"))  # a namesake holds the name

    applied = await GraphConnector(rig.directory_client()).apply(joiner(1, "Sales"), None)

    assert [r.outcome for r in applied.results] == [Outcome.CONFLICT, Outcome.SKIPPED, Outcome.SKIPPED]
    assert applied.account is None


async def test_a_movers_account_afterwards_is_built_from_what_was_sent() -> None:
    rig = GraphRig.create()
    with_boss(rig)
    group(rig, "Sales")
    connector = GraphConnector(rig.directory_client())
    created = await connector.apply(joiner(1, manager=None), None)
    before: DirectoryAccount | None = created.account
    assert before is not None
    wire = listen(rig)
    change = UpdateAttributes((AttributeChange("department", "Sales", "Marketing"),))
    plan = Plan("w-1", "000001", Phase.ACTIVE, before.object_id, (change, SetManager("M000"), AddToGroup("sales")))

    applied = await connector.apply(plan, before)

    assert applied.ok and applied.account is not None
    assert applied.account.attributes["department"] == "Marketing"
    assert (applied.account.manager_anchor, applied.account.groups) == ("M000", ("Sales",))
    assert wire.count("GET", "/users/") == 0
