"""The Graph and Exchange emulators inside the running sandbox: real TLS, real HTTP, the real hosts mapped."""

from __future__ import annotations

from hirehub.directories.entra.clouds import CLOUDS, CloudName
from hirehub.directories.entra.directory import GraphDirectory
from hirehub.directories.entra.graph import GraphClient
from tests.sandbox.entra.conftest import EntraSandbox
from tests.sandbox.entra.graph_support import GRAPH_APP_ID, person


async def test_the_product_provisions_a_user_through_the_sandbox_over_tls(entra_sandbox: EntraSandbox) -> None:
    world = entra_sandbox.world
    directory = world.add_directory(default_domain="contoso.onmicrosoft.com")
    app = world.register_application(directory, "hirehub")
    world.grant_application_permissions(directory, app.app_id, ["User.ReadWrite.All"], GRAPH_APP_ID)
    cloud = CLOUDS[CloudName.US_GOV_L5_DOD]

    async def token() -> str:
        issued, _ = world.issue_access_token(
            directory, app.app_id, f"https://{cloud.graph_host}", roles=["User.ReadWrite.All"]
        )
        return issued

    async with entra_sandbox.async_client() as http:
        graph = GraphDirectory(GraphClient(cloud.graph_base, token, http))
        created = await graph.create_user(person("remote"))
        found = await graph.find_by_employee_id("E-remote")

    assert [u["id"] for u in found] == [created["id"]]
