"""Which directory each tenant provisions into: an explicit registry the composition root builds.

The composition root adds one factory per kind of directory (the Entra ID connections; the in-memory directory
in tests); the provisioning jobs and the dry run ask it for a tenant's connector. Being an object handed to
its users rather than a process-wide list, two hubs in one process (two tests, a test and a benchmark) never
see each other's directories. A tenant without a connection has nothing to provision into.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable

from hirehub.lifecycle.connector import Connector

ConnectorFactory = Callable[[uuid.UUID], Awaitable[Connector | None]]
"""``await factory(tenant_id)`` → the tenant's connector, or None when the factory has no directory for it."""


class Connectors:
    """The directory factories of one hub, asked in the order they were added."""

    def __init__(self, factories: Iterable[ConnectorFactory] = ()) -> None:
        self._factories: list[ConnectorFactory] = list(factories)

    def add(self, factory: ConnectorFactory) -> None:
        self._factories.append(factory)

    async def for_tenant(self, tenant_id: uuid.UUID) -> Connector | None:
        """The first factory's connector for the tenant, or None when the tenant has no directory."""
        for factory in self._factories:
            connector = await factory(tenant_id)
            if connector is not None:
                return connector
        return None
