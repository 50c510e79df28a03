"""The Exchange Online admin API in the sandbox, driven by the product's ExchangeClient (leavers' mailboxes)."""

from __future__ import annotations

import pytest

from hirehub.directories.entra.clouds import CLOUDS, CloudName
from hirehub.directories.entra.graph_errors import GraphError
from tests.sandbox.entra.graph_support import EXCHANGE_ADMINISTRATOR, EXCHANGE_APP_ID, GraphRig, user_body


def exchange_rig(*, permission: bool = True, role: bool = True) -> GraphRig:
    rig = GraphRig.create()
    if permission:
        rig.world.grant_application_permissions(
            rig.directory, rig.app.app_id, ["Exchange.ManageAsApp"], EXCHANGE_APP_ID
        )
    if role:
        rig.world.assign_directory_role(rig.directory, rig.app.app_id, EXCHANGE_ADMINISTRATOR)
    rig.store.create_user(user_body("leaver", mail="leaver@contoso.com"))
    rig.store.create_user(user_body("manager", mail="manager@contoso.com"))
    rig.store.create_user(user_body("nomail"))
    return rig


async def test_a_user_with_a_mail_address_has_a_mailbox() -> None:
    rig = exchange_rig()
    mailbox = await rig.exchange().mailbox("leaver@contoso.com")
    assert mailbox is not None
    assert mailbox["PrimarySmtpAddress"] == "leaver@contoso.com"
    assert mailbox["RecipientTypeDetails"] == "UserMailbox"
    assert mailbox["ExternalDirectoryObjectId"] == rig.store.get("leaver@contoso.onmicrosoft.com").id


async def test_a_leavers_mailbox_becomes_shared_with_full_access_for_the_manager_and_an_auto_reply() -> None:
    rig = exchange_rig()
    exchange = rig.exchange()

    await exchange.convert_to_shared("leaver@contoso.com")
    await exchange.grant_full_access("leaver@contoso.com", "manager@contoso.com")
    await exchange.set_auto_reply("leaver@contoso.com", "I have left; please write to manager@contoso.com.")

    mailbox = await exchange.mailbox("leaver@contoso.com")
    assert mailbox is not None and mailbox["RecipientTypeDetails"] == "SharedMailbox"
    permissions = await exchange.invoke("Get-MailboxPermission", {"Identity": "leaver@contoso.com"})
    assert [(p["User"], p["AccessRights"]) for p in permissions] == [
        ("manager@contoso.onmicrosoft.com", ["FullAccess"])
    ]
    reply = await exchange.invoke("Get-MailboxAutoReplyConfiguration", {"Identity": "leaver"})
    assert reply[0]["AutoReplyState"] == "Enabled"
    assert reply[0]["ExternalMessage"] == "I have left; please write to manager@contoso.com."


async def test_an_identity_without_a_mailbox_is_not_found() -> None:
    rig = exchange_rig()
    with pytest.raises(GraphError) as missing:
        await rig.exchange().mailbox("nomail@contoso.onmicrosoft.com")
    assert missing.value.status == 404
    assert "couldn't be found" in missing.value.message


async def test_an_unknown_cmdlet_or_parameter_is_refused() -> None:
    exchange = exchange_rig().exchange()
    with pytest.raises(GraphError, match="not recognized"):
        await exchange.invoke("Remove-Mailbox", {"Identity": "leaver"})
    with pytest.raises(GraphError, match="parameter name 'Colour'"):
        await exchange.invoke("Set-Mailbox", {"Identity": "leaver", "Colour": "red"})


async def test_without_exchange_manage_as_app_the_call_is_403() -> None:
    rig = exchange_rig(permission=False)
    with pytest.raises(GraphError) as refused:
        await rig.exchange().mailbox("leaver@contoso.com")
    assert refused.value.status == 403


async def test_without_the_exchange_administrator_role_exchange_says_the_role_is_not_supported() -> None:
    rig = exchange_rig(role=False)
    with pytest.raises(GraphError) as refused:
        await rig.exchange().convert_to_shared("leaver@contoso.com")
    assert refused.value.status == 403
    assert f"The role assigned to application {rig.app.app_id} isn't supported" in refused.value.message


async def test_a_graph_token_is_not_accepted_by_exchange() -> None:
    rig = exchange_rig()
    with pytest.raises(GraphError) as refused:
        await rig.exchange(token=rig.app_token("https://graph.microsoft.com")).mailbox("leaver@contoso.com")
    assert refused.value.status == 401


async def test_another_tenant_in_the_url_is_refused() -> None:
    rig = exchange_rig()
    other = rig.world.add_directory()
    exchange = rig.exchange()
    exchange._url = GLOBAL_URL.format(tenant=other.tenant_id)
    with pytest.raises(GraphError) as refused:
        await exchange.mailbox("leaver@contoso.com")
    assert refused.value.status == 403


GLOBAL_URL = "https://outlook.office365.com/adminapi/beta/{tenant}/InvokeCommand"


async def test_the_us_government_cloud_has_its_own_exchange_host() -> None:
    rig = exchange_rig()
    cloud = CLOUDS[CloudName.US_GOV_L4]
    mailbox = await rig.exchange(cloud).mailbox("leaver@contoso.com")
    assert mailbox is not None
    with pytest.raises(GraphError) as refused:  # a global Exchange token is not valid there
        await rig.exchange(cloud, token=rig.app_token("https://outlook.office365.com", EXCHANGE_APP_ID)).mailbox(
            "leaver@contoso.com"
        )
    assert refused.value.status == 401
