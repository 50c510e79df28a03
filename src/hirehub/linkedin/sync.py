"""The sync jobs: integrations (``batch_partial_update`` of their names), then their configurations.

Each job reads what is pending, closes its session, makes its calls (≤ 100 entities each, paced hub-wide) and
writes every call's outcome in its own short transaction, so what LinkedIn accepted stays accepted even when a
later call fails. An integration is PARTNER_READY at LinkedIn only once its configurations are sent too, so the
integrations job configures each accepted batch while its next batch waits for a pacing slot (configuration calls
are unpaced, a few at once); the configuration job it queues then sends only what is still pending (a failure, a
retry), instead of every configuration after the last paced call.

Entities LinkedIn failed for a transient reason stay pending and the job asks to be retried: the retry sends only
those (the accepted ones are no longer pending). Entities it refused for good are marked refused with LinkedIn's
reason, for an operator to see in ``hirehub linkedin integrations list``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
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
    """Send every pending integration's name to LinkedIn, 100 a call; record each entity's outcome, and configure
    each call's accepted integrations while the next call waits for its turn."""
    configurer = await _configurer(database, tenant_id, runtime)
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
    configuring: list[asyncio.Task[None]] = []
    try:
        for batch in chunks(pending):
            try:
                answer = await configurer.client.update_integrations([(key, name) for _, key, name in batch])
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
            accepted = set(outcome.accepted)
            items = [(row_id, key) for row_id, key, _ in batch if key.key_id in accepted]
            configuring.append(asyncio.create_task(configurer.configure(items)))
    except BaseException:
        for task in configuring:  # the job's own failure is what the queue must see; what is left stays pending
            task.cancel()
        await asyncio.gather(*configuring, return_exceptions=True)
        raise
    await asyncio.gather(*configuring)
    return report


async def sync_configurations(database: Database, tenant_id: uuid.UUID, runtime: LinkedInRuntime) -> SyncReport:
    """``batch_update`` of each synced integration's configuration values (one call per integration, a few at
    once), recorded 100 integrations a transaction."""
    configurer = await _configurer(database, tenant_id, runtime)
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
    for group in chunks(pending):
        await configurer.configure(group)
        if configurer.unavailable:
            break
    return configurer.report


CONFIGURING_AT_ONCE = 8
"""Configuration calls one customer has in flight at once. They are unpaced and each concerns one integration, so
sending them one after another would keep a customer's integrations short of PARTNER_READY for seconds."""


async def _configurer(database: Database, tenant_id: uuid.UUID, runtime: LinkedInRuntime) -> _Configurer:
    credentials = await customer_credentials(database, tenant_id, runtime)
    client = await runtime.client(database, credentials.client_id, credentials.client_secret)
    values = configuration_values(
        runtime.callback_url(credentials.push_token), acl_based_visibility=credentials.acl_based_visibility
    )
    return _Configurer(database, tenant_id, client, values)


class _Configurer:
    """Sends integrations' configuration values, :data:`CONFIGURING_AT_ONCE` calls at a time, and records a
    group's outcomes in one transaction. Once LinkedIn is unavailable it sends nothing more: what is left stays
    pending for the configuration job's retry."""

    def __init__(self, database: Database, tenant_id: uuid.UUID, client: LinkedInClient, values: dict[str, str]):
        self.database, self.tenant_id, self.client, self.values = database, tenant_id, client, values
        self.report = SyncReport()
        self.unavailable = False
        self._slots = asyncio.Semaphore(CONFIGURING_AT_ONCE)

    async def configure(self, items: Sequence[tuple[uuid.UUID, IntegrationKey]]) -> None:
        outcomes = await asyncio.gather(*(self._one(key) for _, key in items))
        merged = BatchOutcome()
        ids: dict[KeyId, uuid.UUID] = {}
        for (row_id, key), outcome in zip(items, outcomes, strict=True):
            if outcome is not None:
                ids[key.key_id] = row_id
                merged.accepted += outcome.accepted
                merged.refused.update(outcome.refused)
                merged.retry.update(outcome.retry)
        if ids:
            await _record(self.database, self.tenant_id, ids, merged, configured=True)

    async def _one(self, key: IntegrationKey) -> BatchOutcome | None:
        """The integration's outcome, or None when it was not sent."""
        async with self._slots:
            if self.unavailable:
                return None
            try:
                answer = await self.client.update_configurations(key, self.values)
            except LinkedInUnavailable as exc:
                self.unavailable = True
                self.report.retry += 1
                self.report.retry_after = exc.retry_after
                return None
            except LinkedInRefused as exc:
                self.report.calls += 1
                self.report.refused += 1
                return BatchOutcome(refused={key.key_id: str(exc)})
        self.report.calls += 1
        outcome = _integration_outcome(key, classify(list(self.values), answer.results, answer.errors))
        self.report.accepted += len(outcome.accepted)
        self.report.refused += len(outcome.refused)
        self.report.retry += len(outcome.retry)
        return outcome


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
