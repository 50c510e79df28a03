"""Users on the emulated Graph, driven by the product's GraphDirectory: what Entra accepts, refuses and reports."""

from __future__ import annotations

import pytest

from hirehub.directories.entra.graph_errors import GraphError
from hirehub.sandbox.entra.world import Faults
from tests.sandbox.entra.graph_support import DOMAIN, GraphRig, person, user_body


@pytest.fixture
def rig() -> GraphRig:
    return GraphRig.create()


async def test_a_created_user_is_found_by_id_by_upn_and_by_employee_id(rig: GraphRig) -> None:
    directory = rig.directory_client()

    created = await directory.create_user(person("adele", employeeType="Employee", jobTitle="Analyst"))

    assert created["userPrincipalName"] == f"adele@{DOMAIN}"
    by_id = await directory.get_user(created["id"])
    by_upn = await directory.get_user(f"ADELE@{DOMAIN}")
    assert by_id is not None and by_upn is not None
    assert by_id["id"] == by_upn["id"] == created["id"]
    assert by_id["employeeType"] == "Employee" and by_id["accountEnabled"] is True
    assert [u["id"] for u in await directory.find_by_employee_id("E-adele")] == [created["id"]]
    assert await directory.find_by_employee_id("E-nobody") == []


async def test_an_unknown_user_reads_as_none(rig: GraphRig) -> None:
    assert await rig.directory_client().get_user("7d0ce6f5-2b0f-4a48-9d5b-3f3cfc4c77b2") is None


@pytest.mark.parametrize("missing", ["accountEnabled", "displayName", "mailNickname", "userPrincipalName"])
async def test_a_user_without_a_required_property_is_refused_naming_it(rig: GraphRig, missing: str) -> None:
    body = user_body("bob")
    del body[missing]

    with pytest.raises(GraphError) as refused:
        await rig.graph().request("POST", "/users", json=body)

    assert refused.value.status == 400
    assert f"'{missing}'" in refused.value.message


async def test_a_user_without_a_password_profile_is_refused(rig: GraphRig) -> None:
    body = user_body("bob")
    del body["passwordProfile"]
    with pytest.raises(GraphError, match="passwordProfile"):
        await rig.graph().request("POST", "/users", json=body)


async def test_a_password_that_is_not_complex_enough_is_refused(rig: GraphRig) -> None:
    body = user_body("bob", passwordProfile={"password": "password"})
    with pytest.raises(GraphError, match="password complexity"):
        await rig.graph().request("POST", "/users", json=body)


async def test_a_user_principal_name_outside_the_verified_domains_is_refused(rig: GraphRig) -> None:
    with pytest.raises(GraphError, match="verified domain names") as refused:
        await rig.directory_client().create_user(person("carol", userPrincipalName="carol@fabrikam.com"))
    assert refused.value.status == 400


async def test_a_domain_verified_later_is_accepted(rig: GraphRig) -> None:
    rig.store.domains.add("contoso.com")
    created = await rig.directory_client().create_user(person("carol", userPrincipalName="carol@contoso.com"))
    assert created["userPrincipalName"] == "carol@contoso.com"


async def test_an_unknown_property_is_refused(rig: GraphRig) -> None:
    with pytest.raises(GraphError, match="does not exist as a declared property"):
        await rig.directory_client().create_user(person("dan", favouriteColour="blue"))


async def test_the_same_upn_in_another_case_is_an_object_conflict_on_user_principal_name(rig: GraphRig) -> None:
    directory = rig.directory_client()
    await directory.create_user(person("jsmith"))

    with pytest.raises(GraphError) as clash:
        await directory.create_user(person("john.smith", userPrincipalName=f"JSmith@{DOMAIN}"))

    assert clash.value.status == 400
    assert clash.value.is_conflict
    assert clash.value.conflicting_property == "userPrincipalName"


async def test_a_mail_address_in_use_is_a_conflict_on_mail(rig: GraphRig) -> None:
    directory = rig.directory_client()
    await directory.create_user(person("jsmith", mail="john.smith@contoso.com"))

    with pytest.raises(GraphError) as clash:
        await directory.create_user(person("jsmith2", mail="John.Smith@contoso.com"))

    assert clash.value.is_conflict and clash.value.conflicting_property == "mail"


async def test_a_former_address_kept_in_proxy_addresses_is_a_conflict_on_proxy_addresses(rig: GraphRig) -> None:
    directory = rig.directory_client()
    married = await directory.create_user(person("jdoe", mail="jane.doe@contoso.com"))
    await directory.update_user(married["id"], {"mail": "jane.roe@contoso.com"})

    with pytest.raises(GraphError) as clash:
        await directory.create_user(person("jdoe2", mail="jane.doe@contoso.com"))

    assert clash.value.is_conflict and clash.value.conflicting_property == "proxyAddresses"
    found = await rig.graph().request("GET", f"/users/{married['id']}", params={"$select": "proxyAddresses"})
    assert found["proxyAddresses"] == ["SMTP:jane.roe@contoso.com", "smtp:jane.doe@contoso.com"]


async def test_name_taken_sees_user_principal_names_mail_and_proxy_addresses(rig: GraphRig) -> None:
    directory = rig.directory_client()
    user = await directory.create_user(person("ana", mail="ana@contoso.com"))
    await directory.update_user(user["id"], {"mail": "ana.lima@contoso.com"})

    assert await directory.name_taken("userPrincipalName", f"ana@{DOMAIN}")
    assert await directory.name_taken("mail", "ANA.LIMA@contoso.com")
    assert await directory.name_taken("proxyAddresses", "ana@contoso.com")
    assert await directory.name_taken("mailNickname", "ana")
    assert not await directory.name_taken("userPrincipalName", f"ana2@{DOMAIN}")
    assert not await directory.name_taken("proxyAddresses", "ana2@contoso.com")


async def test_proxy_addresses_are_read_only(rig: GraphRig) -> None:
    user = await rig.directory_client().create_user(person("eve"))
    with pytest.raises(GraphError, match="read-only"):
        await rig.directory_client().update_user(user["id"], {"proxyAddresses": ["SMTP:eve@contoso.com"]})


async def test_hire_and_leave_dates_and_worker_properties_round_trip_in_graph_format(rig: GraphRig) -> None:
    directory = rig.directory_client()
    user = await directory.create_user(person("finn", employeeHireDate="2025-03-01T00:00:00Z"))

    await directory.update_user(
        user["id"],
        {"employeeLeaveDateTime": "2025-09-30T17:00:00+02:00", "department": "Sales", "usageLocation": "de"},
    )

    found = await directory.get_user(user["id"])
    assert found is not None
    assert found["employeeHireDate"] == "2025-03-01T00:00:00Z"
    assert found["employeeLeaveDateTime"] == "2025-09-30T15:00:00Z"
    assert (found["department"], found["usageLocation"]) == ("Sales", "DE")


async def test_a_date_without_time_is_refused_as_graph_does(rig: GraphRig) -> None:
    with pytest.raises(GraphError, match=r"Edm\.DateTimeOffset"):
        await rig.directory_client().create_user(person("gil", employeeHireDate="2025-03-01"))


async def test_the_manager_is_set_after_creation_read_and_removed(rig: GraphRig) -> None:
    directory = rig.directory_client()
    boss = await directory.create_user(person("boss"))
    worker = await directory.create_user(person("worker"))

    await directory.set_manager(worker["id"], boss["id"])
    assert await directory.manager_of(worker["id"]) == boss["id"]
    reports = await rig.graph().request("GET", f"/users/{boss['id']}/directReports", params={"$select": "id"})
    assert [r["id"] for r in reports["value"]] == [worker["id"]]

    await directory.set_manager(worker["id"], None)
    assert await directory.manager_of(worker["id"]) is None
    await directory.set_manager(worker["id"], None)  # nothing to remove: already the desired state


async def test_a_manager_that_does_not_exist_is_not_found(rig: GraphRig) -> None:
    directory = rig.directory_client(not_found_retries=1)
    worker = await directory.create_user(person("worker"))
    with pytest.raises(GraphError) as missing:
        await directory.set_manager(worker["id"], "0b7e3f38-58a6-4d43-a1a8-9a1ff1f5a9d1")
    assert (missing.value.status, missing.value.code) == (404, "Request_ResourceNotFound")


async def test_revoking_sessions_moves_the_moment_sign_in_sessions_are_valid_from(rig: GraphRig) -> None:
    directory = rig.directory_client()
    user = await directory.create_user(person("leaver"))
    before = await rig.graph().request(
        "GET", f"/users/{user['id']}", params={"$select": "signInSessionsValidFromDateTime"}
    )

    rig.world.clock.advance(3600)
    await directory.revoke_sessions(user["id"])

    after = await rig.graph().request(
        "GET", f"/users/{user['id']}", params={"$select": "signInSessionsValidFromDateTime"}
    )
    assert after["signInSessionsValidFromDateTime"] > before["signInSessionsValidFromDateTime"]


async def test_a_password_reset_as_the_product_does_it_replaces_the_password(rig: GraphRig) -> None:
    directory = rig.directory_client()
    user = await directory.create_user(person("leaver"))
    old_password = rig.store.objects[user["id"]].password

    rig.world.clock.advance(60)
    await directory.reset_password(user["id"])

    assert rig.store.objects[user["id"]].password != old_password
    found = await rig.graph().request("GET", f"/users/{user['id']}", params={"$select": "lastPasswordChangeDateTime"})
    assert found["lastPasswordChangeDateTime"] > rig.store.objects[user["id"]].props["createdDateTime"]


async def test_disabling_an_account_with_the_user_administrator_role_works(rig: GraphRig) -> None:
    directory = rig.directory_client()
    user = await directory.create_user(person("leaver"))
    await directory.set_enabled(user["id"], False)
    found = await directory.get_user(user["id"])
    assert found is not None and found["accountEnabled"] is False


async def test_a_deleted_user_is_gone(rig: GraphRig) -> None:
    directory = rig.directory_client()
    user = await directory.create_user(person("temp"))
    await rig.graph().request("DELETE", f"/users/{user['id']}")
    assert await directory.get_user(user["id"]) is None
    assert not await directory.name_taken("userPrincipalName", f"temp@{DOMAIN}")


async def test_listing_follows_next_links_with_a_skiptoken_on_the_real_host(rig: GraphRig) -> None:
    directory = rig.directory_client()
    for n in range(7):
        await directory.create_user(person(f"user{n}"))

    pages = [page async for page in directory.list_users(page_size=3)]

    assert [len(p) for p in pages] == [3, 3, 1]
    assert len({u["id"] for p in pages for u in p}) == 7
    first = await rig.graph().request("GET", "/users", params={"$top": "3", "$select": "id"})
    assert first["@odata.nextLink"].startswith("https://graph.microsoft.com/v1.0/users?")
    assert "$skiptoken=" in first["@odata.nextLink"]


async def test_a_page_size_above_999_is_refused(rig: GraphRig) -> None:
    with pytest.raises(GraphError, match="between 1 and 999"):
        await rig.graph().request("GET", "/users", params={"$top": "1000"})


async def test_count_and_advanced_filters_need_consistency_level_eventual(rig: GraphRig) -> None:
    graph = rig.graph()
    ignored = await graph.request("GET", "/users", params={"$count": "true"})
    assert "@odata.count" not in ignored  # Graph ignores $count=true without the header
    with pytest.raises(GraphError) as advanced:
        await graph.request("GET", "/users", params={"$filter": "employeeId ne 'E-1'"})
    assert advanced.value.code == "Request_UnsupportedQuery"

    found = await graph.request(
        "GET",
        "/users",
        params={"$filter": "employeeId ne 'E-1'", "$count": "true"},
        headers={"ConsistencyLevel": "eventual"},
    )
    assert found["@odata.count"] == 0


async def test_filters_combine_and_compare_strings_case_insensitively(rig: GraphRig) -> None:
    directory = rig.directory_client()
    for key in ("amy", "andy", "bea"):
        await directory.create_user(person(key, department="Sales" if key != "andy" else "Ops"))

    found = await rig.graph().request(
        "GET",
        "/users",
        params={"$filter": "startswith(displayName,'person a') and department eq 'SALES'", "$select": "mailNickname"},
    )
    assert [u["mailNickname"] for u in found["value"]] == ["amy"]
    either = await rig.graph().request(
        "GET", "/users", params={"$filter": "mailNickname in ('amy','bea')", "$select": "mailNickname"}
    )
    assert [u["mailNickname"] for u in either["value"]] == ["amy", "bea"]


async def test_an_unknown_property_in_select_or_filter_is_refused(rig: GraphRig) -> None:
    with pytest.raises(GraphError, match="Could not find a property named 'shoeSize'"):
        await rig.graph().request("GET", "/users", params={"$select": "id,shoeSize"})
    with pytest.raises(GraphError, match="Could not find a property named 'shoeSize'"):
        await rig.graph().request("GET", "/users", params={"$filter": "shoeSize eq '42'"})


async def test_delta_returns_everyone_first_then_only_what_changed_and_who_left(rig: GraphRig) -> None:
    directory = rig.directory_client()
    stays = await directory.create_user(person("stays"))
    changes = await directory.create_user(person("changes"))
    leaves = await directory.create_user(person("leaves"))

    everyone, link = await directory.users_delta()
    assert {u["id"] for u in everyone} == {stays["id"], changes["id"], leaves["id"]}
    assert link.startswith("https://graph.microsoft.com/v1.0/users/delta")

    await directory.update_user(changes["id"], {"jobTitle": "Lead"})
    await rig.graph().request("DELETE", f"/users/{leaves['id']}")
    joins = await directory.create_user(person("joins"))
    changed, next_link = await directory.users_delta(link)

    by_id = {u["id"]: u for u in changed}
    assert set(by_id) == {changes["id"], leaves["id"], joins["id"]}
    assert by_id[changes["id"]]["jobTitle"] == "Lead"
    assert by_id[leaves["id"]]["@removed"] == {"reason": "changed"}
    nothing_new, _ = await directory.users_delta(next_link)
    assert nothing_new == []


async def test_a_large_delta_round_comes_in_pages_linked_by_next_links(rig: GraphRig) -> None:
    for n in range(230):
        rig.store.create_user(user_body(f"bulk{n}"))

    first = await rig.graph().request("GET", "/users/delta", params={"$select": "id"})
    everyone, _link = await rig.directory_client().users_delta()

    assert "@odata.nextLink" in first and len(first["value"]) == 100
    assert len({u["id"] for u in everyone}) == 230


async def test_a_just_created_user_is_invisible_until_the_directory_has_replicated() -> None:
    rig = GraphRig.create(faults=Faults(consistency_lag_seconds=5))
    directory = rig.directory_client()
    user = await directory.create_user(person("new"))

    assert await directory.get_user(user["id"]) is None
    assert await directory.find_by_employee_id("E-new") == []
    with pytest.raises(GraphError) as again:  # invisible to reads, yet taken
        await directory.create_user(person("new"))
    assert again.value.is_conflict

    await directory.update_user(user["id"], {"jobTitle": "Engineer"})  # retry_not_found waits the lag out

    assert directory.graph.stats.retried_not_found >= 1
    assert sum(rig.slept) >= 5
    found = await directory.get_user(user["id"])
    assert found is not None and found["jobTitle"] == "Engineer"


async def test_delta_never_hands_out_a_link_past_a_change_still_replicating() -> None:
    rig = GraphRig.create(faults=Faults(consistency_lag_seconds=5))
    directory = rig.directory_client()
    await directory.create_user(person("early"))
    rig.world.clock.advance(10)
    late = await directory.create_user(person("late"))

    first, link = await directory.users_delta()
    rig.world.clock.advance(10)
    then, _ = await directory.users_delta(link)

    assert late["id"] not in {u["id"] for u in first}
    assert late["id"] in {u["id"] for u in then}
