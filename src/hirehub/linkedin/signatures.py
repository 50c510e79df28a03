"""Verifying a push notification's ``X-LI-Signature``: hex HMAC-SHA256 of the raw body, keyed with an app secret.

The exact input is the raw request body as received (never re-serialised JSON, which would change spacing and
order). LinkedIn's RSC page shows the bare hex digest; its general webhook page prefixes it with ``hmacsha256=``;
both forms are accepted. The comparison is constant-time (:func:`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "hmacsha256="


def sign(body: bytes, secret: str) -> str:
    """The hex signature LinkedIn sends for ``body`` (what the sandbox and tests produce)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(body: bytes, header: str | None, secret: str) -> bool:
    """Whether ``header`` is the signature of exactly ``body`` under ``secret``."""
    if not header or not secret:
        return False
    sent = header.strip()
    if sent.lower().startswith(PREFIX):
        sent = sent[len(PREFIX) :]
    return hmac.compare_digest(sent.lower().encode(), sign(body, secret).encode())
