"""Signing keys of trusted external issuers (a real Entra ID tenant), fetched from their JWKS URL.

The JWKS URL is typed by a tenant administrator and fetched because of an unauthenticated request, so it is
fetched only under the outbound policy (:mod:`hirehub.outbound_policy`: https, public addresses, a size cap,
timeouts). Keys are cached per URL; a token with an unknown ``kid`` triggers a refetch, at most once a minute
per URL, so a flood of forged kids cannot turn the hub into a client that hammers the issuer (or a slow one into
a queue of stuck requests). A key set that cannot be had is a reason the caller reports, never a fault.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
from jwt.algorithms import RSAAlgorithm

from hirehub.errors import HubError, Unavailable
from hirehub.outbound_policy import OutboundPolicy, operator_policy

REFETCH_INTERVAL_SECONDS = 60.0


class KeysUnavailable(Unavailable):
    """The issuer's key set could not be had (refused by the policy, unreachable, too large, not a key set)."""


def parse_key_set(body: bytes) -> dict[str, Any]:
    """The RSA keys of a JWKS document by ``kid``; keys of other types, or malformed ones, are skipped as a
    validator skips keys it cannot use. A document that is not a key set is refused."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise KeysUnavailable("its answer is not JSON") from None
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise KeysUnavailable('its answer is not a key set (a JSON object with a "keys" list)')
    keys: dict[str, Any] = {}
    for jwk in entries:
        if not (isinstance(jwk, dict) and jwk.get("kty") == "RSA" and isinstance(jwk.get("kid"), str)):
            continue
        try:
            keys[jwk["kid"]] = RSAAlgorithm.from_jwk(json.dumps(jwk))
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            continue
    return keys


class ExternalKeys:
    """The key sets of trusted issuers, fetched under ``policy`` (the operator's when not given) with ``http``
    (one made by the policy when not given)."""

    def __init__(
        self,
        http: httpx.AsyncClient | None = None,
        *,
        policy: OutboundPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._policy = policy
        self._clock = clock
        self._keys: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, str] = {}
        self._fetched_at: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.fetches = 0

    @property
    def policy(self) -> OutboundPolicy:
        if self._policy is None:
            self._policy = operator_policy()
        return self._policy

    async def key(self, jwks_uri: str, kid: str) -> Any | None:
        """The key ``kid`` from the set at ``jwks_uri``, None when the set has no such key; :class:`KeysUnavailable`
        with the reason when the set could not be had and none was had before."""
        async with self._locks.setdefault(jwks_uri, asyncio.Lock()):  # one fetch at a time per URL
            keys = self._keys.get(jwks_uri)
            if keys is None or kid not in keys:
                last = self._fetched_at.get(jwks_uri)
                if last is None or self._clock() - last >= REFETCH_INTERVAL_SECONDS:
                    await self._fetch(jwks_uri)
        if jwks_uri not in self._keys and jwks_uri in self._failures:
            raise KeysUnavailable(self._failures[jwks_uri])
        return self._keys.get(jwks_uri, {}).get(kid)

    async def _fetch(self, jwks_uri: str) -> None:
        self._fetched_at[jwks_uri] = self._clock()
        self.fetches += 1
        try:
            keys = parse_key_set(await self.policy.fetch(jwks_uri, self._http))
        except HubError as exc:
            self._failures[jwks_uri] = str(exc)
            return  # keep what we had; the next try is a minute away
        self._keys[jwks_uri] = keys
        self._failures.pop(jwks_uri, None)
