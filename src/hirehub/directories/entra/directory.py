"""Directory operations on Microsoft Graph: what provisioning does to users and groups.

Each method is one Graph operation with the request shape Graph documents; :meth:`provision_joiners`
is the throughput path, sending creations, managers and memberships through ``$batch`` in as few
calls as Graph allows. Conflicts (``ObjectConflict``) are reported, never resolved here: choosing
another name is the naming rules' decision (:mod:`hirehub.lifecycle`), not the connector's.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from hirehub.directories.entra.graph import BatchRequest, BatchResponse, GraphClient
from hirehub.directories.entra.graph_errors import GraphError

USER_FIELDS = (
    "id,userPrincipalName,mail,mailNickname,displayName,givenName,surname,employeeId,employeeHireDate,"
    "employeeLeaveDateTime,employeeType,jobTitle,department,companyName,officeLocation,accountEnabled,"
    "usageLocation,mobilePhone"
)
GROUP_FIELDS = "id,displayName,mailNickname,securityEnabled,mailEnabled,description"
MEMBERS_PER_PATCH = 20  # Graph accepts up to 20 members@odata.bind references in one group PATCH


def random_password(length: int = 24) -> str:
    """A password meeting Entra's complexity rules (upper, lower, digit, symbol)."""
    alphabet = string.ascii_letters + string.digits + "!#%+-.:=?@_"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(not c.isalnum() for c in candidate)
        ):
            return candidate


@dataclass
class JoinerRequest:
    """One new account: its Graph attributes, its manager (object id or UPN) and groups (object ids)."""

    key: str
    attributes: dict[str, Any]
    manager: str | None = None
    groups: Sequence[str] = ()


@dataclass
class JoinerResult:
    key: str
    user_id: str | None = None
    error: GraphError | None = None
    manager_error: GraphError | None = None
    group_errors: dict[str, GraphError] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None and self.manager_error is None and not self.group_errors


class GraphDirectory:
    """Users and groups of one Entra tenant, through one :class:`GraphClient`."""

    def __init__(self, graph: GraphClient) -> None:
        self.graph = graph

    def _ref(self, object_id: str) -> dict[str, str]:
        return {"@odata.id": f"{self.graph.base_url}/directoryObjects/{object_id}"}

    # users -------------------------------------------------------------------------------------------
    async def create_user(self, attributes: dict[str, Any], *, enabled: bool = True) -> dict[str, Any]:
        body = {
            "accountEnabled": enabled,
            "passwordProfile": {"forceChangePasswordNextSignIn": True, "password": random_password()},
            **attributes,
        }
        created: dict[str, Any] = await self.graph.request("POST", "/users", json=body)
        return created

    async def update_user(self, user_id: str, changes: dict[str, Any]) -> None:
        if changes:
            await self.graph.request("PATCH", f"/users/{quote(user_id)}", json=changes, retry_not_found=True)

    async def get_user(self, user_id: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = await self.graph.request(
                "GET", f"/users/{quote(user_id)}", params={"$select": USER_FIELDS}
            )
            return found
        except GraphError as exc:
            if exc.status == 404:
                return None
            raise

    async def find_by_employee_id(self, employee_id: str) -> list[dict[str, Any]]:
        """Every account carrying ``employeeId`` (more than one is drift the reconciler reports)."""
        escaped = employee_id.replace("'", "''")
        found = await self.graph.request(
            "GET",
            "/users",
            params={"$filter": f"employeeId eq '{escaped}'", "$select": USER_FIELDS, "$count": "true"},
            headers={"ConsistencyLevel": "eventual"},
        )
        return list(found.get("value", []))

    async def name_taken(self, attribute: str, value: str) -> bool:
        escaped = value.replace("'", "''")
        condition = f"proxyAddresses/any(p:p eq 'smtp:{escaped}')" if attribute == "proxyAddresses" else None
        condition = condition or f"{attribute} eq '{escaped}'"
        found = await self.graph.request(
            "GET",
            "/users",
            params={"$filter": condition, "$select": "id", "$count": "true"},
            headers={"ConsistencyLevel": "eventual"},
        )
        return bool(found.get("value"))

    async def set_enabled(self, user_id: str, enabled: bool) -> None:
        await self.update_user(user_id, {"accountEnabled": enabled})

    async def reset_password(self, user_id: str) -> None:
        """A new random password the leaver never learns; the next sign-in would have to change it."""
        await self.update_user(
            user_id, {"passwordProfile": {"forceChangePasswordNextSignIn": True, "password": random_password()}}
        )

    async def revoke_sessions(self, user_id: str) -> None:
        await self.graph.request("POST", f"/users/{quote(user_id)}/revokeSignInSessions", retry_not_found=True)

    async def set_manager(self, user_id: str, manager_id: str | None) -> None:
        if manager_id is None:
            try:
                await self.graph.request("DELETE", f"/users/{quote(user_id)}/manager/$ref")
            except GraphError as exc:
                if exc.status != 404:  # no manager to remove is the desired state already
                    raise
            return
        await self.graph.request(
            "PUT", f"/users/{quote(user_id)}/manager/$ref", json=self._ref(manager_id), retry_not_found=True
        )

    async def manager_of(self, user_id: str) -> str | None:
        try:
            found = await self.graph.request("GET", f"/users/{quote(user_id)}/manager", params={"$select": "id"})
        except GraphError as exc:
            if exc.status == 404:
                return None
            raise
        return str(found["id"])

    async def groups_of(self, user_id: str) -> list[str]:
        ids: list[str] = []
        async for page, _body in self.graph.pages(f"/users/{quote(user_id)}/memberOf", {"$select": "id"}):
            ids.extend(str(item["id"]) for item in page if item.get("@odata.type", "").endswith("group"))
        return ids

    # groups ------------------------------------------------------------------------------------------
    async def add_member(self, group_id: str, user_id: str) -> None:
        try:
            await self.graph.request(
                "POST", f"/groups/{group_id}/members/$ref", json=self._ref(user_id), retry_not_found=True
            )
        except GraphError as exc:
            if not (exc.status == 400 and "already exist" in exc.message):  # already a member: desired state
                raise

    async def remove_member(self, group_id: str, user_id: str) -> None:
        try:
            await self.graph.request("DELETE", f"/groups/{group_id}/members/{user_id}/$ref")
        except GraphError as exc:
            if exc.status != 404:  # not a member any more: desired state
                raise

    async def find_group(self, display_name: str) -> str | None:
        escaped = display_name.replace("'", "''")
        found = await self.graph.request(
            "GET", "/groups", params={"$filter": f"displayName eq '{escaped}'", "$select": "id"}
        )
        values = found.get("value", [])
        return str(values[0]["id"]) if values else None

    # listing for reconciliation ---------------------------------------------------------------------
    async def list_users(self, page_size: int = 999) -> AsyncIterator[list[dict[str, Any]]]:
        async for page, _body in self.graph.pages("/users", {"$select": USER_FIELDS, "$top": str(page_size)}):
            yield page

    async def list_groups(self, page_size: int = 999) -> AsyncIterator[list[dict[str, Any]]]:
        async for page, _body in self.graph.pages("/groups", {"$select": GROUP_FIELDS, "$top": str(page_size)}):
            yield page

    async def users_delta(self, delta_link: str | None = None) -> tuple[list[dict[str, Any]], str]:
        """Changes since ``delta_link`` (everything on the first call); returns them and the next link."""
        return await self._delta("/users/delta", USER_FIELDS, delta_link)

    async def groups_delta(self, delta_link: str | None = None) -> tuple[list[dict[str, Any]], str]:
        """Groups changed (renamed, members added or removed, deleted) since ``delta_link``."""
        return await self._delta("/groups/delta", GROUP_FIELDS, delta_link)

    async def _delta(self, path: str, fields: str, delta_link: str | None) -> tuple[list[dict[str, Any]], str]:
        body = await self.graph.request("GET", delta_link or path, params=None if delta_link else {"$select": fields})
        changes: list[dict[str, Any]] = list(body.get("value", []))
        while "@odata.nextLink" in body:
            body = await self.graph.request("GET", body["@odata.nextLink"])
            changes.extend(body.get("value", []))
        return changes, str(body["@odata.deltaLink"])

    # the throughput path ----------------------------------------------------------------------------
    async def provision_joiners(self, joiners: Sequence[JoinerRequest]) -> list[JoinerResult]:
        """Create many accounts, then set managers and memberships, in as few Graph calls as allowed.

        Creations go 20 to a ``$batch``; managers follow in batches once ids are known; memberships are
        grouped per group into PATCHes of up to 20 ``members@odata.bind`` references each.
        """
        results = {j.key: JoinerResult(j.key) for j in joiners}
        created = await self.graph.batch(
            BatchRequest(
                j.key,
                "POST",
                "/users",
                {
                    "accountEnabled": True,
                    "passwordProfile": {"forceChangePasswordNextSignIn": True, "password": random_password()},
                    **j.attributes,
                },
            )
            for j in joiners
        )
        for key, response in created.items():
            if response.ok:
                results[key].user_id = str(response.body["id"])
            else:
                results[key].error = response.error()
        ready = [j for j in joiners if results[j.key].user_id]
        managers = await self.graph.batch(
            BatchRequest(
                j.key,
                "PUT",
                f"/users/{results[j.key].user_id}/manager/$ref",
                self._ref(j.manager),
                retry_not_found=True,
            )
            for j in ready
            if j.manager
        )
        for key, response in managers.items():
            if not response.ok:
                results[key].manager_error = response.error()
        await self._add_members_in_bulk(ready, results)
        return [results[j.key] for j in joiners]

    async def _add_members_in_bulk(self, ready: Sequence[JoinerRequest], results: dict[str, JoinerResult]) -> None:
        by_group: dict[str, list[JoinerRequest]] = {}
        for joiner in ready:
            for group in joiner.groups:
                by_group.setdefault(group, []).append(joiner)
        requests: list[BatchRequest] = []
        members_of: dict[str, list[JoinerRequest]] = {}
        for group, members in by_group.items():
            for start in range(0, len(members), MEMBERS_PER_PATCH):
                chunk = members[start : start + MEMBERS_PER_PATCH]
                request_id = f"{group}:{start}"
                members_of[request_id] = chunk
                refs = [f"{self.graph.base_url}/directoryObjects/{results[j.key].user_id}" for j in chunk]
                requests.append(
                    BatchRequest(
                        request_id, "PATCH", f"/groups/{group}", {"members@odata.bind": refs}, retry_not_found=True
                    )
                )
        responses: dict[str, BatchResponse] = await self.graph.batch(requests)
        for request_id, response in responses.items():
            if response.ok:
                continue
            group = request_id.split(":", 1)[0]
            for joiner in members_of[request_id]:
                results[joiner.key].group_errors[group] = response.error()
