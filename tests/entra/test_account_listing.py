"""A reconciliation lists the whole directory the way Graph lets it be read: users in pages with their manager
expanded, memberships from the groups' member pages, and never a read per user (two per account, 200,000 requests
for a directory of 100,000)."""

from __future__ import annotations

import httpx

from hirehub.directories.entra.connector import GraphConnector
from hirehub.lifecycle.connector import all_accounts
from tests.sandbox.entra.graph_support import DOMAIN, GraphRig, user_body

USERS = 230


def _ref(object_id: str) -> str:
    return f"https://graph.microsoft.com/v1.0/directoryObjects/{object_id}"


def _group(rig: GraphRig, name: str) -> str:
    body = {"displayName": name, "mailEnabled": False, "mailNickname": name, "securityEnabled": True}
    return rig.store.create_group(body).id


async def test_the_directory_is_listed_in_pages_and_groups_never_a_user_at_a_time() -> None:
    rig = GraphRig.create()
    boss = rig.store.create_user(user_body("boss"))
    sales, staff = _group(rig, "Sales"), _group(rig, "Staff")
    users = [rig.store.create_user(user_body(f"u{n}")) for n in range(USERS)]
    for n, user in enumerate(users):
        rig.store.set_manager(user.id, _ref(boss.id))
        rig.store.add_member(staff, _ref(user.id))
        if n % 2:
            rig.store.add_member(sales, _ref(user.id))
    rig.store.add_member(sales, _ref(staff))  # a nested group is no account's membership
    paths: list[str] = []

    async def note(request: httpx.Request) -> None:
        paths.append(request.url.path)

    rig.http.event_hooks["request"].append(note)

    accounts = {a.user_principal_name: a async for a in all_accounts(GraphConnector(rig.directory_client()))}

    assert len(accounts) == USERS + 1
    assert accounts[f"u1@{DOMAIN}"].manager_anchor == "E-boss"
    assert set(accounts[f"u1@{DOMAIN}"].groups) == {"Sales", "Staff"}
    assert accounts[f"u2@{DOMAIN}"].groups == ("Staff",)
    assert accounts[f"boss@{DOMAIN}"].manager_anchor is None and accounts[f"boss@{DOMAIN}"].groups == ()
    assert "manager" not in accounts[f"u1@{DOMAIN}"].attributes
    assert paths.count("/v1.0/users") == 3  # 231 users, 100 a page when the manager is expanded
    assert not [path for path in paths if path.startswith("/v1.0/users/") or path.endswith("$batch")]
    assert sorted(set(paths) - {"/v1.0/users"}) == sorted(
        {"/v1.0/groups", f"/v1.0/groups/{sales}/members", f"/v1.0/groups/{staff}/members"}
    )
