"""The sync jobs: integrations (``batch_partial_update`` of their names), then their configurations.

Each job reads what is pending, closes its session, makes its calls (≤ 100 entities each, paced hub-wide) and
writes every call's outcome in its own short transaction, so what LinkedIn accepted stays accepted even when a
later call fails. Entities LinkedIn failed for a transient reason stay pending and the job asks to be retried: the
retry sends only those (the accepted ones are no longer pending). Entities it refused for good are marked refused
with LinkedIn's reason, for an operator to see in ``hirehub linkedin integrations list``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.errors import HubError
from hirehub.jobs.backoff import backoff_delay
from hirehub.jobs.context import JobContext
from hirehub.jobs.errors import PermanentFailure, RetryLater
from hirehub.linkedin.apps import require_enabled_app
from hirehub.linkedin.batches import BatchOutcome, chunks, classify
from hirehub.linkedin.client import LinkedInClient
from hirehub.linkedin.configurations import configuration_values
from hirehub.linkedin.errors import LinkedInRefused, LinkedInUnavailable
from hirehub.linkedin.integrations import (
    key_of,
    queue_configuration_sync,
)
from hirehub.linkedin.keys import IntegrationKey
from hirehub.linkedin.models import Integration, SyncState
from hirehub.linkedin.runtime import LinkedInRuntime, linkedin_runtime
from hirehub.restli import KeyId


@dataclass(frozen=True)
class CustomerCredentials:
    client_id: str
    client_secret: str
    push_token: str
    acl_based_visibility: bool


async def customer_credentials(
    database: Database, tenant_id: uuid.UUID, runtime: LinkedInRuntime
) -> CustomerCredentials:
    async with database.tenant_session(tenant_id) as session:
        app = await require_enabled_app(session)
        return CustomerCredentials(
            app.client_id, runtime.sealer.open(app.client_secret_sealed), app.push_token, app.acl_based_visibility
        )


async def customer_client(database: Database, tenant_id: uuid.UUID, runtime: LinkedInRuntime) -> LinkedInClient:
    credentials = await customer_credentials(database, tenant_id, runtime)
    return await runtime.client(database, credentials.client_id, credentials.client_secret)


@dataclass
class SyncReport:
    """Counts of one run, returned as the job's result."""

    calls: int = 0
    accepted: int = 0
    refused: int = 0
    retry: int = 0
    retry_after: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {"calls": self.calls, "accepted": self.accepted, "refused": self.refused, "to_retry": self.retry}


async def sync_integrations(database: Database, tenant_id: uuid.UUID, runtime: LinkedInRuntime) -> SyncReport:
    """Send every pending integration's name to LinkedIn, 100 a call; record each entity's outcome."""
    client = await customer_client(database, tenant_id, runtime)
    async with database.tenant_session(tenant_id) as session:
        pending = [
            (integration.id, key_of(integration), integration.integration_name)
            for integration in await session.scalars(
                select(Integration)
                .where(Integration.sync_state == SyncState.PENDING.value)
                .order_by(Integration.created_at, Integration.id)
            )
        ]
    report = SyncReport()
    for batch in chunks(pending):
        try:
            answer = await client.update_integrations([(key, name) for _, key, name in batch])
        except LinkedInUnavailable as exc:
            report.retry += len(batch)
            report.retry_after = exc.retry_after
            break  # LinkedIn is struggling: the rest wait for the retry rather than add to its load
        report.calls += 1
        outcome = classify([key.key_id for _, key, _ in batch], answer.results, answer.errors)
        ids = {key.key_id: row_id for row_id, key, _ in batch}
        await _record(database, tenant_id, ids, outcome, configured=False)
        report.accepted += len(outcome.accepted)
        report.refused += len(outcome.refused)
        report.retry += len(outcome.retry)
    return report


async def sync_configurations(database: Database, tenant_id: uuid.UUID, runtime: LinkedInRuntime) -> SyncReport:
    """``batch_update`` of each synced integration's configuration values (one call per integration)."""
    credentials = await customer_credentials(database, tenant_id, runtime)
    client = await runtime.client(database, credentials.client_id, credentials.client_secret)
    values = configuration_values(
        runtime.callback_url(credentials.push_token), acl_based_visibility=credentials.acl_based_visibility
    )
    async with database.tenant_session(tenant_id) as session:
        pending = [
            (integration.id, key_of(integration))
            for integration in await session.scalars(
                select(Integration)
                .where(
                    Integration.sync_state == SyncState.SYNCED.value,
                    Integration.configuration_state == SyncState.PENDING.value,
                )
                .order_by(Integration.created_at, Integration.id)
            )
        ]
    report = SyncReport()
    for row_id, key in pending:
        try:
            answer = await client.update_configurations(key, values)
        except LinkedInUnavailable as exc:
            report.retry += 1
            report.retry_after = exc.retry_after
            break
        except LinkedInRefused as exc:
            await _record(database, tenant_id, {key.key_id: row_id},
                          BatchOutcome(refused={key.key_id: str(exc)}), configured=True)  # fmt: skip
            report.calls += 1
            report.refused += 1
            continue
        report.calls += 1
        configuration = classify(list(values), answer.results, answer.errors)
        outcome = _integration_outcome(key, configuration)
        await _record(database, tenant_id, {key.key_id: row_id}, outcome, configured=True)
        report.accepted += len(outcome.accepted)
        report.refused += len(outcome.refused)
        report.retry += len(outcome.retry)
    return report


def _integration_outcome(key: IntegrationKey, configuration: BatchOutcome) -> BatchOutcome:
    """An integration's configuration is done when every value was accepted; one refusal refuses it."""
    if configuration.refused:
        reasons = "; ".join(f"{name}: {why}" for name, why in configuration.refused.items())
        return BatchOutcome(refused={key.key_id: reasons})
    if configuration.retry:
        reasons = "; ".join(f"{name}: {why}" for name, why in configuration.retry.items())
        return BatchOutcome(retry={key.key_id: reasons})
    return BatchOutcome(accepted=[key.key_id])


async def _record(
    database: Database, tenant_id: uuid.UUID, ids: Mapping[KeyId, uuid.UUID], outcome: BatchOutcome, *, configured: bool
) -> None:
    """Write one call's outcome; accepted integrations get their configuration sync queued with it."""
    async with database.tenant_transaction(tenant_id) as session:
        rows = {
            row.id: row
            for row in await session.scalars(select(Integration).where(Integration.id.in_(list(ids.values()))))
        }
        now = utcnow()
        for key_id in outcome.accepted:
            row = rows.get(ids[key_id])
            if row is None:
                continue
            if configured:
                row.configuration_state, row.configured_at = SyncState.SYNCED.value, now
            else:
                row.sync_state, row.synced_at = SyncState.SYNCED.value, now
            row.last_error = None
        for key_id, reason in outcome.refused.items():
            row = rows.get(ids[key_id])
            if row is not None:
                if configured:
                    row.configuration_state = SyncState.REFUSED.value
                else:
                    row.sync_state = SyncState.REFUSED.value
                row.last_error = f"LinkedIn refused: {reason}"[:1000]
        for key_id, reason in outcome.retry.items():
            row = rows.get(ids[key_id])
            if row is not None:
                row.last_error = f"to be retried: {reason}"[:1000]
        if outcome.accepted and not configured:
            await queue_configuration_sync(session)


def _finish(report: SyncReport, attempt: int) -> dict[str, Any]:
    """The job's result, or a retry when some entities are still to be sent."""
    if report.retry:
        seconds = report.retry_after if report.retry_after is not None else backoff_delay(attempt)
        raise RetryLater(max(seconds, 1.0), f"{report.retry} entities to retry ({report.as_json()})")
    return report.as_json()


@asynccontextmanager
async def job_outcome(context: JobContext, runtime: LinkedInRuntime) -> AsyncIterator[None]:
    """What a LinkedIn job's refusal means to the queue: LinkedIn struggling is retried (after its
    ``Retry-After`` when it said one), a revoked token is forgotten and the job retried at once with a fresh one,
    and every other refusal fails the job for good — sending the same call again cannot change the answer."""
    try:
        yield
    except LinkedInUnavailable as exc:
        raise RetryLater(max(exc.retry_after or backoff_delay(context.attempt), 1.0), str(exc)) from exc
    except LinkedInRefused as exc:
        if exc.linkedin_status == 401:
            credentials = await customer_credentials(context.database, context.tenant_id, runtime)
            runtime.tokens.forget(credentials.client_id)
            raise RetryLater(1.0, str(exc)) from exc
        raise PermanentFailure(str(exc)) from exc
    except (HubError, ValueError) as exc:
        raise PermanentFailure(str(exc)) from exc


SyncWork = Callable[[Database, uuid.UUID, LinkedInRuntime], Awaitable[SyncReport]]


async def _run(context: JobContext, work: SyncWork) -> dict[str, Any]:
    async with linkedin_runtime() as runtime, job_outcome(context, runtime):
        report = await work(context.database, context.tenant_id, runtime)
    return _finish(report, context.attempt)


async def integrations_job(context: JobContext) -> Mapping[str, Any] | None:
    """The handler of :data:`~hirehub.linkedin.integrations.SYNC_INTEGRATIONS` jobs."""
    return await _run(context, sync_integrations)


async def configurations_job(context: JobContext) -> Mapping[str, Any] | None:
    """The handler of :data:`~hirehub.linkedin.integrations.SYNC_CONFIGURATIONS` jobs."""
    return await _run(context, sync_configurations)
