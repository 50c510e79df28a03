"""Signed push notifications, as LinkedIn sends them when a customer enables an integration.

The body is LinkedIn's RSC onboarding guide's, exactly: ``{"id": …, "type": "INTEGRATION_STATUS_CHANGE", "expiresAt":
…}`` — the id is the request id the receiver passes to ``GET /v2/atsIntegrations?q=request&requestId=…``; ``expiresAt``
is epoch milliseconds (the guide's sample shows ``0``; Oracle's documented LinkedIn receiver calls it "time when the
LinkedIn notification will expire"), set here to one day after sending, or in the past for an expired one.

``X-LI-Signature`` is the lowercase hex HMAC-SHA256 of the exact raw body bytes, keyed with a client secret.
*Which* secret: the customer (child) application's, its newest one. The CALLBACK_URL is registered per customer
through ``atsIntegrations/{key}/configurations`` with the customer app's token, and LinkedIn's webhook-validation
page says that for parent–child integrations it is the child application whose ``clientSecret`` keys the HMAC
(it even sends ``applicationId`` to say which). The header carries the bare hex digest as in the guide's sample;
receivers should also accept LinkedIn's general-webhook form ``hmacsha256=<hex>`` (REFERENCE), which
:func:`verify_signature` does.

Delivery uses an injectable ``httpx.AsyncClient`` so tests can deliver into an in-process ASGI hub
(``httpx.ASGITransport``) or over real loopback HTTPS (a client with ``verify=<CA bundle>``). A 2xx answer is a
delivery; anything else, or no answer, is a failed one, recorded as such.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

SIGNATURE_HEADER = "X-LI-Signature"
NOTIFICATION_TYPE = "INTEGRATION_STATUS_CHANGE"
EXPORT_NOTIFICATION_TYPE = "EXPORT_CANDIDATE_PROFILE"
"""One-Click Export: a recruiter exported a member from LinkedIn Recruiter; the id is the ``requestId`` of
``GET /v2/exportedCandidates?q=request``."""
NOTIFICATION_LIFETIME = timedelta(days=1)
SIGNATURE_PREFIX = "hmacsha256="


def sign(body: bytes, secret: str) -> str:
    """The ``X-LI-Signature`` value for ``body``: hex HMAC-SHA256 keyed with the client secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secret: str) -> bool:
    """Whether ``header`` (bare hex, or ``hmacsha256=``-prefixed) signs ``body`` with ``secret``."""
    if not header:
        return False
    value = header.strip()
    if value.lower().startswith(SIGNATURE_PREFIX):
        value = value[len(SIGNATURE_PREFIX) :]
    return hmac.compare_digest(value.lower(), sign(body, secret))


def notification_body(notification_id: str, expires_at_ms: int, kind: str = NOTIFICATION_TYPE) -> bytes:
    """The raw body, compact JSON in the guide's field order: the bytes that are signed are the bytes sent."""
    document = {"id": notification_id, "type": kind, "expiresAt": expires_at_ms}
    return json.dumps(document, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Notification:
    id: str
    callback_url: str
    body: bytes
    signature: str
    expires_at_ms: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", SIGNATURE_HEADER: self.signature}


@dataclass(frozen=True)
class Delivery:
    """One attempt to deliver a notification: the receiver's status, or the transport error."""

    notification_id: str
    callback_url: str
    at: datetime
    status_code: int | None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def build_notification(
    request_id: str,
    callback_url: str,
    secret: str,
    *,
    now: datetime,
    expired: bool = False,
    kind: str = NOTIFICATION_TYPE,
) -> Notification:
    """A signed notification of type ``kind``; ``expired`` puts ``expiresAt`` an hour before ``now``."""
    expires = now - timedelta(hours=1) if expired else now + NOTIFICATION_LIFETIME
    expires_at_ms = int(expires.timestamp() * 1000)
    body = notification_body(request_id, expires_at_ms, kind)
    return Notification(request_id, callback_url, body, sign(body, secret), expires_at_ms)


class Notifier:
    """Posts notifications with an injectable client (default: a plain ``httpx.AsyncClient``)."""

    def __init__(self, client: httpx.AsyncClient | None = None, *, timeout: float = 10.0) -> None:
        self._client = client
        self._timeout = timeout

    async def deliver(self, notification: Notification, *, at: datetime) -> Delivery:
        try:
            if self._client is not None:
                response = await self._client.post(
                    notification.callback_url, content=notification.body, headers=notification.headers
                )
            else:
                async with httpx.AsyncClient(timeout=self._timeout) as client:
                    response = await client.post(
                        notification.callback_url, content=notification.body, headers=notification.headers
                    )
        except httpx.HTTPError as exc:
            return Delivery(notification.id, notification.callback_url, at, None, f"{type(exc).__name__}: {exc}")
        return Delivery(notification.id, notification.callback_url, at, response.status_code)
