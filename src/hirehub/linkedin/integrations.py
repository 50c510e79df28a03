"""The integrations a customer pre-authorized in the plugin: storing them and queueing their sync.

The plugin's callback is stored and its sync queued in one transaction, so an integration the customer enabled is
never stored without the job that tells LinkedIn about it (and vice versa). A re-reported integration is simply
synced again: LinkedIn's update is idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.jobs.queue import enqueue
from hirehub.linkedin import catalog
from hirehub.linkedin.keys import IntegrationKey
from hirehub.linkedin.models import CustomerApp, Integration, SyncState

SYNC_INTEGRATIONS = "linkedin.integrations.sync"
SYNC_CONFIGURATIONS = "linkedin.configurations.sync"
ORDERING_KEY = "linkedin.sync"
"""One tenant's syncs run one after another (integrations before their configurations); tenants run side by side,
and the pacer spaces all their calls."""


def key_of(integration: Integration) -> IntegrationKey:
    return IntegrationKey(
        integration.integration_context,
        integration.integration_type,
        integration.tenant_type,
        integration.data_provider,
    )


async def list_integrations(session: AsyncSession) -> list[Integration]:
    statement = select(Integration).order_by(Integration.integration_context, Integration.integration_type)
    return list(await session.scalars(statement))


async def find(session: AsyncSession, key: IntegrationKey) -> Integration | None:
    return await session.scalar(
        select(Integration).where(
            Integration.integration_context == key.integration_context,
            Integration.integration_type == key.integration_type,
            Integration.tenant_type == key.tenant_type,
            Integration.data_provider == key.data_provider,
        )
    )


async def store_from_plugin(
    session: AsyncSession,
    app: CustomerApp,
    reported: Sequence[catalog.PluginIntegration],
    *,
    ats_name: str,
    customer: str,
) -> list[Integration]:
    """Store what the plugin reported (new or again) as pending, and queue their sync in the same transaction."""
    stored: list[Integration] = []
    for item in reported:
        integration = await find(session, item.key)
        if integration is None:
            integration = Integration(
                integration_context=item.integration_context,
                integration_type=item.integration_type,
                tenant_type=item.tenant_type,
                data_provider=item.key.data_provider,
                integration_name=catalog.integration_name(ats_name, customer, item.integration_type),
            )
            session.add(integration)
        integration.sync_state = SyncState.PENDING.value
        integration.configuration_state = SyncState.PENDING.value
        stored.append(integration)
    await session.flush()
    await queue_sync(session)
    return stored


async def mark_all_pending(session: AsyncSession) -> int:
    """Have every integration synced again (an operator's ``integrations sync``); returns how many."""
    every = await list_integrations(session)
    for integration in every:
        integration.sync_state = SyncState.PENDING.value
        integration.configuration_state = SyncState.PENDING.value
    await session.flush()
    return len(every)


async def queue_sync(session: AsyncSession) -> None:
    await enqueue(session, SYNC_INTEGRATIONS, {}, ordering_key=ORDERING_KEY)


async def queue_configuration_sync(session: AsyncSession) -> None:
    await enqueue(session, SYNC_CONFIGURATIONS, {}, ordering_key=ORDERING_KEY)
