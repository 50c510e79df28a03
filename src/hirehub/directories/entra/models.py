"""Entra ID connections: one per customer directory a tenant provisions into.

A connection is either a *customer-owned application* (the hub holds a certificate's private key and
authenticates as the customer's app) or a *service-provider application* (an administrator delegated
access through *Link account*; the hub holds an MSAL token cache with the refresh token). Secrets are
stored encrypted; the certificate itself is public and offered for download.

A tenant provisions through exactly one *active* connection, chosen explicitly; a partial unique index makes two
active connections of one tenant impossible whatever the interleaving. A certificate is renewed by keeping a
*pending* key pair and certificate beside the current one until *Test connection* proves the new one works.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from hirehub.db.base import Base, Row, TenantOwned


class ConnectionType(StrEnum):
    CUSTOMER_OWNED = "customer_owned"
    SERVICE_PROVIDER = "service_provider"


class ConnectionStatus(StrEnum):
    """``needs_link``: a delegated grant is missing, revoked or lacks a scope; its jobs wait, not fail."""

    PENDING = "pending"
    ACTIVE = "active"
    NEEDS_LINK = "needs_link"
    ERROR = "error"


_ACTIVE_ROWS = text("active")


class EntraConnection(Row, TenantOwned, Base):
    __tablename__ = "entra_connection"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        Index(
            "uq_entra_connection_one_active",
            "tenant_id",
            unique=True,
            postgresql_where=_ACTIVE_ROWS,
            sqlite_where=_ACTIVE_ROWS,
        ),
    )

    name: Mapped[str] = mapped_column(String(100))
    cloud: Mapped[str] = mapped_column(String(20))
    connection_type: Mapped[str] = mapped_column(String(20))
    directory_tenant_id: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str | None] = mapped_column(String(64), default=None)
    exchange_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=ConnectionStatus.PENDING)
    status_detail: Mapped[str | None] = mapped_column(String(1000), default=None)
    certificate_pem: Mapped[str | None] = mapped_column(Text, default=None)
    certificate_thumbprint: Mapped[str | None] = mapped_column(String(64), default=None)
    certificate_not_after: Mapped[datetime | None] = mapped_column(default=None)
    private_key_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    token_cache_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    linked_account: Mapped[str | None] = mapped_column(String(320), default=None)
    granted_scopes: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    last_test: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    last_tested_at: Mapped[datetime | None] = mapped_column(default=None)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    tested_fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)
    """What the last passing *Test connection* vouched for (cloud, tenant, app, features, certificate): a
    connection whose fingerprint differs has changed since and does not provision until tested again."""
    pending_certificate_pem: Mapped[str | None] = mapped_column(Text, default=None)
    pending_certificate_thumbprint: Mapped[str | None] = mapped_column(String(64), default=None)
    pending_certificate_not_after: Mapped[datetime | None] = mapped_column(default=None)
    pending_private_key_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    previous_certificate_thumbprint: Mapped[str | None] = mapped_column(String(64), default=None)


class EntraLinkFlow(Row, TenantOwned, Base):
    """An authorization-code flow in progress (state, PKCE verifier…), until its callback or expiry."""

    __tablename__ = "entra_link_flow"

    state: Mapped[str] = mapped_column(String(128), unique=True)
    connection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entra_connection.id", ondelete="CASCADE"), index=True)
    flow_encrypted: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column()


class GraphWriteBudget(Base):
    """Microsoft Graph's write budget of one application in one directory, shared by every process of the hub
    (the ledger of :mod:`hirehub.directories.entra.budget_ledger`).

    Hub-level, like the LinkedIn pacer's slot, not a tenant's: Graph counts the writes of an application in a
    directory whoever sends them, and two of the hub's tenants may provision into the same directory through the
    same application (the hub's service-provider app, or one app whose credentials both hold); with a row per
    tenant they would together exceed the limit. Only a connection that passed *Test connection* (it signed in
    as that application in that directory) provisions, so nobody spends a budget that is not also theirs. The
    row holds a hash of the cloud, directory and application and counts, no tenant data.
    """

    __tablename__ = "entra_graph_write_budget"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    """Tokens in the ledger at ``stamp``: negative while callers queue or Graph's ``Retry-After`` lasts."""
    stamp: Mapped[datetime] = mapped_column()
    held_until: Mapped[datetime | None] = mapped_column(default=None)
    leases: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Leases granted and not settled: ``{lease id: [tokens, expires (ISO 8601)]}``."""
