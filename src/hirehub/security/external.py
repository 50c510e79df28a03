"""Signing keys of trusted external issuers (a real Entra ID tenant), fetched from their JWKS URL.

Keys are cached per JWKS URL; a token with an unknown ``kid`` triggers a refetch, at most once a minute
per URL, so a flood of forged kids cannot turn the hub into a client that hammers the issuer.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from jwt.algorithms import RSAAlgorithm

REFETCH_INTERVAL_SECONDS = 60.0


class ExternalKeys:
    def __init__(self, http: httpx.AsyncClient | None = None) -> None:
        self._http = http
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at: dict[str, float] = {}
        self.fetches = 0

    async def key(self, jwks_uri: str, kid: str) -> Any | None:
        keys = self._keys.get(jwks_uri)
        if keys is None or kid not in keys:
            last = self._fetched_at.get(jwks_uri)
            if last is None or time.monotonic() - last >= REFETCH_INTERVAL_SECONDS:
                await self._fetch(jwks_uri)
        return self._keys.get(jwks_uri, {}).get(kid)

    async def _fetch(self, jwks_uri: str) -> None:
        self._fetched_at[jwks_uri] = time.monotonic()
        self.fetches += 1
        http = self._http or httpx.AsyncClient(timeout=10)
        try:
            response = await http.get(jwks_uri)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError):
            return  # keep what we had; the next try is a minute away
        finally:
            if self._http is None:
                await http.aclose()
        keys = {}
        for jwk in document.get("keys", []):
            if jwk.get("kty") == "RSA" and jwk.get("kid"):
                keys[jwk["kid"]] = RSAAlgorithm.from_jwk(json.dumps(jwk))
        self._keys[jwks_uri] = keys
