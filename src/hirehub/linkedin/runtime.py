"""What the LinkedIn code needs from its surroundings: an HTTP client, the sealer, the hub's URL, the pacer, tokens.

Commands, the API and the job handlers all get it from :func:`linkedin_runtime`: the one installed (tests and the
sandbox demo install one whose client talks to the emulator), or one built from the settings for the duration of
the use. The token cache is shared across uses in the process, so building a runtime never costs a token, and so
is the TLS context, so building one costs no CPU worth mentioning (see :func:`tls_context`).
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import certifi
import httpx

from hirehub.db.session import Database
from hirehub.linkedin.client import LinkedInClient
from hirehub.linkedin.pacer import Pacer
from hirehub.linkedin.tokens import AccessToken, TokenCache, fetch_token
from hirehub.outbound import HostMap, async_client
from hirehub.sealing import Sealer
from hirehub.settings import Settings, get_settings

SEALING_PURPOSE = "linkedin-credentials"
PUSH_PATH = "/linkedin/push"
TOKENS = TokenCache()


def linkedin_sealer(secret_key: str) -> Sealer:
    return Sealer(secret_key, SEALING_PURPOSE)


@dataclass
class LinkedInRuntime:
    http: httpx.AsyncClient
    sealer: Sealer
    base_url: str
    pacer: Pacer = field(default_factory=Pacer)
    tokens: TokenCache = field(default_factory=lambda: TOKENS)

    def callback_url(self, push_token: str) -> str:
        """The hub's push endpoint for one customer (the integration's ``CALLBACK_URL``)."""
        return f"{self.base_url.rstrip('/')}{PUSH_PATH}/{push_token}"

    async def client(self, database: Database, client_id: str, client_secret: str) -> LinkedInClient:
        """A client authorised as the app ``client_id`` (token from the cache, or fetched)."""

        async def fetch(cid: str, secret: str, now: datetime) -> AccessToken:
            return await fetch_token(self.http, cid, secret, now)

        token = await self.tokens.token(client_id, client_secret, fetch)
        return LinkedInClient(self.http, database, self.pacer, token)


@lru_cache(maxsize=4)
def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """One TLS context per CA bundle for the whole process (contexts are safe to share between clients).

    Building one loads the whole CA bundle, CPU time that blocks the event loop. Every sync job builds a runtime,
    so without this a runner would stall at each job start, and a job of another tenant holding its pacer slot
    would send its call that much later: too close to the next slot's call for LinkedIn, or too late for its own."""
    return ssl.create_default_context(cafile=ca_bundle or certifi.where())


def runtime_from_settings(settings: Settings) -> LinkedInRuntime:
    http = async_client(HostMap(settings.outbound_host_map), verify=tls_context(settings.outbound_ca_bundle))
    return LinkedInRuntime(http=http, sealer=linkedin_sealer(settings.secret_key), base_url=settings.base_url)


_installed: LinkedInRuntime | None = None


def install(runtime: LinkedInRuntime | None) -> None:
    """Make ``runtime`` the one every use gets (None: build from the settings again)."""
    global _installed
    _installed = runtime


@asynccontextmanager
async def linkedin_runtime() -> AsyncIterator[LinkedInRuntime]:
    if _installed is not None:
        yield _installed
        return
    runtime = runtime_from_settings(get_settings())
    try:
        yield runtime
    finally:
        await runtime.http.aclose()
