"""Building a :class:`ConnectionRuntime` from the hub's settings (commands, API and workers share it)."""

from __future__ import annotations

from hirehub.db.session import Database
from hirehub.directories.entra.budget_store import BudgetStore
from hirehub.directories.entra.clouds import CloudName
from hirehub.directories.entra.connection_runtime import ConnectionRuntime
from hirehub.directories.entra.linking import ServiceProviderApp
from hirehub.directories.entra.msal_client import OutboundConfig
from hirehub.outbound import HostMap, async_client
from hirehub.sealing import Sealer
from hirehub.settings import Settings

SEALING_PURPOSE = "entra-connection"
LINK_CALLBACK_PATH = "/connections/entra/callback"


def connection_sealer(settings: Settings) -> Sealer:
    return Sealer(settings.secret_key, SEALING_PURPOSE)


def service_provider_credentials(settings: Settings) -> dict[CloudName, tuple[str, str]]:
    """``(client ID, secret)`` of the hub's service-provider app in each cloud, as the settings give them
    (``HIREHUB_ENTRA_SP_CLIENT_ID`` for the global cloud, ``HIREHUB_ENTRA_SP_<CLOUD>_CLIENT_ID`` for the others)."""
    return {
        CloudName.GLOBAL: (settings.entra_sp_client_id, settings.entra_sp_client_secret),
        CloudName.US_GOV_L4: (settings.entra_sp_us_gov_l4_client_id, settings.entra_sp_us_gov_l4_client_secret),
        CloudName.US_GOV_L5_DOD: (
            settings.entra_sp_us_gov_l5_dod_client_id,
            settings.entra_sp_us_gov_l5_dod_client_secret,
        ),
        CloudName.CHINA: (settings.entra_sp_china_client_id, settings.entra_sp_china_client_secret),
    }


def runtime_from_settings(settings: Settings, database: Database | None = None) -> ConnectionRuntime:
    """The runtime of a hub; given the hub's ``database``, Graph's write budgets are shared through it with every
    other process of the hub (the API and the job runners)."""
    verify = settings.outbound_ca_bundle or True
    host_map = HostMap(settings.outbound_host_map)
    callback = settings.base_url.rstrip("/") + LINK_CALLBACK_PATH
    apps = {
        name: ServiceProviderApp(client_id, secret, callback)
        for name, (client_id, secret) in service_provider_credentials(settings).items()
        if client_id
    }
    return ConnectionRuntime(
        outbound=OutboundConfig(host_map, verify),
        box=connection_sealer(settings),
        service_provider=apps.pop(CloudName.GLOBAL, None),
        service_providers=apps,
        http=async_client(host_map, verify=verify),
        budgets=BudgetStore(database) if database is not None else None,
    )
