"""Directory operations on Microsoft Graph: what provisioning does to users and groups.

Each method is one Graph operation with the request shape Graph documents, and only the operations the
Entra connector carries out are here. Conflicts (``ObjectConflict``) are reported, never resolved here:
choosing another name is the naming rules' decision (:mod:`hirehub.lifecycle`), not the connector's.
"""

from __future__ import annotations

import secrets
import string
from typing import Any
from urllib.parse import quote

from hirehub.directories.entra.graph import GraphClient
from hirehub.directories.entra.graph_errors import GraphError

USER_FIELDS = (
    "id,userPrincipalName,mail,mailNickname,displayName,givenName,surname,employeeId,employeeHireDate,"
    "employeeLeaveDateTime,employeeType,jobTitle,department,companyName,officeLocation,accountEnabled,"
    "usageLocation,mobilePhone"
)


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
