"""The tenant and company tables.

A tenant has a GUID id and a unique domain name, exactly as an Entra ID tenant does, so that the OAuth
endpoints can be addressed by either (``/{tenant}/oauth2/v2.0/token``). A company is a legal entity of a
tenant; its code is the ``dataareaid`` that Dynamics 365 HR records carry.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hirehub.db.base import Base, Row, TenantOwned, utcnow


class Tenant(Base):
    """One customer organisation. Not itself tenant-owned: it is the owner."""

    __tablename__ = "tenant"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Company(Row, TenantOwned, Base):
    """A legal entity; ``code`` is its ``dataareaid`` (e.g. ``USMF``), unique within the tenant."""

    __tablename__ = "company"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
