"""``GET /users?$expand=manager``: each user with its manager, as Graph answers it: the manager projected by the
expansion's own ``$select``, no ``manager`` for a user without one, and at most 100 users a page however large
``$top`` is (Graph's known cap when a list expands a navigation)."""

from __future__ import annotations

import pytest

from hirehub.directories.entra.graph_errors import GraphError
from tests.sandbox.entra.graph_support import GraphRig, user_body


def _ref(object_id: str) -> str:
    return f"https://graph.microsoft.com/v1.0/directoryObjects/{object_id}"


async def test_a_listing_expands_each_users_manager_100_a_page() -> None:
    rig = GraphRig.create()
    boss = rig.store.create_user(user_body("boss"))
    for n in range(150):
        rig.store.set_manager(rig.store.create_user(user_body(f"u{n}")).id, _ref(boss.id))
    graph = rig.graph()
    query = {"$select": "id,employeeId", "$expand": "manager($select=id,employeeId)", "$top": "999"}

    first = await graph.request("GET", "/users", params=query)
    second = await graph.request("GET", first["@odata.nextLink"])

    assert len(first["value"]) == 100 and len(second["value"]) == 51
    assert "@odata.nextLink" not in second
    assert "manager" not in first["value"][0]  # the boss has none
    assert first["value"][1]["manager"] == {
        "@odata.type": "#microsoft.graph.user", "id": boss.id, "employeeId": "E-boss"
    }  # fmt: skip
    assert set(first["value"][1]) == {"id", "employeeId", "manager"}


async def test_only_the_manager_can_be_expanded() -> None:
    rig = GraphRig.create()
    rig.store.create_user(user_body("someone"))

    with pytest.raises(GraphError) as refused:
        await rig.graph(max_attempts=1).request("GET", "/users", params={"$expand": "memberOf"})

    assert refused.value.status == 400
