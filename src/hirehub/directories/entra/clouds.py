"""The national clouds: which hosts a connection talks to is decided by its cloud, and nothing else.

A token from one cloud is not accepted in another, so the authority, the Graph host and the scopes
always travel together. The product always builds these real URLs; tests and demos reroute them with
the outbound host map (:mod:`hirehub.outbound`).

An application is registered in one cloud only, so the hub's own service-provider application exists once per
cloud: :attr:`Cloud.service_provider_setting` names the settings that carry each one. The labels are the names
Hire2Retire's connection guide gives the clouds; the stored values (:class:`CloudName`) never change with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CloudName(StrEnum):
    GLOBAL = "global"
    US_GOV_L4 = "us_gov_l4"
    US_GOV_L5_DOD = "us_gov_l5_dod"
    CHINA = "china"


@dataclass(frozen=True)
class Cloud:
    """One national cloud's endpoints."""

    name: CloudName
    display_name: str
    authority_host: str
    graph_host: str
    exchange_host: str

    @property
    def service_provider_setting(self) -> str:
        """The prefix of the ``HIREHUB_*`` settings holding the hub's service-provider app in this cloud
        (``…_CLIENT_ID``, ``…_CLIENT_SECRET``); the global cloud keeps the unqualified names."""
        infix = "" if self.name is CloudName.GLOBAL else f"{self.name.value.upper()}_"
        return f"HIREHUB_ENTRA_SP_{infix}"

    def authority(self, directory_tenant_id: str) -> str:
        return f"https://{self.authority_host}/{directory_tenant_id}"

    @property
    def graph_base(self) -> str:
        return f"https://{self.graph_host}/v1.0"

    @property
    def graph_scope(self) -> str:
        return f"https://{self.graph_host}/.default"

    @property
    def exchange_scope(self) -> str:
        return f"https://{self.exchange_host}/.default"

    @property
    def exchange_delegated_scope(self) -> str:
        """The delegated permission of Exchange Online's admin API (consented at *Link account*)."""
        return f"https://{self.exchange_host}/Exchange.Manage"

    def exchange_invoke_url(self, directory_tenant_id: str) -> str:
        return f"https://{self.exchange_host}/adminapi/beta/{directory_tenant_id}/InvokeCommand"

    def delegated_scopes(self, names: tuple[str, ...]) -> list[str]:
        """Delegated Graph scopes fully qualified for this cloud (``offline_access`` stays bare)."""
        reserved = {"offline_access", "openid", "profile"}
        return [n if n in reserved else f"https://{self.graph_host}/{n}" for n in names]


CLOUDS: dict[CloudName, Cloud] = {
    CloudName.GLOBAL: Cloud(
        CloudName.GLOBAL,
        "Microsoft Entra ID (global service)",
        "login.microsoftonline.com",
        "graph.microsoft.com",
        "outlook.office365.com",
    ),
    CloudName.US_GOV_L4: Cloud(
        CloudName.US_GOV_L4,
        "Microsoft Graph for US Government L4",
        "login.microsoftonline.us",
        "graph.microsoft.us",
        "outlook.office365.us",
    ),
    CloudName.US_GOV_L5_DOD: Cloud(
        CloudName.US_GOV_L5_DOD,
        "Microsoft Graph for US Government L5 (DOD)",
        "login.microsoftonline.us",
        "dod-graph.microsoft.us",
        "webmail.apps.mil",
    ),
    CloudName.CHINA: Cloud(
        CloudName.CHINA,
        "Microsoft Entra China operated by 21Vianet",
        "login.chinacloudapi.cn",
        "microsoftgraph.chinacloudapi.cn",
        "partner.outlook.cn",
    ),
}


def cloud(name: str | CloudName) -> Cloud:
    """The cloud of that name; a clear error lists the valid names."""
    try:
        return CLOUDS[CloudName(name)]
    except ValueError as exc:
        valid = ", ".join(c.value for c in CloudName)
        raise ValueError(f"unknown cloud '{name}': choose one of {valid}") from exc


def cloud_label(name: str | CloudName) -> str:
    """What the console and the CLI call a stored cloud value; an unknown value is shown as it is stored."""
    try:
        return CLOUDS[CloudName(name)].display_name
    except ValueError:
        return str(name)
