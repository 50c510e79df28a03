"""A directory arranged as an administrator would, and the product's own Graph and Exchange clients pointed at the
sandbox in-process: real URLs (``https://graph.microsoft.com/v1.0/…``) rerouted by the outbound host map.

Retries sleep on the *sandbox* clock (the client's ``sleep`` advances it), so Retry-After waits, throttling refills
and eventual-consistency lags pass instantly and deterministically.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from hirehub.directories.entra.clouds import CLOUDS, Cloud, CloudName
from hirehub.directories.entra.directory import GraphDirectory
from hirehub.directories.entra.exchange import ExchangeClient
from hirehub.directories.entra.graph import GraphClient
from hirehub.directories.entra.graph_errors import GraphError
from hirehub.directories.entra.throttle import TokenBucket
from hirehub.lifecycle.directory_state import DesiredAccount
from hirehub.lifecycle.planning import AddToGroup, CreateAccount, Phase, Plan, SetManager, Step
from hirehub.outbound import HostMap, async_client
from hirehub.sandbox.entra.app import create_app
from hirehub.sandbox.entra.graph import directory_store
from hirehub.sandbox.entra.graph_store import GraphStore
from hirehub.sandbox.entra.world import Application, Directory, EntraWorld, Faults, SandboxClock

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000"
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"
EXCHANGE_ADMINISTRATOR = "29232cdf-9323-42fd-ade2-1d097af3e4de"
SEED_GRAPH_PERMISSIONS = (
    "User.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
    "User.EnableDisableAccount.All",
)
GLOBAL = CLOUDS[CloudName.GLOBAL]
SANDBOX = "http://entra-sandbox"
DOMAIN = "contoso.onmicrosoft.com"


@dataclass
class GraphRig:
    """One tenant with the hub's app registered in it, and clients the way the product builds them."""

    world: EntraWorld
    directory: Directory
    app: Application
    http: httpx.AsyncClient
    slept: list[float] = field(default_factory=list)

    @classmethod
    def create(
        cls,
        *,
        permissions: Iterable[str] = SEED_GRAPH_PERMISSIONS,
        roles: Iterable[str] = (USER_ADMINISTRATOR,),
        faults: Faults | None = None,
        clock: SandboxClock | None = None,
    ) -> GraphRig:
        world = EntraWorld(clock=clock, faults=faults)
        directory = world.add_directory(default_domain=DOMAIN)
        app = world.register_application(directory, "hirehub provisioning")
        world.grant_application_permissions(directory, app.app_id, permissions, GRAPH_APP_ID)
        for role in roles:
            world.assign_directory_role(directory, app.app_id, role)
        hosts = {f"https://{c.graph_host}": SANDBOX for c in CLOUDS.values()}
        hosts.update({f"https://{c.exchange_host}": SANDBOX for c in CLOUDS.values()})
        http = async_client(HostMap(hosts), inner=httpx.ASGITransport(app=create_app(world)))
        return cls(world, directory, app, http)

    @property
    def store(self) -> GraphStore:
        return directory_store(self.world, self.directory)

    def app_token(self, audience: str, resource_app_id: str = GRAPH_APP_ID) -> str:
        """An app-only token carrying what was granted, as the identity endpoint would issue it."""
        principal = self.world.service_principal_in(self.directory, self.app.app_id)
        roles = principal.app_roles.get(resource_app_id, set())
        token, _ = self.world.issue_access_token(self.directory, self.app.app_id, audience, roles=roles)
        return token

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.world.clock.advance(seconds * self.world.clock.speed)

    def graph(self, cloud: Cloud = GLOBAL, *, token: str | None = None, **kw: Any) -> GraphClient:
        async def source() -> str:  # a fresh token per call, as MSAL's cache renews them
            return token or self.app_token(f"https://{cloud.graph_host}")

        bucket = TokenBucket(clock=self.world.clock.seconds, sleep=self.sleep)
        return GraphClient(cloud.graph_base, source, self.http, bucket=bucket, sleep=self.sleep, **kw)

    def directory_client(self, cloud: Cloud = GLOBAL, **kw: Any) -> SandboxDirectory:
        return SandboxDirectory(self.graph(cloud, **kw))

    def exchange(self, cloud: Cloud = GLOBAL, *, token: str | None = None) -> ExchangeClient:
        async def source() -> str:
            return token or self.app_token(f"https://{cloud.exchange_host}", EXCHANGE_APP_ID)

        return ExchangeClient(cloud.exchange_invoke_url(self.directory.tenant_id), source, self.http)


def person(key: str, **extra: Any) -> dict[str, Any]:
    """A joiner's Graph attributes as the lifecycle rules would produce them."""
    return {
        "displayName": f"Person {key}",
        "givenName": "Person",
        "surname": key,
        "mailNickname": key,
        "userPrincipalName": f"{key}@{DOMAIN}",
        "employeeId": f"E-{key}",
        **extra,
    }


STRONG_PASSWORD = "Str0ng!Passw0rd#2024"


def user_body(key: str, **extra: Any) -> dict[str, Any]:
    """A complete ``POST /users`` body."""
    return {
        "accountEnabled": True,
        "passwordProfile": {"forceChangePasswordNextSignIn": True, "password": STRONG_PASSWORD},
        **person(key),
        **extra,
    }


# A driver of the emulated Graph for its own specs: reads the product does not make (the product's Graph operations
# are hirehub.directories.entra.directory.GraphDirectory's and the connector's), kept here so the sandbox's reads,
# deltas and paging stay specified; its $batch is driven through the product's connector (joiner_plan).
USER_FIELDS = (
    "id,userPrincipalName,mail,mailNickname,displayName,givenName,surname,employeeId,employeeHireDate,"
    "employeeLeaveDateTime,employeeType,jobTitle,department,companyName,officeLocation,accountEnabled,"
    "usageLocation,mobilePhone"
)
GROUP_FIELDS = "id,displayName,mailNickname,securityEnabled,mailEnabled,description"


def joiner_plan(key: str, *, manager_anchor: str | None = None, groups: Sequence[str] = ()) -> Plan:
    """The plan the engine makes for a joiner keyed ``key`` (``person(key)``'s names and anchor): the account,
    its manager by anchor, its groups by name; applied with the product's :class:`GraphConnector`."""
    attributes = person(key)
    account = DesiredAccount(
        anchor=attributes["employeeId"], user_principal_name=attributes["userPrincipalName"], mail=None,
        mail_nickname=key, enabled=True,
        attributes={"displayName": attributes["displayName"], "givenName": "Person", "surname": key},
    )  # fmt: skip
    steps: list[Step] = [CreateAccount(account)]
    if manager_anchor is not None:
        steps.append(SetManager(manager_anchor))
    steps += [AddToGroup(group) for group in groups]
    return Plan(key, account.anchor, Phase.ACTIVE, None, tuple(steps))


class SandboxDirectory(GraphDirectory):
    """The product's Graph operations plus the reads the sandbox's specs drive."""

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
