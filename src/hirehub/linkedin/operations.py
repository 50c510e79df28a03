"""LinkedIn RSC as people script it: the JSON answers of ``hirehub linkedin …`` and of ``/admin/v1/linkedin/…``,
from one place so the two cannot drift apart.

Secrets go in and never come out: no answer carries a client secret. Refusals are kinds of
:class:`~hirehub.errors.HubError` (each interface answers them by kind); a refused operation has changed
nothing. Operations that call LinkedIn take the database and the tenant's id rather
than a session, because they must not hold a transaction open while LinkedIn answers.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.session import Database
from hirehub.linkedin import apps, catalog, integrations
from hirehub.linkedin.errors import calling_linkedin
from hirehub.linkedin.models import CustomerApp, Integration, PartnerApp
from hirehub.linkedin.runtime import LinkedInRuntime
from hirehub.linkedin.status import refresh_statuses
from hirehub.tenancy.models import Tenant

Json = dict[str, Any]


def _partner_json(partner: PartnerApp | None) -> Json:
    if partner is None:
        return {"configured": False}
    return {"configured": True, "client_id": partner.client_id, "ats_name": partner.ats_name,
            "contract": partner.contract, "modified": partner.modified_at.isoformat()}  # fmt: skip


async def partner_set(
    database: Database, runtime: LinkedInRuntime, *, client_id: str, client_secret: str,
    ats_name: str | None = None, contract: str | None = None,
) -> Json:  # fmt: skip
    """Set the hub's partner application (an operator's command: hub-level, not any tenant's)."""
    async with database.system_transaction() as session:
        partner = await apps.set_partner(
            session, runtime, client_id=client_id, client_secret=client_secret, ats_name=ats_name, contract=contract
        )
        return _partner_json(partner)


async def partner_show(database: Database) -> Json:
    async with database.system_session() as session:
        return _partner_json(await apps.get_partner(session))


async def _warnings(session: AsyncSession, app: CustomerApp | None) -> list[str]:
    count = int(await session.scalar(select(func.count()).select_from(Integration)) or 0)
    contract = apps.effective_contract(app, await apps.get_partner(session))
    warning = catalog.development_contract_warning(contract, count)
    return [warning] if warning else []


def _app_json(app: CustomerApp, runtime: LinkedInRuntime) -> Json:
    return {
        "enabled": app.enabled,
        "origin": app.origin,
        "client_id": app.client_id,
        "application_urn": app.application_urn,
        "callback_url": runtime.callback_url(app.push_token),
        "integration_types": list(app.integration_types),
        "widget_width": app.widget_width,
        "acl_based_visibility": app.acl_based_visibility,
        "contract": app.contract,
    }


async def show(session: AsyncSession, runtime: LinkedInRuntime) -> Json:
    """The tenant's RSC state: its customer app (never the secret), contract, counts and warnings."""
    app = await apps.get_customer_app(session)
    partner = await apps.get_partner(session)
    rows = await integrations.list_integrations(session)
    states: dict[str, int] = {}
    for row in rows:
        label = row.onboarding_status or f"sync {row.sync_state}"
        states[label] = states.get(label, 0) + 1
    return {
        "linkedin": None if app is None else _app_json(app, runtime),
        "contract": apps.effective_contract(app, partner),
        "integrations": len(rows),
        "by_status": states,
        "warnings": await _warnings(session, app),
    }


async def enable(
    database: Database, tenant_id: uuid.UUID, runtime: LinkedInRuntime, options: apps.EnableOptions
) -> Json:
    app = await apps.enable(database, tenant_id, runtime, options)
    async with database.tenant_session(tenant_id) as session:
        return {**_app_json(app, runtime), "warnings": await _warnings(session, app)}


async def disable(session: AsyncSession, runtime: LinkedInRuntime) -> Json:
    return _app_json(await apps.disable(session), runtime)


def integration_json(row: Integration) -> Json:
    return {
        "integration_context": row.integration_context,
        "integration_type": row.integration_type,
        "tenant_type": row.tenant_type,
        "data_provider": row.data_provider,
        "integration_name": row.integration_name,
        "sync": row.sync_state,
        "configurations": row.configuration_state,
        "onboarding_status": row.onboarding_status,
        "last_error": row.last_error,
    }


async def list_integrations(session: AsyncSession) -> Json:
    app = await apps.get_customer_app(session)
    rows = await integrations.list_integrations(session)
    return {"integrations": [integration_json(row) for row in rows], "warnings": await _warnings(session, app)}


async def queue_sync(session: AsyncSession) -> Json:
    """Have every integration (and its configurations) synced again, by a job queued in this transaction."""
    app = await apps.require_enabled_app(session)
    count = await integrations.mark_all_pending(session)
    if count:
        await integrations.queue_sync(session)
    return {"queued": count > 0, "integrations": count, "warnings": await _warnings(session, app)}


async def record_plugin_integrations(session: AsyncSession, items: Sequence[Mapping[str, object]]) -> Json:
    """What the plugin's ``data-onintegrate`` callback reported: validated whole, stored, and their sync queued."""
    reported = catalog.plugin_integrations(items)
    app = await apps.require_enabled_app(session)
    partner = await apps.get_partner(session)
    tenant = await session.get_one(Tenant, app.tenant_id)
    ats_name = partner.ats_name if partner is not None else "hirehub"
    stored = await integrations.store_from_plugin(session, app, reported, ats_name=ats_name, customer=tenant.name)
    return {"integrations": [integration_json(row) for row in stored], "queued": True,
            "warnings": await _warnings(session, app)}  # fmt: skip


async def refresh_status(database: Database, tenant_id: uuid.UUID, runtime: LinkedInRuntime) -> Json:
    """The manual status retrieval, now: every integration's onboarding status asked of LinkedIn."""
    with calling_linkedin("the status retrieval"):
        report = await refresh_statuses(database, tenant_id, runtime)
    async with database.tenant_session(tenant_id) as session:
        listed = await list_integrations(session)
    return {"calls": report.calls, "updated": report.updated, "unknown_to_linkedin": report.missing, **listed}
