"""What the console says about provisioning wherever it is mentioned: the active Entra connection, why the jobs
wait when they do, and certificates close to expiry (the dashboard, the worker page and the connections page)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from hirehub.db.session import Database
from hirehub.directories.entra import connection_lifecycle as lifecycle
from hirehub.directories.entra.certificate_expiry import CertificateDays, read_certificate_days
from hirehub.directories.entra.models import EntraConnection


@dataclass(frozen=True)
class ProvisioningStatus:
    """``connection`` is the active connection's name (None without one); ``waiting_because`` why jobs wait."""

    has_connections: bool
    connection: str | None = None
    waiting_because: str | None = None
    expiring: list[CertificateDays] = field(default_factory=list)


async def provisioning_status(database: Database, tenant_id: uuid.UUID, now: datetime) -> ProvisioningStatus:
    async with database.tenant_session(tenant_id) as session:
        active = await lifecycle.active_connection(session)
        any_connection = await session.scalar(select(EntraConnection.id).limit(1)) is not None
        expiring = [held for held in await read_certificate_days(session, now) if held.expiring]
    if active is None:
        waiting = "no Entra connection is active: activate one on the Entra ID page" if any_connection else None
        return ProvisioningStatus(any_connection, None, waiting, expiring)
    return ProvisioningStatus(True, active.name, lifecycle.provisioning_blocker(active), expiring)
