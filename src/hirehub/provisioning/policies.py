"""The tenant's lifecycle policy: stored as JSON, validated whole on the way in, the starter policy until set."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import utcnow
from hirehub.db.session import TENANT_KEY
from hirehub.lifecycle.policy import LifecyclePolicy, policy_from_json, policy_to_json, starter_policy
from hirehub.provisioning.models import ProvisioningPolicy
from hirehub.provisioning.scheduling import ensure_scheduled
from hirehub.tenancy.models import Tenant


async def tenant_of(session: AsyncSession) -> Tenant:
    tenant_id = session.info[TENANT_KEY]
    tenant = await session.get(Tenant, tenant_id)
    assert tenant is not None
    return tenant


async def current_policy(session: AsyncSession) -> LifecyclePolicy:
    """The policy set for the session's tenant, or the starter policy for its domain."""
    stored = await session.scalar(select(ProvisioningPolicy))
    if stored is None:
        return starter_policy((await tenant_of(session)).domain)
    return policy_from_json(stored.document)


async def set_policy(
    session: AsyncSession, document: dict[str, Any], *, by: str, now: datetime | None = None
) -> LifecyclePolicy:
    """Validate ``document`` (every problem at once: :class:`~hirehub.lifecycle.policy.PolicyError`), store it,
    and make sure the reconciliation it asks for is scheduled."""
    policy = policy_from_json(document)
    stored = await session.scalar(select(ProvisioningPolicy))
    normalised = policy_to_json(policy)
    if stored is None:
        session.add(ProvisioningPolicy(document=normalised, updated_by=by))
    else:
        stored.document, stored.updated_by = normalised, by
    await session.flush()
    # Saving a policy is when a tenant's provisioning is set up: from then on a reconciliation is scheduled.
    await ensure_scheduled(session, policy, now or utcnow())
    return policy
