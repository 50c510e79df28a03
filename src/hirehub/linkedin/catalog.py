"""What the hub accepts from the plugin and sends to LinkedIn: enums, names and the development-contract rule.

Pure functions and constants, no I/O: the operations, the console and the jobs all validate with these, so a bad
value is refused the same way wherever it comes in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from hirehub.linkedin.errors import LinkedInError
from hirehub.linkedin.keys import IntegrationKey

RSC_BUNDLED_TYPES = ("RECRUITER_SYSTEM_CONNECT_COMPANY", "RECRUITER_SYSTEM_CONNECT_CONTRACT")
"""The plugin's bundled types for RSC: required (LinkedIn's RSC onboarding guide's enum table)."""
BUNDLED_TYPES = ("APPLY_CONNECT", "APPLY_WITH_LINKEDIN", *RSC_BUNDLED_TYPES)
"""Every value ``data-supported-bundled-integration-types`` may hold."""

INTEGRATION_TYPES = (
    "APPLY_CONNECT",
    "APPLY_WITH_LINKEDIN",
    "CSA_API",
    "IN_ATS_INDICATOR",
    "ONE_CLICK_EXPORT",
    "PROFILE_PLUGIN",
    "RECOMMENDED_MATCHES",
    "UNIFIED_SEARCH",
)
"""The integration types the plugin's callback reports (``integrationType``)."""

INTEGRATION_CONTEXT = re.compile(r"^urn:li:(organization|contract):[A-Za-z0-9_-]{1,100}$")
TENANT_TYPE = re.compile(r"^[A-Z][A-Z_]{0,59}$")

MIN_WIDTH, MAX_WIDTH = 200, 2000
APP_NAME_LIMIT = 50
DEVELOPMENT_INTEGRATION_LIMIT = 10
"""LinkedIn's RSC onboarding guide's tip: more than 10–15 integrations on a development contract "may cause issues
with our APIs"; the hub warns from the lower bound."""

LABELS = {
    "APPLY_CONNECT": "Apply Connect",
    "APPLY_WITH_LINKEDIN": "Apply with LinkedIn",
    "CSA_API": "Recruiter System Connect",
    "IN_ATS_INDICATOR": "In-ATS Indicator",
    "ONE_CLICK_EXPORT": "Recruiter One-Click Export",
    "PROFILE_PLUGIN": "Profile Plugin",
    "RECOMMENDED_MATCHES": "Recommended Matches",
    "UNIFIED_SEARCH": "Unified Search",
}


def bundled_types(values: Iterable[str]) -> list[str]:
    """The plugin's supported bundled types, validated: known values, the RSC pair always included, no repeats."""
    chosen: list[str] = []
    for raw in values:
        value = raw.strip().upper()
        if not value:
            continue
        if value not in BUNDLED_TYPES:
            raise LinkedInError(f"'{raw}' is not a bundled integration type ({', '.join(BUNDLED_TYPES)})",
                                field="integration_types")  # fmt: skip
        if value not in chosen:
            chosen.append(value)
    missing = [value for value in RSC_BUNDLED_TYPES if value not in chosen]
    if missing:
        raise LinkedInError(f"the plugin must support {' and '.join(missing)} (required for Recruiter System Connect)",
                            field="integration_types")  # fmt: skip
    return chosen


def widget_width(width: int) -> int:
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise LinkedInError(f"the plugin's width must be between {MIN_WIDTH} and {MAX_WIDTH} pixels, not {width}",
                            field="widget_width")  # fmt: skip
    return width


def customer_app_name(ats_name: str, customer: str) -> str:
    """``"{ATS} - {Customer}"``, at most 50 characters and without "LinkedIn" (the Provisioning API's rules).

    The customer's part is shortened, never the ATS's, so every app still says which partner it belongs to.
    """
    ats = _without_linkedin(ats_name) or "ATS"
    room = APP_NAME_LIMIT - len(ats) - len(" - ")
    name = _without_linkedin(customer)[: max(room, 1)].strip() or "Customer"
    return f"{ats} - {name}"[:APP_NAME_LIMIT]


def _without_linkedin(text: str) -> str:
    return " ".join(re.sub(r"linked\s*in", " ", text, flags=re.IGNORECASE).split())


def integration_name(ats_name: str, customer: str, integration_type: str) -> str:
    """The customer-facing ``integrationName`` LinkedIn shows the customer for one integration."""
    label = LABELS.get(integration_type, integration_type.replace("_", " ").title())
    return f"{customer} {label} ({ats_name})"[:200]


@dataclass(frozen=True)
class PluginIntegration:
    """One integration as the plugin's ``data-onintegrate`` callback reports it, validated."""

    integration_context: str
    integration_type: str
    tenant_type: str

    @property
    def key(self) -> IntegrationKey:
        return IntegrationKey(self.integration_context, self.integration_type, self.tenant_type)


def plugin_integrations(items: Sequence[Mapping[str, object]]) -> list[PluginIntegration]:
    """The callback's integrations, every one checked before any is stored (all or nothing)."""
    if not items:
        raise LinkedInError("the plugin reported no integrations")
    if len(items) > 1000:
        raise LinkedInError("the plugin reported more than 1000 integrations at once")
    parsed: list[PluginIntegration] = []
    for position, item in enumerate(items):
        context, kind, tenant_type = (item.get(f) for f in ("integrationContext", "integrationType", "tenantType"))
        where = f"integration {position + 1}"
        if not isinstance(context, str) or not INTEGRATION_CONTEXT.match(context):
            raise LinkedInError(f"{where}: integrationContext must be urn:li:organization:… or urn:li:contract:…")
        if not isinstance(kind, str) or kind not in INTEGRATION_TYPES:
            raise LinkedInError(f"{where}: integrationType must be one of {', '.join(INTEGRATION_TYPES)}")
        if not isinstance(tenant_type, str) or not TENANT_TYPE.match(tenant_type):
            raise LinkedInError(f"{where}: tenantType must be an enum value such as RECRUITER")
        parsed.append(PluginIntegration(context, kind, tenant_type))
    return parsed


def development_contract_warning(contract: str, integration_count: int) -> str | None:
    """The guide's tip, when it applies: too many integrations on a development contract."""
    if contract != "development" or integration_count <= DEVELOPMENT_INTEGRATION_LIMIT:
        return None
    return (
        f"{integration_count} integrations on a development contract: LinkedIn recommends no more than 10-15 during "
        "development, as more may cause issues with its APIs; file a support ticket listing the integrations to "
        "delete, or move to a production contract."
    )
