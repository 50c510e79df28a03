"""Every account of a directory, read the way Graph lets a whole directory be read: what a reconciliation compares.

Reading a user's manager and groups one user at a time (``/users/{id}/manager``, ``/users/{id}/memberOf``) costs
two requests per account: 200,000 for a directory of 100,000, even twenty to a ``$batch``. Instead:

* **users** in pages, ``$select``-ed, each with its manager expanded (``$expand=manager($select=id,employeeId)``),
  so the manager's anchor comes with the user; Graph gives 100 users a page when a list expands;
* **memberships** from the groups' side, once per listing, before its first page: every group (``$select=id,
  displayName``, 999 a page), then each group's members (``$select=id``, 999 a page). A directory has far fewer
  groups than users, and a member page holds 999 of them.

A membership is as its group said when it was read; one that changes while the users are paged shows in the next
listing, as any change after a page was read does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hirehub.directories.entra.graph import GraphClient

EXPAND_MANAGER = "manager($select=id,employeeId)"
PAGE_SIZE = "999"

Listed = tuple[dict[str, Any], str | None, tuple[str, ...]]
"""A user's fields as Graph returned them, its manager's anchor (employeeId) and the names of its groups."""


class AccountListing:
    """The pages of one directory's accounts, for :meth:`GraphConnector.list_accounts`."""

    def __init__(self, graph: GraphClient, fields: str) -> None:
        self.graph = graph
        self.fields = fields
        self._groups_of: dict[str, tuple[str, ...]] | None = None

    async def page(self, page_token: str | None) -> tuple[list[Listed], str | None]:
        """One page of users (None for the first), and the next page's token (None after the last)."""
        if page_token is None or self._groups_of is None:
            self._groups_of = await self._memberships()
        if page_token is None:
            query = {"$select": self.fields, "$expand": EXPAND_MANAGER, "$top": PAGE_SIZE}
            body = await self.graph.request("GET", "/users", params=query)
        else:
            body = await self.graph.request("GET", page_token)
        listed: list[Listed] = []
        for user in body.get("value", []):
            manager = user.pop("manager", None) or {}
            listed.append((user, manager.get("employeeId") or None, self._groups_of.get(str(user["id"]), ())))
        return listed, body.get("@odata.nextLink")

    async def _memberships(self) -> dict[str, tuple[str, ...]]:
        """The names of each user's groups (direct memberships, as ``memberOf`` gives them), by user id."""
        groups_of: dict[str, list[str]] = {}
        async for group in self._all("/groups", {"$select": "id,displayName", "$top": PAGE_SIZE}):
            name = group.get("displayName")
            if not name:
                continue
            members = f"/groups/{quote(str(group['id']))}/members"
            async for member in self._all(members, {"$select": "id", "$top": PAGE_SIZE}):
                if str(member.get("@odata.type", "")).endswith("user"):
                    groups_of.setdefault(str(member["id"]), []).append(str(name))
        return {user_id: tuple(names) for user_id, names in groups_of.items()}

    async def _all(self, path: str, query: dict[str, str]) -> Any:
        body = await self.graph.request("GET", path, params=query)
        while True:
            for item in body.get("value", []):
                yield item
            link = body.get("@odata.nextLink")
            if not link:
                return
            body = await self.graph.request("GET", link)
