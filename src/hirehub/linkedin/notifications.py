"""Push notifications from LinkedIn: verified and acknowledged at once, their work done by a job.

Which secret signs them: the **customer app's** client secret. The callback URL is registered as a configuration
of the customer's integrations, with the customer app's token; LinkedIn signs a webhook with the secret of the app
it is registered for (REFERENCE: "keyed with the app's client secret"), and a per-customer secret means one leaked
secret cannot forge notifications for every customer. The URL's token only routes to the tenant; it proves nothing.

The endpoint's checks, in order, and what each failure does (nothing is stored or queued for any of them):
unknown push token or RSC off → :class:`~hirehub.errors.Forbidden` (403); missing or wrong signature →
:class:`~hirehub.errors.Unauthenticated` (401); a signed body that is not a notification → :class:`NotificationRefused`
(400); expired (``expiresAt`` in the past; 0 means none) or of a type the hub does not act on → 200, ignored; an id
already received → 200, duplicate. Otherwise the id is stored and the job queued in one transaction → 202.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.errors import Forbidden, Invalid, Unauthenticated
from hirehub.jobs.context import JobContext
from hirehub.jobs.queue import enqueue
from hirehub.linkedin import data_queue, one_click_export
from hirehub.linkedin.errors import LinkedInRefused
from hirehub.linkedin.integrations import find
from hirehub.linkedin.keys import IntegrationKey
from hirehub.linkedin.models import CustomerApp, Integration, OnboardingStatus, ReceivedNotification, SyncState
from hirehub.linkedin.runtime import linkedin_runtime
from hirehub.linkedin.signatures import signature_matches
from hirehub.linkedin.sync import customer_client, job_outcome
from hirehub.sealing import Sealer

STATUS_CHANGE = "INTEGRATION_STATUS_CHANGE"
EXPORT_CANDIDATE = "EXPORT_CANDIDATE_PROFILE"
HANDLED_TYPES = frozenset({STATUS_CHANGE, EXPORT_CANDIDATE})
"""An onboarding status changed (read with ``atsIntegrations?q=request``), or a recruiter used One-Click Export
(read with ``exportedCandidates?q=request``, see :mod:`hirehub.linkedin.one_click_export`)."""
PUSH_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What :func:`secrets.token_urlsafe` makes of a push token (see :mod:`hirehub.linkedin.apps`)."""
HANDLE_NOTIFICATION = "linkedin.notification"


class NotificationRefused(Invalid):
    """A correctly signed body that is not a notification: nothing is stored or queued."""


@dataclass(frozen=True)
class Notification:
    id: str
    type: str
    expires_at_ms: int

    def expired(self, now: datetime) -> bool:
        return self.expires_at_ms > 0 and self.expires_at_ms < now.timestamp() * 1000


def parse_notification(body: bytes) -> Notification:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        raise NotificationRefused("the notification is not JSON") from None
    if not isinstance(document, Mapping):
        raise NotificationRefused("a notification is a JSON object")
    notification_id, kind, expires = document.get("id"), document.get("type"), document.get("expiresAt", 0)
    if not isinstance(notification_id, str) or not notification_id or len(notification_id) > 200:
        raise NotificationRefused("a notification carries its id (a string)")
    if not isinstance(kind, str) or not isinstance(expires, int) or isinstance(expires, bool):
        raise NotificationRefused("a notification carries its type (a string) and expiresAt (epoch ms)")
    return Notification(notification_id, kind, expires)


@dataclass(frozen=True)
class Receipt:
    outcome: str
    """``accepted`` (queued), ``duplicate``, ``expired`` or ``ignored``."""
    status: int


async def callback_owner(database: Database, push_token: str) -> tuple[uuid.UUID, str]:
    """The tenant and sealed signing secret behind a callback URL's token, or :class:`~hirehub.errors.Forbidden`:
    the endpoint asks before it reads a body, so an unknown token costs no upload."""
    async with database.system_session() as session:
        shaped = PUSH_TOKEN.fullmatch(push_token) is not None  # a NUL, say, is no token, and no query's parameter
        app = await session.scalar(select(CustomerApp).where(CustomerApp.push_token == push_token)) if shaped else None
        if app is None or not app.enabled:
            raise Forbidden("this is not the callback of a customer with LinkedIn RSC turned on")
        return app.tenant_id, app.client_secret_sealed


async def receive(
    database: Database, *, sealer: Sealer, push_token: str, body: bytes, signature: str | None, now: datetime
) -> Receipt:
    """Verify one delivery and, when it is new and current, remember it and queue its handling."""
    tenant_id, sealed_secret = await callback_owner(database, push_token)
    if not signature_matches(body, signature, sealer.open(sealed_secret)):
        raise Unauthenticated("X-LI-Signature is missing or does not match the body")
    notification = parse_notification(body)
    if notification.expired(now):
        return Receipt("expired", 200)
    if notification.type not in HANDLED_TYPES:
        return Receipt("ignored", 200)
    try:
        async with database.tenant_transaction(tenant_id) as session:
            seen = await session.scalar(
                select(ReceivedNotification.id).where(ReceivedNotification.notification_id == notification.id)
            )
            if seen is not None:
                return Receipt("duplicate", 200)
            session.add(ReceivedNotification(notification_id=notification.id, type=notification.type, received_at=now))
            await session.flush()
            await enqueue(session, HANDLE_NOTIFICATION, {"notification_id": notification.id, "type": notification.type})
    except IntegrityError:  # the same notification delivered twice at once: the other delivery stored it
        return Receipt("duplicate", 200)
    return Receipt("accepted", 202)


def onboarding_status(value: Any) -> str:
    try:
        return OnboardingStatus(str(value)).value
    except ValueError:
        raise LinkedInRefused(f"LinkedIn reported an unknown onboarding status {value!r}") from None


async def apply_statuses(database: Database, tenant_id: uuid.UUID, elements: list[dict[str, Any]]) -> list[str]:
    """Record the onboarding status of each integration LinkedIn reported; returns them as ``context type: status``."""
    changed: list[str] = []
    async with database.tenant_transaction(tenant_id) as session:
        for element in elements:
            key = IntegrationKey.from_restli(element)
            status = onboarding_status(element.get("onboardingStatus"))
            integration = await find(session, key)
            if integration is None:  # enabled in LinkedIn for an integration the hub had not stored: keep it
                integration = Integration(
                    integration_context=key.integration_context, integration_type=key.integration_type,
                    tenant_type=key.tenant_type, data_provider=key.data_provider,
                    integration_name=str(element.get("integrationName") or key.integration_type),
                    sync_state=SyncState.SYNCED.value, configuration_state=SyncState.SYNCED.value,
                )  # fmt: skip
                session.add(integration)
            newly_enabled = status == OnboardingStatus.ENABLED.value and integration.onboarding_status != status
            integration.onboarding_status = status
            integration.status_checked_at = utcnow()
            changed.append(f"{key.integration_context} {key.integration_type}: {status}")
            if newly_enabled:
                await data_queue.start_history_once(session, key.integration_context)
    return changed


async def notification_job(context: JobContext) -> Mapping[str, Any] | None:
    """The handler of :data:`HANDLE_NOTIFICATION` jobs. A status change: ``GET /v2/atsIntegrations?q=request&
    requestId=…`` and record the statuses it returns. A One-Click Export: ``GET /v2/exportedCandidates?q=request&
    requestId=…`` and take each exported member as a candidate to hire. (Jobs queued before exports were handled
    carry no type: they are status changes.)"""
    notification_id = str(context.payload["notification_id"])
    kind = str(context.payload.get("type") or STATUS_CHANGE)
    async with linkedin_runtime() as runtime, job_outcome(context, runtime):
        client = await customer_client(context.database, context.tenant_id, runtime)
        if kind == EXPORT_CANDIDATE:
            elements = await client.exported_candidates(notification_id)
            outcomes = await take_exports(context.database, context.tenant_id, elements)
            return {"notification_id": notification_id, "exports": outcomes}
        elements = await client.integrations_of_request(notification_id)
        changed = await apply_statuses(context.database, context.tenant_id, elements)
    return {"notification_id": notification_id, "integrations": changed}


async def take_exports(
    database: Database, tenant_id: uuid.UUID, elements: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each exported member as a candidate to hire, each in its own transaction: one refused export (another
    customer's, a name too long for the HR columns) is reported and changes nothing, and does not stop the rest."""
    async with database.tenant_session(tenant_id) as session:
        contexts = set(
            await session.scalars(
                select(Integration.integration_context).where(
                    Integration.integration_type == one_click_export.EXPORT_INTEGRATION_TYPE
                )
            )
        )
    reported: list[dict[str, Any]] = []
    for parsed in one_click_export.parse_exports(elements, contexts=contexts):
        if isinstance(parsed, one_click_export.ExportOutcome):
            reported.append({"member": parsed.person_urn, "refused": parsed.refused})
            continue
        try:
            async with database.tenant_transaction(tenant_id) as session:
                outcome = await one_click_export.take_export(session, parsed)
        except Invalid as exc:
            reported.append({"member": parsed.person_urn, "refused": str(exc)})
            continue
        made = {"candidate_id": outcome.candidate_id, "created": outcome.created}
        reported.append({"member": outcome.person_urn, **made})
    return reported
