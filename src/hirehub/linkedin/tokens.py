"""Two-legged OAuth 2.0 (client credentials) tokens for the partner app and each customer app, cached.

LinkedIn's token endpoint (``POST https://www.linkedin.com/oauth/v2/accessToken``) answers ``{access_token,
expires_in}``. A token is reused until shortly before it expires, so a sync of thousands of integrations asks for
one token, not thousands; the margin keeps a token from expiring between being taken from the cache and arriving.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from hirehub.db.base import utcnow
from hirehub.linkedin.errors import LinkedInRefused, LinkedInUnavailable

TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
EXPIRY_MARGIN = timedelta(seconds=60)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: datetime


async def fetch_token(http: httpx.AsyncClient, client_id: str, client_secret: str, now: datetime) -> AccessToken:
    """A fresh client-credentials token; refusals and outages are told apart for the job queue."""
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    try:
        response = await http.post(TOKEN_URL, data=form)
    except httpx.HTTPError as exc:
        raise LinkedInUnavailable(f"LinkedIn's token endpoint is unreachable: {type(exc).__name__}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise LinkedInUnavailable(f"LinkedIn's token endpoint answered {response.status_code}")
    if response.status_code != 200:
        raise LinkedInRefused(
            f"LinkedIn refused a token for {client_id}: {_reason(response)}", linkedin_status=response.status_code
        )
    body = response.json()
    return AccessToken(str(body["access_token"]), now + timedelta(seconds=int(body.get("expires_in", 0))))


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return str(response.status_code)
    return str(body.get("error_description") or body.get("error") or body.get("message") or response.status_code)


class TokenCache:
    """Tokens by app, reused until ``EXPIRY_MARGIN`` before they expire (a changed secret is a new entry)."""

    def __init__(self, clock: Clock = utcnow) -> None:
        self._clock = clock
        self._tokens: dict[tuple[str, str], AccessToken] = {}
        self.fetches = 0

    async def token(
        self,
        client_id: str,
        client_secret: str,
        fetch: Callable[[str, str, datetime], Awaitable[AccessToken]],
    ) -> str:
        key = (client_id, hashlib.sha256(client_secret.encode()).hexdigest())
        now = self._clock()
        cached = self._tokens.get(key)
        if cached is not None and cached.expires_at - EXPIRY_MARGIN > now:
            return cached.value
        fresh = await fetch(client_id, client_secret, now)
        self.fetches += 1
        self._tokens[key] = fresh
        return fresh.value

    def forget(self, client_id: str) -> None:
        """Drop an app's tokens (LinkedIn answered 401: the token was revoked or the secret rolled)."""
        for key in [key for key in self._tokens if key[0] == client_id]:
            del self._tokens[key]
