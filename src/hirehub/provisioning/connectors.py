"""Which directory each tenant provisions into.

The Entra ID connection (its own issue) registers a factory here; tests and dry runs register the in-memory
connector. A tenant without a connection has nothing to provision into: its jobs wait (held) rather than fail.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from hirehub.lifecycle.connector import Connector

ConnectorFactory = Callable[[uuid.UUID], Awaitable[Connector | None]]
_factories: list[ConnectorFactory] = []


def register_connector_factory(factory: ConnectorFactory) -> None:
    _factories.append(factory)


def unregister_connector_factory(factory: ConnectorFactory) -> None:
    _factories.remove(factory)


async def connector_for(tenant_id: uuid.UUID) -> Connector | None:
    """The first registered factory's connector for the tenant, or None when the tenant has no directory."""
    for factory in _factories:
        connector = await factory(tenant_id)
        if connector is not None:
            return connector
    return None
