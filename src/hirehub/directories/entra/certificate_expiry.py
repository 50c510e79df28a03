"""Warnings before a connection's certificate expires: the days left as a Prometheus gauge, and a log line.

A certificate that expires stops every provisioning call at once, and renewing it needs the customer's
administrator to upload the new one: the warning starts :data:`EXPIRY_WARNING_DAYS` ahead so there is time.
The gauge is read from the database whenever ``/metrics`` is scraped (every process sees the same figures);
the log line is written by each tenant's daily reconciliation, so it appears once a day per connection.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.session import Database
from hirehub.directories.entra.connection_lifecycle import EXPIRY_WARNING_DAYS, days_left
from hirehub.directories.entra.models import EntraConnection
from hirehub.logging import get_logger
from hirehub.metrics import ENTRA_CERTIFICATE_DAYS_LEFT

log = get_logger("hirehub.entra")


@dataclass(frozen=True)
class CertificateDays:
    """One certificate of one connection and the days it has left."""

    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    name: str
    which: str
    """``current`` (signing in now) or ``pending`` (made by a rotation, not yet switched to)."""
    thumbprint: str
    expires: datetime
    days_left: float

    @property
    def expiring(self) -> bool:
        return self.which == "current" and self.days_left <= EXPIRY_WARNING_DAYS


def certificate_days(connections: list[EntraConnection], now: datetime) -> list[CertificateDays]:
    """Every certificate the connections hold, current and pending, with its days left at ``now``."""
    found = []
    for connection in connections:
        held = (
            ("current", connection.certificate_thumbprint, connection.certificate_not_after),
            ("pending", connection.pending_certificate_thumbprint, connection.pending_certificate_not_after),
        )
        for which, thumbprint, expires in held:
            if thumbprint is not None and expires is not None:
                found.append(
                    CertificateDays(
                        tenant_id=connection.tenant_id,
                        connection_id=connection.id,
                        name=connection.name,
                        which=which,
                        thumbprint=thumbprint,
                        expires=expires,
                        days_left=days_left(expires, now),
                    )
                )
    return found


async def read_certificate_days(session: AsyncSession, now: datetime) -> list[CertificateDays]:
    """The certificates the session sees: one tenant's in a tenant session, every tenant's in a system session."""
    return certificate_days(list(await session.scalars(select(EntraConnection))), now)


def publish(days: list[CertificateDays]) -> None:
    """Set the gauge to exactly these certificates (a deleted connection's series disappears)."""
    ENTRA_CERTIFICATE_DAYS_LEFT.clear()
    for held in days:
        ENTRA_CERTIFICATE_DAYS_LEFT.labels(
            tenant=str(held.tenant_id), connection=str(held.connection_id), name=held.name, certificate=held.which
        ).set(round(held.days_left, 2))


async def refresh_certificate_gauge(database: Database, now: datetime) -> list[CertificateDays]:
    """Read every tenant's certificates into the gauge (what ``/metrics`` does before answering). A database that
    cannot answer leaves the last figures in place: a scrape of a stale gauge beats a scrape that fails."""
    try:
        async with database.system_session() as session:
            days = await read_certificate_days(session, now)
    except SQLAlchemyError as exc:
        log.warning("entra.certificate_gauge_stale", error=f"{type(exc).__name__}: {exc}"[:500])
        return []
    publish(days)
    return days


def warn_expiring(days: list[CertificateDays]) -> list[CertificateDays]:
    """Log ``entra.certificate_expiring`` for each certificate in use that expires within the warning period."""
    expiring = [held for held in days if held.expiring]
    for held in expiring:
        log.warning(
            "entra.certificate_expiring", tenant_id=str(held.tenant_id), connection_id=str(held.connection_id),
            connection=held.name, thumbprint=held.thumbprint, expires=held.expires.isoformat(),
            days_left=round(held.days_left, 1),
            next_step="hirehub entra connection rotate-certificate, upload the new certificate, then Test connection",
        )  # fmt: skip
    return expiring


async def warn_tenant_expiring(database: Database, tenant_id: uuid.UUID, now: datetime) -> list[CertificateDays]:
    """The daily check of one tenant (called by its reconciliation): log each certificate close to expiry."""
    async with database.tenant_session(tenant_id) as session:
        return warn_expiring(await read_certificate_days(session, now))
