"""Building a :class:`ConnectionRuntime` from the hub's settings (commands, API and workers share it)."""

from __future__ import annotations

from hirehub.directories.entra.connections import ConnectionRuntime
from hirehub.directories.entra.linking import ServiceProviderApp
from hirehub.directories.entra.msal_client import OutboundConfig
from hirehub.outbound import HostMap, async_client
from hirehub.sealing import Sealer
from hirehub.settings import Settings

SEALING_PURPOSE = "entra-connection"
LINK_CALLBACK_PATH = "/connections/entra/callback"


def connection_sealer(settings: Settings) -> Sealer:
    return Sealer(settings.secret_key, SEALING_PURPOSE)


def runtime_from_settings(settings: Settings) -> ConnectionRuntime:
    verify = settings.outbound_ca_bundle or True
    host_map = HostMap(settings.outbound_host_map)
    service_provider = (
        ServiceProviderApp(
            settings.entra_sp_client_id,
            settings.entra_sp_client_secret,
            settings.base_url.rstrip("/") + LINK_CALLBACK_PATH,
        )
        if settings.entra_sp_client_id
        else None
    )
    return ConnectionRuntime(
        outbound=OutboundConfig(host_map, verify),
        box=connection_sealer(settings),
        service_provider=service_provider,
        http=async_client(host_map, verify=verify),
    )
