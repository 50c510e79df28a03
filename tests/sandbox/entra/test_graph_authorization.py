"""Who may do what on the emulated Graph, per national cloud, and what *Test connection* reads from it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hirehub.directories.entra import connections
from hirehub.directories.entra.clouds import CLOUDS, CloudName
from hirehub.directories.entra.graph_errors import GraphError
from hirehub.directories.entra.models import ConnectionType, EntraConnection
from hirehub.directories.entra.msal_client import OutboundConfig
from hirehub.outbound import HostMap
from tests.sandbox.entra.graph_support import (
    EXCHANGE_ADMINISTRATOR,
    EXCHANGE_APP_ID,
    GLOBAL,
    GRAPH_APP_ID,
    GraphRig,
    person,
)


async def test_a_call_without_a_token_is_401_invalid_authentication_token() -> None:
    rig = GraphRig.create()
    response = await rig.http.get("https://graph.microsoft.com/v1.0/users")
    error = response.json()["error"]
    assert response.status_code == 401
    assert (error["code"], error["message"]) == ("InvalidAuthenticationToken", "Access token is empty.")
    assert error["innerError"]["request-id"] == response.headers["request-id"]


async def test_a_token_for_another_resource_is_401() -> None:
    rig = GraphRig.create()
    exchange_token = rig.app_token("https://outlook.office365.com", EXCHANGE_APP_ID)
    with pytest.raises(GraphError) as refused:
        await rig.graph(token=exchange_token).request("GET", "/users")
    assert (refused.value.status, refused.value.code) == (401, "InvalidAuthenticationToken")
    assert "Invalid audience" in refused.value.message


async def test_an_expired_token_is_401() -> None:
    rig = GraphRig.create()
    token = rig.app_token("https://graph.microsoft.com")
    rig.world.clock.advance(2 * 3600)
    with pytest.raises(GraphError, match="expired"):
        await rig.graph(token=token).request("GET", "/users")


async def test_without_a_write_permission_reads_work_and_writes_are_403() -> None:
    rig = GraphRig.create(permissions=["User.Read.All"])
    directory = rig.directory_client()

    assert await directory.find_by_employee_id("E-1") == []
    with pytest.raises(GraphError) as refused:
        await directory.create_user(person("ann"))

    assert (refused.value.status, refused.value.code) == (403, "Authorization_RequestDenied")
    assert refused.value.message == "Insufficient privileges to complete the operation."


async def test_disabling_an_account_needs_the_user_administrator_role() -> None:
    rig = GraphRig.create(roles=[])
    directory = rig.directory_client()
    user = await directory.create_user(person("leaver"))

    with pytest.raises(GraphError) as refused:
        await directory.set_enabled(user["id"], False)
    assert refused.value.status == 403

    rig.world.assign_directory_role(rig.directory, rig.app.app_id, "fe930be7-5e62-47db-91af-98c3a49a38b1")
    await directory.set_enabled(user["id"], False)


async def test_resetting_a_password_needs_directory_read_write_all() -> None:
    rig = GraphRig.create(permissions=["User.ReadWrite.All", "User.EnableDisableAccount.All"])
    directory = rig.directory_client()
    user = await directory.create_user(person("leaver"))  # setting the first password is part of creating
    with pytest.raises(GraphError) as refused:
        await directory.reset_password(user["id"])
    assert refused.value.code == "Authorization_RequestDenied"


async def test_group_writes_need_a_group_permission() -> None:
    rig = GraphRig.create(permissions=["User.ReadWrite.All"])
    body = {"displayName": "G", "mailEnabled": False, "mailNickname": "g", "securityEnabled": True}
    with pytest.raises(GraphError) as refused:
        await rig.graph().request("POST", "/groups", json=body)
    assert refused.value.status == 403


async def test_a_delegated_administrator_with_the_seeds_scopes_may_do_everything_the_product_does() -> None:
    rig = GraphRig.create(permissions=[], roles=[])
    admin = rig.world.add_person(rig.directory, "admin@contoso.onmicrosoft.com", "pw")
    token, _ = rig.world.issue_access_token(
        rig.directory,
        rig.app.app_id,
        "https://graph.microsoft.com",
        scopes=["User.ReadWrite.All", "Group.ReadWrite.All", "Directory.AccessAsUser.All"],
        user=admin,
    )
    directory = rig.directory_client(token=token)

    user = await directory.create_user(person("joiner"))
    await directory.set_enabled(user["id"], False)
    await directory.reset_password(user["id"])
    await directory.revoke_sessions(user["id"])


@pytest.mark.parametrize("name", list(CloudName))
async def test_each_national_cloud_serves_its_own_host_and_accepts_only_its_own_tokens(name: CloudName) -> None:
    rig = GraphRig.create()
    cloud = CLOUDS[name]
    directory = rig.directory_client(cloud)
    for n in range(3):
        await directory.create_user(person(f"u{n}"))

    page = await rig.graph(cloud).request("GET", "/users", params={"$top": "2", "$select": "id"})
    assert page["@odata.nextLink"].startswith(f"https://{cloud.graph_host}/v1.0/")
    other = GLOBAL if name != CloudName.GLOBAL else CLOUDS[CloudName.CHINA]
    with pytest.raises(GraphError) as refused:
        await rig.graph(cloud, token=rig.app_token(f"https://{other.graph_host}")).request("GET", "/users")
    assert refused.value.status == 401


class SandboxTokens(connections.ConnectionRuntime):
    """The runtime with tokens straight from the world (MSAL and the token endpoint are another test's subject)."""

    rig: GraphRig | None = None

    async def token(self, connection: EntraConnection, scope: str) -> str:
        assert self.rig is not None
        return self.rig.app_token(scope.removesuffix("/.default"))


async def check(rig: GraphRig, *, exchange: bool) -> connections.ConnectionCheck:
    runtime = SandboxTokens(outbound=OutboundConfig(HostMap()), box=None, http=rig.http)  # type: ignore[arg-type]
    runtime.rig = rig
    connection = EntraConnection(
        name="contoso",
        cloud="global",
        connection_type=ConnectionType.CUSTOMER_OWNED,
        directory_tenant_id=rig.directory.tenant_id,
        client_id=rig.app.app_id,
        exchange_enabled=exchange,
    )
    return await connections.test_connection(runtime, connection, datetime.now(UTC))


async def test_test_connection_passes_when_the_seeds_permissions_and_roles_are_granted() -> None:
    rig = GraphRig.create()
    verdict = await check(rig, exchange=False)
    assert verdict.ok, verdict.messages()


async def test_test_connection_names_exactly_the_missing_permissions_and_roles() -> None:
    rig = GraphRig.create(permissions=["Directory.ReadWrite.All", "User.ReadWrite.All"], roles=[])
    rig.world.assign_directory_role(rig.directory, rig.app.app_id, EXCHANGE_ADMINISTRATOR)

    verdict = await check(rig, exchange=True)

    assert [p.name for p in verdict.missing_permissions] == [
        "Group.ReadWrite.All",
        "User.EnableDisableAccount.All",
        "Exchange.ManageAsApp",
    ]
    assert [r.name for r in verdict.missing_roles] == ["User Administrator"]


async def test_the_check_reads_app_role_assignments_with_microsofts_ids() -> None:
    rig = GraphRig.create()
    rig.world.grant_application_permissions(rig.directory, rig.app.app_id, ["Exchange.ManageAsApp"], EXCHANGE_APP_ID)
    graph = rig.graph()
    principals = await graph.request("GET", "/servicePrincipals", params={"$filter": f"appId eq '{rig.app.app_id}'"})
    principal_id = principals["value"][0]["id"]

    assignments = await graph.request("GET", f"/servicePrincipals/{principal_id}/appRoleAssignments")

    by_role = {a["appRoleId"]: a for a in assignments["value"]}
    assert by_role["741f803b-c850-494e-b5df-cde7c675a1ca"]["resourceDisplayName"] == "Microsoft Graph"
    assert by_role["dc50a0fb-09a3-484d-be87-e023b12c6440"]["resourceDisplayName"] == "Office 365 Exchange Online"
    graph_principal = await graph.request("GET", "/servicePrincipals", params={"$filter": f"appId eq '{GRAPH_APP_ID}'"})
    assert by_role["741f803b-c850-494e-b5df-cde7c675a1ca"]["resourceId"] == graph_principal["value"][0]["id"]


async def test_without_directory_read_the_check_reports_that_graph_refused() -> None:
    rig = GraphRig.create(permissions=["User.ReadWrite.All"])
    verdict = await check(rig, exchange=False)
    assert not verdict.ok and verdict.error is not None and "Authorization_RequestDenied" in verdict.error


def test_the_ids_the_product_expects_are_the_ones_the_sandbox_publishes() -> None:
    from hirehub.directories.entra import permissions
    from hirehub.sandbox.entra import graph

    for permission in permissions.required_permissions(exchange_enabled=True):
        table = graph.RESOURCE_ROLES[permission.resource_app_id]
        assert table[permission.name] == permission.app_role_id
    assert permissions.USER_ADMINISTRATOR.template_id == graph.USER_ADMINISTRATOR
