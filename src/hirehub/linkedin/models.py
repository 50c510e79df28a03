"""LinkedIn tables: the hub's partner app and pacer (hub-level), each customer's app, integrations, notifications.

Two tables are deliberately *not* tenant-owned, because they describe the hub, not any of its customers:

* :class:`PartnerApp` is the hub's own LinkedIn developer application. LinkedIn knows the hub as one ATS partner;
  the partner's credentials provision every customer's app, so they cannot belong to one tenant. Only the hub's
  operator sets them (``hirehub linkedin partner set``); no tenant administrator can read or change them.
* :class:`PacerSlot` holds the next instant at which the hub may call LinkedIn. The one-second rule binds the
  partner as a whole, so the slot is shared by every worker of the hub, whichever tenant it is working for.

Everything a customer owns (its app, its integrations, the notifications it was sent) is :class:`TenantOwned`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hirehub.db.base import Base, Row, TenantOwned, utcnow

PARTNER_APP_ID = "partner"
"""The primary key of the one partner-app row."""


class Contract(StrEnum):
    """The partner's LinkedIn contract: a development contract tolerates only a handful of integrations."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class AppOrigin(StrEnum):
    """How a tenant's customer app came to the hub."""

    PROVISIONED = "provisioned"
    """Created through LinkedIn's Provisioning API with the partner's token."""
    BROUGHT = "brought"
    """A key the customer already had, given to the hub."""


class SyncState(StrEnum):
    """Where an integration (or its configurations) stands with LinkedIn from the hub's side."""

    PENDING = "pending"
    """Not yet accepted by LinkedIn: a sync job will send it."""
    SYNCED = "synced"
    REFUSED = "refused"
    """LinkedIn refused it for good (a 4xx for this entity); ``last_error`` says why, a new sync retries it."""


class OnboardingStatus(StrEnum):
    """LinkedIn's onboarding statuses of an integration, in the order a customer goes through them."""

    REQUESTED = "REQUESTED"
    PARTNER_READY = "PARTNER_READY"
    ENABLED = "ENABLED"


class PartnerApp(Base):
    """The hub's LinkedIn developer application (hub-level: see the module's docstring)."""

    __tablename__ = "linkedin_partner_app"

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=PARTNER_APP_ID)
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret_sealed: Mapped[str] = mapped_column(Text)
    ats_name: Mapped[str] = mapped_column(String(40), default="hirehub")
    contract: Mapped[str] = mapped_column(String(20), default=Contract.DEVELOPMENT.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PacerSlot(Base):
    """The next instant the hub may call a LinkedIn resource (hub-level: see the module's docstring)."""

    __tablename__ = "linkedin_pacer_slot"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    next_allowed_at: Mapped[datetime] = mapped_column()


class CustomerApp(Row, TenantOwned, Base):
    """A tenant's LinkedIn customer application and its RSC settings: one per tenant.

    ``push_token`` names the tenant in its callback URL (``/linkedin/push/{push_token}``): random, so the URL is
    unique per customer as LinkedIn requires and reveals nothing about the tenant.
    """

    __tablename__ = "linkedin_customer_app"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    application_urn: Mapped[str | None] = mapped_column(String(200), default=None)
    origin: Mapped[str] = mapped_column(String(20))
    """``provisioned`` (created through the Provisioning API) or ``brought`` (the customer's existing key)."""
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret_sealed: Mapped[str] = mapped_column(Text)
    push_token: Mapped[str] = mapped_column(String(64), unique=True)
    integration_types: Mapped[list[str]] = mapped_column(JSON)
    """The plugin's ``data-supported-bundled-integration-types``."""
    widget_width: Mapped[int] = mapped_column(Integer, default=600)
    acl_based_visibility: Mapped[bool] = mapped_column(Boolean, default=False)
    """True when the customer restricts entity visibility with user-based ACLs (no visibility defaults sent)."""
    contract: Mapped[str | None] = mapped_column(String(20), default=None)
    """Overrides the partner's contract for this customer (None: the partner's)."""
    apply_url_template: Mapped[str | None] = mapped_column(String(500), default=None)
    """Where a candidate applies to one of the customer's jobs, ``{id}`` standing for the recruiting request's id
    (``https://careers.contoso.example/jobs/{id}``): the ``companyApplyUrl`` RSC requires of every job posting, which
    the HR model does not hold. Without it, job postings are reported, not sent."""


class Integration(Row, TenantOwned, Base):
    """One integration the customer pre-authorized in the plugin, keyed as LinkedIn keys it."""

    __tablename__ = "linkedin_integration"
    __table_args__ = (
        UniqueConstraint("tenant_id", "integration_context", "integration_type", "tenant_type", "data_provider"),
    )

    integration_context: Mapped[str] = mapped_column(String(200))
    integration_type: Mapped[str] = mapped_column(String(60))
    tenant_type: Mapped[str] = mapped_column(String(60))
    data_provider: Mapped[str] = mapped_column(String(20), default="ATS")
    integration_name: Mapped[str] = mapped_column(String(200))
    sync_state: Mapped[str] = mapped_column(String(20), default=SyncState.PENDING.value)
    configuration_state: Mapped[str] = mapped_column(String(20), default=SyncState.PENDING.value)
    onboarding_status: Mapped[str | None] = mapped_column(String(20), default=None)
    last_error: Mapped[str | None] = mapped_column(String(1000), default=None)
    synced_at: Mapped[datetime | None] = mapped_column(default=None)
    configured_at: Mapped[datetime | None] = mapped_column(default=None)
    status_checked_at: Mapped[datetime | None] = mapped_column(default=None)


class ReceivedNotification(TenantOwned, Base):
    """A push notification accepted from LinkedIn: its id is remembered so a repeat changes nothing."""

    __tablename__ = "linkedin_notification"
    __table_args__ = (UniqueConstraint("tenant_id", "notification_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    notification_id: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(60))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
