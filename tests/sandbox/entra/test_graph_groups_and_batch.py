"""Groups, memberships and JSON ``$batch`` on the emulated Graph, driven by the product's clients."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from hirehub.directories.entra.connector import GraphConnector
from hirehub.directories.entra.graph import BatchRequest
from hirehub.directories.entra.graph_errors import GraphError
from hirehub.directories.entra.group_adds import GroupAdds
from hirehub.lifecycle.connector import Outcome
from hirehub.sandbox.entra.world import Faults
from tests.sandbox.entra.graph_support import DOMAIN, GraphRig, joiner_plan, person, user_body


@pytest.fixture
def rig() -> GraphRig:
    return GraphRig.create()


async def new_group(rig: GraphRig, name: str, **extra: Any) -> str:
    body = {"displayName": name, "mailEnabled": False, "mailNickname": name.replace(" ", ""), "securityEnabled": True}
    created = await rig.graph().request("POST", "/groups", json={**body, **extra})
    return str(created["id"])


async def test_a_group_is_found_by_display_name_case_insensitively(rig: GraphRig) -> None:
    group_id = await new_group(rig, "Sales Team")
    directory = rig.directory_client()
    assert await directory.find_group("sales team") == group_id
    assert await directory.find_group("Marketing") is None


async def test_a_group_needs_its_required_properties(rig: GraphRig) -> None:
    with pytest.raises(GraphError, match="securityEnabled"):
        await rig.graph().request(
            "POST", "/groups", json={"displayName": "X", "mailEnabled": False, "mailNickname": "x"}
        )


async def test_members_are_added_listed_and_removed_idempotently(rig: GraphRig) -> None:
    directory = rig.directory_client()
    group_id = await new_group(rig, "Sales")
    user = await directory.create_user(person("sam"))

    await directory.add_member(group_id, user["id"])
    await directory.add_member(group_id, user["id"])  # "already exist": the product treats it as done
    assert await directory.groups_of(user["id"]) == [group_id]

    await directory.remove_member(group_id, user["id"])
    await directory.remove_member(group_id, user["id"])  # 404 "not a member": also done
    assert await directory.groups_of(user["id"]) == []


async def test_adding_a_member_twice_is_refused_with_graphs_message(rig: GraphRig) -> None:
    group_id = await new_group(rig, "Sales")
    user = await rig.directory_client().create_user(person("sam"))
    ref = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{user['id']}"}
    await rig.graph().request("POST", f"/groups/{group_id}/members/$ref", json=ref)
    with pytest.raises(GraphError, match="already exist for the following modified properties: 'members'"):
        await rig.graph().request("POST", f"/groups/{group_id}/members/$ref", json=ref)


async def test_a_group_patch_binds_at_most_twenty_members(rig: GraphRig) -> None:
    group_id = await new_group(rig, "Everyone")
    ids = [rig.store.create_user(user_body(f"u{n}")).id for n in range(21)]
    refs = [f"https://graph.microsoft.com/v1.0/directoryObjects/{i}" for i in ids]

    with pytest.raises(GraphError, match="at most 20"):
        await rig.graph().request("PATCH", f"/groups/{group_id}", json={"members@odata.bind": refs})
    await rig.graph().request("PATCH", f"/groups/{group_id}", json={"members@odata.bind": refs[:20]})

    members = await rig.graph().request("GET", f"/groups/{group_id}/members", params={"$select": "id"})
    assert [m["id"] for m in members["value"]] == ids[:20]
    assert members["value"][0]["@odata.type"] == "#microsoft.graph.user"


async def test_a_batch_of_more_than_twenty_requests_is_refused_whole(rig: GraphRig) -> None:
    requests = [{"id": str(n), "method": "GET", "url": "/users?$select=id"} for n in range(21)]
    with pytest.raises(GraphError, match="maximum number of requests in a batch is 20") as refused:
        await rig.graph().request("POST", "/$batch", json={"requests": requests})
    assert refused.value.status == 400


async def test_batch_items_answer_in_graphs_shape_with_relative_urls(rig: GraphRig) -> None:
    body = {
        "requests": [
            {"id": "1", "method": "POST", "url": "/users", "body": user_body("ann"),
             "headers": {"Content-Type": "application/json"}},
            {"id": "2", "method": "GET", "url": "users?$select=userPrincipalName", "dependsOn": ["1"]},
            {"id": "3", "method": "GET", "url": "/users/nobody@contoso.onmicrosoft.com"},
        ]
    }  # fmt: skip
    answer = await rig.graph().request("POST", "/$batch", json=body)

    by_id = {r["id"]: r for r in answer["responses"]}
    assert by_id["1"]["status"] == 201 and by_id["1"]["body"]["userPrincipalName"] == "ann@contoso.onmicrosoft.com"
    assert by_id["2"]["status"] == 200 and len(by_id["2"]["body"]["value"]) == 1
    assert by_id["3"]["status"] == 404
    assert by_id["3"]["body"]["error"]["code"] == "Request_ResourceNotFound"
    assert set(by_id["3"]["body"]["error"]["innerError"]) == {"date", "request-id", "client-request-id"}


async def test_a_write_item_without_content_type_is_refused(rig: GraphRig) -> None:
    body = {"requests": [{"id": "1", "method": "POST", "url": "/users", "body": user_body("ann")}]}
    answer = await rig.graph().request("POST", "/$batch", json=body)
    assert answer["responses"][0]["status"] == 400


async def test_a_failed_dependency_fails_its_dependants_with_424(rig: GraphRig) -> None:
    bad = user_body("ann", userPrincipalName="ann@elsewhere.example")
    results = await rig.graph().batch(
        [
            BatchRequest("create", "POST", "/users", bad),
            BatchRequest("manager", "PUT", "/users/ann@elsewhere.example/manager/$ref", {"@odata.id": "x"},
                         depends_on=["create"]),
            BatchRequest("independent", "GET", "/users?$select=id"),
        ]
    )  # fmt: skip

    assert results["create"].status == 400
    assert results["manager"].status == 424
    assert results["independent"].status == 200


async def test_joiners_are_provisioned_through_batches_and_twenty_member_group_patches(rig: GraphRig) -> None:
    boss = rig.store.create_user(user_body("boss"))
    sales = await new_group(rig, "Sales")
    directory = rig.directory_client()
    adds = GroupAdds(window_seconds=2.0)
    connectors = [GraphConnector(directory, group_adds=adds) for _ in range(25)]  # one per job, as the runner has them

    applied = await asyncio.gather(
        *(c.apply(joiner_plan(f"joiner{n}", manager_anchor="E-boss", groups=["Sales"]), None)
          for n, c in enumerate(connectors))
    )  # fmt: skip

    assert all(a.ok for a in applied), [a.results for a in applied if not a.ok]
    assert {await directory.manager_of(f"joiner{n}@{DOMAIN}") for n in range(3)} == {boss.id}
    assert len(rig.store.objects[sales].members) == 25
    assert adds.patches == 2
    assert directory.graph.stats.writes == 25 + 25 + 2  # the $batch envelopes themselves are no writes


async def test_a_name_clash_inside_a_batch_is_reported_on_that_joiner_only(rig: GraphRig) -> None:
    rig.store.create_user(user_body("taken", employeeId="E-namesake"))  # a namesake, not this joiner
    directory = rig.directory_client()
    adds = GroupAdds()

    taken, free = await asyncio.gather(
        GraphConnector(directory, group_adds=adds).apply(joiner_plan("taken"), None),
        GraphConnector(directory, group_adds=adds).apply(joiner_plan("free"), None),
    )

    assert [r.outcome for r in taken.results] == [Outcome.CONFLICT]
    assert taken.conflicts[0].attribute == "userPrincipalName"
    assert free.ok


async def test_per_item_throttling_is_retried_by_the_client_until_every_joiner_is_done() -> None:
    rig = GraphRig.create(faults=Faults(throttle_rate=0.3, unavailable_rate=0.1, seed=7))
    directory = rig.directory_client(max_attempts=30)
    adds = GroupAdds()

    applied = await asyncio.gather(
        *(GraphConnector(directory, group_adds=adds).apply(joiner_plan(f"joiner{n}"), None) for n in range(20))
    )

    assert all(a.ok for a in applied), [a.results for a in applied if not a.ok]
    assert rig.store.user_count == 20  # no item ran twice: a throttled item was never executed
    assert rig.world.graph_stats.injected_throttles > 0 and rig.world.graph_stats.unavailable > 0
    assert (
        directory.graph.stats.throttled == rig.world.graph_stats.injected_throttles + rig.world.graph_stats.unavailable
    )


async def test_references_to_a_just_created_user_wait_out_the_replication_lag() -> None:
    rig = GraphRig.create(faults=Faults(consistency_lag_seconds=3))
    directory = rig.directory_client()
    boss = rig.store.create_user(user_body("boss"))
    rig.world.clock.advance(5)

    applied = await GraphConnector(directory).apply(joiner_plan("joiner", manager_anchor="E-boss"), None)

    assert applied.ok, applied.results
    assert directory.graph.stats.retried_not_found >= 1
    assert await directory.manager_of(f"joiner@{DOMAIN}") == boss.id


async def test_groups_are_listed_in_pages(rig: GraphRig) -> None:
    created = {await new_group(rig, f"Team {n:02d}") for n in range(7)}
    directory = rig.directory_client()
    pages = [page async for page in directory.list_groups(page_size=3)]
    assert [len(page) for page in pages] == [3, 3, 1]
    assert {group["id"] for page in pages for group in page} == created
    assert all(group["displayName"].startswith("Team ") for page in pages for group in page)


async def test_group_delta_reports_renamed_regrouped_and_deleted_groups_after_a_first_full_round(
    rig: GraphRig,
) -> None:
    directory = rig.directory_client()
    quiet = await new_group(rig, "Quiet")
    renamed = await new_group(rig, "Sales")
    regrouped = await new_group(rig, "Marketing")
    deleted = await new_group(rig, "Temporary")
    member = await directory.create_user(person("ana"))

    everyone, link = await directory.groups_delta()
    assert {g["id"] for g in everyone} == {quiet, renamed, regrouped, deleted}
    assert link.startswith("https://graph.microsoft.com/v1.0/groups/delta")
    users, _ = await directory.users_delta()
    assert {u["id"] for u in users} == {member["id"]}  # the user round holds no groups, and the group round no users

    await rig.graph().request("PATCH", f"/groups/{renamed}", json={"displayName": "Sales EMEA"})
    await directory.add_member(regrouped, member["id"])
    await rig.graph().request("DELETE", f"/groups/{deleted}")
    changed, next_link = await directory.groups_delta(link)

    by_id = {g["id"]: g for g in changed}
    assert set(by_id) == {renamed, regrouped, deleted}
    assert by_id[renamed]["displayName"] == "Sales EMEA"
    assert by_id[deleted]["@removed"] == {"reason": "changed"}
    assert (await directory.groups_delta(next_link))[0] == []
