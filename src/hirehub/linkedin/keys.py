"""An integration's compound key, as LinkedIn names it in every ``atsIntegrations`` call.

The parts keep LinkedIn's RSC onboarding guide's order (``integrationContext``, ``integrationType``, ``tenantType``,
``dataProvider``); LinkedIn may answer them in another order and escaped differently, so matching goes through
:func:`hirehub.restli.freeze_key`, which ignores both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hirehub.restli import KeyId, freeze_key

DATA_PROVIDER = "ATS"


@dataclass(frozen=True)
class IntegrationKey:
    integration_context: str
    integration_type: str
    tenant_type: str
    data_provider: str = DATA_PROVIDER

    def as_restli(self) -> dict[str, str]:
        """The key's parts by their Rest.li names, in the guide's order."""
        return {
            "integrationContext": self.integration_context,
            "integrationType": self.integration_type,
            "tenantType": self.tenant_type,
            "dataProvider": self.data_provider,
        }

    @property
    def key_id(self) -> KeyId:
        return freeze_key(self.as_restli())

    @classmethod
    def from_restli(cls, parts: Mapping[str, str]) -> IntegrationKey:
        """The key named by a decoded Rest.li key or by a finder element (which carries the same fields)."""
        try:
            return cls(
                integration_context=parts["integrationContext"],
                integration_type=parts["integrationType"],
                tenant_type=parts["tenantType"],
                data_provider=parts.get("dataProvider", DATA_PROVIDER),
            )
        except KeyError as exc:
            raise ValueError(f"an integration key lacks {exc.args[0]}") from None
