"""Graph's advanced queries on directory objects, on the wire: ``$count`` segments and ``$count=true``, ``$search``,
the advanced ``$filter`` operators and ``$orderby``, each needing ``ConsistencyLevel: eventual`` where Graph does,
and refused in Graph's own words where it is missing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.entra.graph_support import DOMAIN, GraphRig, person

GRAPH = "https://graph.microsoft.com/v1.0"
EVENTUAL = {"ConsistencyLevel": "eventual"}
ADVANCED_HINT = (
    "is not supported because the required parameters might be missing. Try adding $count=true query parameter "
    "and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"
)


@pytest.fixture
async def rig() -> GraphRig:
    rig = GraphRig.create()
    directory = rig.directory_client()
    for key, name in (("ada", "Ada Lovelace"), ("team", "Team-ADA"), ("adaline", "Adaline Byron"),
                      ("nadal", "Rafa Nadal"), ("zed", "Zed Ames")):  # fmt: skip
        await directory.create_user(person(key, displayName=name))
    return rig


async def _get(rig: GraphRig, path: str, params: dict[str, str] | None = None, **headers: str) -> httpx.Response:
    token = rig.app_token("https://graph.microsoft.com")
    return await rig.http.get(f"{GRAPH}/{path}", params=params, headers={"Authorization": f"Bearer {token}", **headers})


def _error(response: httpx.Response) -> tuple[int, str, str]:
    error: dict[str, Any] = response.json()["error"]
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}
    return response.status_code, error["code"], error["message"]


def _names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [user["displayName"] for user in response.json()["value"]]


# --- $count ---------------------------------------------------------------------------------------------------


async def test_the_count_segment_answers_the_number_as_plain_text(rig: GraphRig) -> None:
    response = await _get(rig, "users/$count", **EVENTUAL)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "5"
    assert response.headers["request-id"]


async def test_the_count_segment_without_the_header_is_graphs_bad_request_not_a_missing_user(rig: GraphRig) -> None:
    response = await _get(rig, "users/$count")

    assert _error(response) == (400, "Request_BadRequest", "$count is not currently supported.")


async def test_the_count_segment_counts_what_the_filter_and_the_search_keep(rig: GraphRig) -> None:
    group = await rig.directory_client().graph.request(
        "POST", "/groups",
        json={"displayName": "Sales", "mailEnabled": False, "mailNickname": "sales", "securityEnabled": True},
    )  # fmt: skip

    ending = await _get(rig, "users/$count", {"$filter": f"endsWith(userPrincipalName,'a@{DOMAIN}')"}, **EVENTUAL)
    searched = await _get(rig, "users/$count", {"$search": '"displayName:ada"'}, **EVENTUAL)
    groups = await _get(rig, "groups/$count", {"$filter": "startswith(displayName,'Sal')"}, **EVENTUAL)
    members = await _get(rig, f"groups/{group['id']}/members/$count", **EVENTUAL)

    assert (ending.text, searched.text, groups.text, members.text) == ("1", "3", "1", "0")  # ada@ ends in a@


async def test_count_true_with_the_header_adds_the_total_of_every_page(rig: GraphRig) -> None:
    response = await _get(rig, "users", {"$count": "true", "$top": "2"}, **EVENTUAL)

    body = response.json()
    assert (body["@odata.count"], len(body["value"])) == (5, 2)
    assert "@odata.nextLink" in body


async def test_count_true_without_the_header_is_silently_ignored(rig: GraphRig) -> None:
    response = await _get(rig, "users", {"$count": "true"})

    assert response.status_code == 200
    assert "@odata.count" not in response.json()
    assert len(response.json()["value"]) == 5


# --- $search ----------------------------------------------------------------------------------------------------


async def test_search_without_the_header_is_refused_in_graphs_words(rig: GraphRig) -> None:
    response = await _get(rig, "users", {"$search": '"displayName:ada"'})

    assert _error(response) == (
        400,
        "Request_UnsupportedQuery",
        "Request with $search query parameter only works through MSGraph with a special request header: "
        "'ConsistencyLevel: eventual'",
    )


async def test_search_on_display_name_matches_the_beginnings_of_words(rig: GraphRig) -> None:
    query = {"$search": '"displayName:ada"', "$orderby": "displayName", "$count": "true"}
    response = await _get(rig, "users", query, **EVENTUAL)

    assert _names(response) == ["Ada Lovelace", "Adaline Byron", "Team-ADA"]  # not "Rafa Nadal"


async def test_search_clauses_combine_with_or_and_and(rig: GraphRig) -> None:
    either = await _get(rig, "users", {"$search": '"displayName:zed" OR "displayName:rafa"'}, **EVENTUAL)
    both = await _get(rig, "users", {"$search": '"displayName:ada" AND "userPrincipalName:team"'}, **EVENTUAL)

    assert sorted(_names(either)) == ["Rafa Nadal", "Zed Ames"]
    assert _names(both) == ["Team-ADA"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("displayName:ada", (400, "BadRequest", "Syntax error: character ':' is not valid at position 11 in "
                                                "'displayName:ada'.")),
        ('"displayName:ada', (400, "BadRequest", "Syntax error: character '\"' is not valid at position 0 in "
                                                 "'\"displayName:ada'.")),
        ('"displayName:ada" NEAR "mail:x"',
         (400, "BadRequest", "Syntax error: character 'N' is not valid at position 18 in "
                             "'\"displayName:ada\" NEAR \"mail:x\"'.")),
        ('"colour:blue"', (400, "Request_BadRequest", "Could not find a property named 'colour' on type "
                                                      "'microsoft.graph.user'.")),
    ],
)  # fmt: skip
async def test_a_malformed_search_is_refused_as_graph_refuses_it(
    rig: GraphRig, search: str, expected: tuple[int, str, str]
) -> None:
    response = await _get(rig, "users", {"$search": search}, **EVENTUAL)

    assert _error(response) == expected


async def test_a_search_clause_without_a_property_is_refused(rig: GraphRig) -> None:
    status, code, message = _error(await _get(rig, "users", {"$search": '"ada"'}, **EVENTUAL))

    assert (status, code) == (400, "Request_UnsupportedQuery")
    assert '"displayName:ada"' in message


# --- advanced $filter operators ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "condition"),
    [("endsWith", f"endsWith(userPrincipalName,'@{DOMAIN}')"), ("ne", "displayName ne 'Zed Ames'"),
     ("not", "not(displayName eq 'Zed Ames')")],
)  # fmt: skip
async def test_an_advanced_filter_needs_the_header_and_count_true(rig: GraphRig, operator: str, condition: str) -> None:
    bare = await _get(rig, "users", {"$filter": condition})
    header_only = await _get(rig, "users", {"$filter": condition}, **EVENTUAL)
    advanced = await _get(rig, "users", {"$filter": condition, "$count": "true"}, **EVENTUAL)

    refusal = (400, "Request_UnsupportedQuery", f"Operator '{operator}' {ADVANCED_HINT}")
    assert _error(bare) == _error(header_only) == refusal
    assert advanced.status_code == 200
    assert advanced.json()["@odata.count"] == (5 if operator == "endsWith" else 4)


async def test_ends_with_works_only_on_the_properties_indexed_for_it(rig: GraphRig) -> None:
    response = await _get(rig, "users", {"$filter": "endsWith(displayName,'Ames')", "$count": "true"}, **EVENTUAL)

    assert _error(response) == (
        400,
        "Request_UnsupportedQuery",
        "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'User'.",
    )


# --- $orderby ---------------------------------------------------------------------------------------------------


async def test_orderby_display_name_works_by_default_in_either_direction(rig: GraphRig) -> None:
    ascending = await _get(rig, "users", {"$orderby": "displayName", "$top": "2"})
    descending = await _get(rig, "users", {"$orderby": "displayName desc"})

    assert _names(ascending) == ["Ada Lovelace", "Adaline Byron"]
    assert _names(descending) == ["Zed Ames", "Team-ADA", "Rafa Nadal", "Adaline Byron", "Ada Lovelace"]
    following = await rig.http.get(
        ascending.json()["@odata.nextLink"],
        headers={"Authorization": f"Bearer {rig.app_token('https://graph.microsoft.com')}"},
    )
    assert _names(following) == ["Rafa Nadal", "Team-ADA"]


async def test_orderby_with_a_filter_needs_advanced_mode(rig: GraphRig) -> None:
    query = {"$orderby": "displayName", "$filter": "startswith(displayName,'A')"}

    refused = await _get(rig, "users", query)
    advanced = await _get(rig, "users", {**query, "$count": "true"}, **EVENTUAL)

    assert _error(refused) == (400, "Request_UnsupportedQuery", "Sorting not supported for current query.")
    assert _names(advanced) == ["Ada Lovelace", "Adaline Byron"]


async def test_orderby_on_a_property_graph_does_not_sort_by_is_refused(rig: GraphRig) -> None:
    response = await _get(rig, "users", {"$orderby": "jobTitle", "$count": "true"}, **EVENTUAL)

    assert _error(response) == (400, "Request_UnsupportedQuery", "Sorting not supported for current query.")


# --- the product ------------------------------------------------------------------------------------------------


async def test_the_products_lookups_pass_graphs_advanced_query_rules(rig: GraphRig) -> None:
    """The product's GraphDirectory sends ``$count=true`` and the header with its lookups: they work against a
    Graph that enforces advanced mode, and find exactly the accounts asked for."""
    directory = rig.directory_client()

    found = await directory.find_by_employee_id("E-ada")

    assert [user["displayName"] for user in found] == ["Ada Lovelace"]
    assert await directory.name_taken("userPrincipalName", f"team@{DOMAIN}")
    assert not await directory.name_taken("userPrincipalName", f"nobody@{DOMAIN}")
