"""What provisioning keeps: each tenant's lifecycle policy, the plans held for approval in supervised mode, and
the reconciliation runs."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hirehub.db.base import Base, Row, TenantOwned


class ProvisioningPolicy(Row, TenantOwned, Base):
    """The tenant's lifecycle policy as validated JSON (:func:`hirehub.lifecycle.policy.policy_to_json`)."""

    __tablename__ = "provisioning_policy"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(200))


class PlanStatus(StrEnum):
    """Where a held plan stands: ``held`` waits for a person; ``approved`` has its apply job queued;
    ``superseded`` was replaced by a newer plan for the same person."""

    HELD = "held"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class HeldPlan(Row, TenantOwned, Base):
    """A plan computed in supervised mode, waiting for a person to approve or reject it."""

    __tablename__ = "provisioning_held_plan"

    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    personnel_number: Mapped[str] = mapped_column(String(25))
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=PlanStatus.HELD, index=True)
    """held, approved (its apply job is queued), rejected, or superseded (a newer plan replaced it)."""
    decided_by: Mapped[str | None] = mapped_column(String(200), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class RunStatus(StrEnum):
    """Where a reconciliation run stands: ``queued`` waits for its job; ``retrying`` failed and will be tried again."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    RETRYING = "retrying"
    FAILED = "failed"


class ReconciliationRun(Row, TenantOwned, Base):
    """One full comparison of the tenant's HR workers with its directory accounts, and what was done about it.

    ``counts`` holds the number of findings of each kind (orphans, duplicates, mismatched, enabled_leavers,
    missing, errors, fixes, unanchored); ``report`` the findings themselves (each list capped, the counts are
    not); ``fixed`` what the run did: the workers whose sync it queued and the orphans it disabled.
    """

    __tablename__ = "reconciliation_run"

    status: Mapped[str] = mapped_column(String(16), default=RunStatus.QUEUED, index=True)
    """queued (waiting for its job), running, finished, or failed (``error`` says why)."""
    requested_by: Mapped[str] = mapped_column(String(200), default="schedule")
    job_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    fixed: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
