"""The manual status retrieval: a batch get of the tenant's integrations, for those onboarded before push
notifications existed (the last section of LinkedIn's RSC onboarding guide), or whenever an operator wants to be sure.

Like the sync, it reads first, calls (≤ 100 keys a call, paced hub-wide), and writes each call's answer in its own
short transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.linkedin.batches import chunks
from hirehub.linkedin.integrations import key_of
from hirehub.linkedin.keys import IntegrationKey
from hirehub.linkedin.models import Integration
from hirehub.linkedin.notifications import onboarding_status
from hirehub.linkedin.runtime import LinkedInRuntime
from hirehub.linkedin.sync import customer_client


@dataclass
class RefreshReport:
    calls: int = 0
    updated: int = 0
    missing: list[str] = field(default_factory=list)
    """Integrations LinkedIn does not know (or not for this customer): usually not synced yet."""


async def refresh_statuses(database: Database, tenant_id: uuid.UUID, runtime: LinkedInRuntime) -> RefreshReport:
    client = await customer_client(database, tenant_id, runtime)
    async with database.tenant_session(tenant_id) as session:
        known = [
            (row.id, key_of(row))
            for row in await session.scalars(select(Integration).order_by(Integration.created_at, Integration.id))
        ]
    report = RefreshReport()
    for batch in chunks(known):
        answer = await client.get_integrations([key for _, key in batch])
        report.calls += 1
        async with database.tenant_transaction(tenant_id) as session:
            for row_id, key in batch:
                entity = answer.results.get(key.key_id)
                if entity is None or "onboardingStatus" not in entity:
                    report.missing.append(_describe(key))
                    continue
                row = await session.get(Integration, row_id)
                if row is None:
                    continue
                row.onboarding_status = onboarding_status(entity["onboardingStatus"])
                row.status_checked_at = utcnow()
                report.updated += 1
    return report


def _describe(key: IntegrationKey) -> str:
    return f"{key.integration_context} {key.integration_type} {key.tenant_type}"
