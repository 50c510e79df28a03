"""What Entra ID remembers between requests of a sign-in: pending authorizations, codes, refresh tokens,
used client assertions and the moment from which each user's tokens are valid.

Kept apart from :mod:`.world` so that the world stays a plain description of directories and apps; the world
owns one :class:`SignInSessions` and exposes the administrator's levers on it (revoking sign-in sessions,
revoking consent). Times are the sandbox clock's, except for client assertions: those are stamped by the
client with *its* clock (the wall clock), so they are judged by the wall clock too.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

AUTHORIZATION_CODE_LIFETIME = timedelta(minutes=10)
PENDING_AUTHORIZATION_LIFETIME = timedelta(hours=1)
REFRESH_TOKEN_INACTIVITY = timedelta(days=90)


@dataclass
class PendingAuthorization:
    """An ``/authorize`` request waiting for the person to sign in and consent (Entra's ``ctx``)."""

    ctx: str
    tenant_segment: str
    client_id: str
    redirect_uri: str
    state: str | None
    nonce: str | None
    code_challenge: str
    scopes: tuple[str, ...]
    resource_host: str | None
    prompt: str | None
    login_hint: str | None
    response_mode: str | None
    created_at: datetime
    tenant_id: str | None = None
    user_object_id: str | None = None


@dataclass
class AuthorizationCode:
    """A code handed to the redirect URI: single use, short-lived, bound to the PKCE challenge."""

    code: str
    tenant_id: str
    client_id: str
    user_object_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    scopes: tuple[str, ...]
    issued_at: datetime
    auth_time: datetime
    redeemed: bool = False


@dataclass
class RefreshGrant:
    """One refresh token. ``auth_time`` is when the person signed in (revocation compares with it);
    ``issued_at`` is when this token was minted (inactivity expiry counts from it)."""

    token: str
    tenant_id: str
    client_id: str
    user_object_id: str
    auth_time: datetime
    issued_at: datetime


@dataclass
class SignInSessions:
    """The identity endpoints' memory."""

    pending: dict[str, PendingAuthorization] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshGrant] = field(default_factory=dict)
    tokens_valid_from: dict[tuple[str, str], datetime] = field(default_factory=dict)

    @staticmethod
    def new_handle(size: int = 48) -> str:
        """An opaque, unguessable value (codes and refresh tokens are opaque blobs in Entra too)."""
        return secrets.token_urlsafe(size)

    def revoke(self, tenant_id: str, user_object_id: str, now: datetime) -> None:
        """Refresh tokens from sign-ins before ``now`` stop working (Graph's ``revokeSignInSessions``)."""
        self.tokens_valid_from[(tenant_id, user_object_id)] = now

    def valid_from(self, tenant_id: str, user_object_id: str) -> datetime | None:
        return self.tokens_valid_from.get((tenant_id, user_object_id))
