"""A service-provider application per national cloud: an app registration exists in one cloud only, so the hub has
one per cloud (``HIREHUB_ENTRA_SP_CLIENT_ID`` for the global cloud, ``HIREHUB_ENTRA_SP_<CLOUD>_CLIENT_ID`` for the
others), and a delegated connection uses the one of its cloud. The clouds carry the names Hire2Retire's guide gives
them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from hirehub.db.session import Database
from hirehub.directories.entra.clouds import CLOUDS, CloudName, cloud_label
from hirehub.directories.entra.linking import MissingServiceProviderApp, start_link
from hirehub.directories.entra.models import EntraConnection
from hirehub.directories.entra.runtime import LINK_CALLBACK_PATH, runtime_from_settings
from hirehub.settings import Settings
from tests.entra.connection_rig import BOX, NOW, delegated, outbound
from tests.sandbox.entra.conftest import (  # noqa: F401
    EntraSandbox,
    entra_sandbox,
    entra_world,
    sandbox_certificate_authority,
)

SEED_NAMES = {
    CloudName.GLOBAL: "Microsoft Entra ID (global service)",
    CloudName.US_GOV_L4: "Microsoft Graph for US Government L4",
    CloudName.US_GOV_L5_DOD: "Microsoft Graph for US Government L5 (DOD)",
    CloudName.CHINA: "Microsoft Entra China operated by 21Vianet",
}


@pytest.mark.parametrize("name", list(CloudName))
def test_each_cloud_is_labelled_with_the_guides_name_and_stored_under_its_stable_value(name: CloudName) -> None:
    assert cloud_label(name) == cloud_label(name.value) == SEED_NAMES[name]
    assert CLOUDS[name].name.value == name.value


def test_an_unknown_stored_cloud_is_shown_as_stored() -> None:
    assert cloud_label("mars") == "mars"


def test_each_clouds_app_is_read_from_its_own_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CloudName:
        prefix = CLOUDS[name].service_provider_setting
        monkeypatch.setenv(f"{prefix}CLIENT_ID", f"{name.value}-app")
        monkeypatch.setenv(f"{prefix}CLIENT_SECRET", f"{name.value}-secret")
    runtime = runtime_from_settings(Settings(base_url="https://hub.example.com"))

    for name in CloudName:
        app = runtime.service_provider_for(name.value)
        assert (app.client_id, app.client_secret) == (f"{name.value}-app", f"{name.value}-secret")
        assert app.redirect_uri == f"https://hub.example.com{LINK_CALLBACK_PATH}"
    assert runtime.service_provider is not None and runtime.service_provider.client_id == "global-app"


def test_the_global_settings_keep_their_names_and_other_clouds_have_no_app_until_configured() -> None:
    runtime = runtime_from_settings(Settings(entra_sp_client_id="hub-app", entra_sp_client_secret="s"))

    assert runtime.service_provider_for("global").client_id == "hub-app"
    with pytest.raises(MissingServiceProviderApp) as missing:
        runtime.service_provider_for("china")
    assert "HIREHUB_ENTRA_SP_CHINA_CLIENT_ID" in str(missing.value)
    assert "Microsoft Entra China operated by 21Vianet" in str(missing.value)


async def test_link_account_in_a_national_cloud_sends_the_administrator_to_that_clouds_sign_in_with_its_app(
    database: Database,
    entra_sandbox: EntraSandbox,  # noqa: F811
) -> None:
    rig, sp = await delegated(database, entra_sandbox, cloud=CloudName.US_GOV_L4, linked=False)
    async with database.tenant_transaction(rig.tenant_id) as session:
        connection = await session.get_one(EntraConnection, rig.connection_id)
        app = rig.runtime.service_provider_for(connection.cloud)
        url = await start_link(session, connection, sp=app, outbound=outbound(entra_sandbox), box=BOX, now=NOW)

    assert app == sp
    assert urlsplit(url).netloc == "login.microsoftonline.us"
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == [sp.client_id]
    assert "https://graph.microsoft.us/User.ReadWrite.All" in query["scope"][0].split()
    with pytest.raises(MissingServiceProviderApp):
        rig.runtime.service_provider_for("global")  # this hub has an app in US Government L4 only
