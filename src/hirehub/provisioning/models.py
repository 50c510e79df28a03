"""What provisioning keeps: each tenant's lifecycle policy, and the plans held for approval in supervised mode."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hirehub.db.base import Base, Row, TenantOwned


class ProvisioningPolicy(Row, TenantOwned, Base):
    """The tenant's lifecycle policy as validated JSON (:func:`hirehub.lifecycle.policy.policy_to_json`)."""

    __tablename__ = "provisioning_policy"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(200))


class HeldPlan(Row, TenantOwned, Base):
    """A plan computed in supervised mode, waiting for a person to approve or reject it."""

    __tablename__ = "provisioning_held_plan"

    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    personnel_number: Mapped[str] = mapped_column(String(25))
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="held", index=True)
    """held, approved (its apply job is queued), rejected, or superseded (a newer plan replaced it)."""
    decided_by: Mapped[str | None] = mapped_column(String(200), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
