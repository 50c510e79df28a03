"""The authorization server's signing keys: created, published ahead of use, rotated, retired.

A new key is published (in the JWKS) ``publish_ahead`` before it starts signing, so every validator that
caches the key set has seen it before the first token signed with it arrives; a key that stopped signing
stays published until the last token it signed has expired. Private keys are sealed at rest.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.session import Database
from hirehub.sealing import Sealer
from hirehub.security.models import SigningKey

SEALING_PURPOSE = "signing-key"
TOKEN_LIFETIME = timedelta(seconds=3599)
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class KeyPolicy:
    publish_ahead: timedelta = timedelta(days=1)
    signing_period: timedelta = timedelta(days=14)
    token_lifetime: timedelta = TOKEN_LIFETIME


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": _b64(numbers.n), "e": _b64(numbers.e)}


def _new_key(sealer: Sealer, *, published_at: datetime, signs_from: datetime, policy: KeyPolicy) -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    kid = base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:20]).decode().rstrip("=")
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    signs_until = signs_from + policy.signing_period
    return SigningKey(
        kid=kid,
        sealed_private_key=sealer.seal(pem),
        public_jwk=public_jwk(private, kid),
        published_at=published_at,
        signs_from=signs_from,
        signs_until=signs_until,
        unpublish_at=signs_until + policy.token_lifetime + CLOCK_SKEW,
    )


async def rotate(session: AsyncSession, sealer: Sealer, *, now: datetime, policy: KeyPolicy = KeyPolicy()) -> list[str]:
    """Bring the key set up to date at ``now``; returns the kids it created. Idempotent; runs as the platform."""
    await session.execute(delete(SigningKey).where(SigningKey.unpublish_at < now))
    keys = list(await session.scalars(select(SigningKey)))
    created: list[SigningKey] = []
    if not any(k.signs_from <= now < k.signs_until for k in keys):
        # Nothing can sign now (a fresh install, or a hub that was off for a long time): no validator can
        # hold a stale key set that lacks the new key, so it signs at once.
        created.append(_new_key(sealer, published_at=now, signs_from=now, policy=policy))
    last_end = max([k.signs_until for k in keys + created])
    if last_end - now <= policy.publish_ahead:
        created.append(_new_key(sealer, published_at=now, signs_from=last_end, policy=policy))
    session.add_all(created)
    await session.flush()
    return [k.kid for k in created]


@dataclass(frozen=True)
class LoadedKey:
    kid: str
    jwk: dict[str, str]
    private: rsa.RSAPrivateKey
    published_at: datetime
    signs_from: datetime
    signs_until: datetime
    unpublish_at: datetime


class KeyRing:
    """The keys as one process holds them: reloaded from the database when stale or asked for an unknown kid."""

    def __init__(self, database: Database, sealer: Sealer, policy: KeyPolicy = KeyPolicy()) -> None:
        self._database = database
        self._sealer = sealer
        self.policy = policy
        self._keys: dict[str, LoadedKey] = {}
        self._loaded_at = float("-inf")
        self._public_cache: dict[str, Any] = {}

    async def refresh(self, now: datetime) -> None:
        async with self._database.system_transaction() as session:
            await rotate(session, self._sealer, now=now, policy=self.policy)
            rows = list(await session.scalars(select(SigningKey)))
        keys = {}
        for row in rows:
            known = self._keys.get(row.kid)
            private = known.private if known else self._load_private(row)
            keys[row.kid] = LoadedKey(
                row.kid, row.public_jwk, private, row.published_at, row.signs_from, row.signs_until, row.unpublish_at
            )
        self._keys = keys
        self._public_cache = {}
        self._loaded_at = time.monotonic()

    def _load_private(self, row: SigningKey) -> rsa.RSAPrivateKey:
        key = serialization.load_pem_private_key(self._sealer.open(row.sealed_private_key).encode(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key

    async def _fresh(self, now: datetime, max_age: float = 60.0) -> None:
        if time.monotonic() - self._loaded_at > max_age:
            await self.refresh(now)

    async def signing_key(self, now: datetime) -> LoadedKey:
        await self._fresh(now)
        current = [k for k in self._keys.values() if k.signs_from <= now < k.signs_until]
        if not current:
            await self.refresh(now)
            current = [k for k in self._keys.values() if k.signs_from <= now < k.signs_until]
        return max(current, key=lambda k: k.signs_from)

    async def published(self, now: datetime) -> list[dict[str, str]]:
        await self._fresh(now)
        return [k.jwk for k in sorted(self._keys.values(), key=lambda k: k.signs_from) if k.published_at <= now]

    def loaded(self, kid: str) -> LoadedKey | None:
        """A key as this process holds it (tools and tests that must sign exactly as the hub does)."""
        return self._keys.get(kid)

    async def public_key(self, kid: str, now: datetime) -> Any | None:
        """The verification key for ``kid``; an unknown kid reloads the set (at most every few seconds)."""
        key = self._keys.get(kid)
        if key is None:
            await self._fresh(now, max_age=5.0)
            key = self._keys.get(kid)
        if key is None or now >= key.unpublish_at:
            return None
        cached = self._public_cache.get(kid)
        if cached is None:
            cached = self._public_cache[kid] = key.private.public_key()
        return cached
