"""The hub the fuzz suite attacks: two tenants on the test's database, reached in process over ASGI.

Tenant A is the target: an ATS integration (the ATS role), HR's automation (System Administrator and the Human
resource manager HR role, so it may also call the admin API), a few candidates, and LinkedIn RSC turned on with a
brought key, so the push endpoint has a token and a secret to sign with. Tenant B is a bystander with candidates
of its own: a request from A must never change B either.

Hypothesis runs the examples of one test synchronously against one hub, so the hub owns its event loop and the
tests call :meth:`FuzzHub.run`. The ASGI transport raises the app's unhandled exceptions instead of answering
500, so :meth:`FuzzHub.send` can fail the example with the traceback a 500 would have hidden.
"""

from __future__ import annotations

import asyncio
import hashlib
import traceback
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from sqlalchemy import select

from hirehub.api.app import create_app
from hirehub.bootstrap import open_database
from hirehub.db.models import load_all
from hirehub.linkedin import runtime as linkedin_runtime
from hirehub.linkedin.apps import EnableOptions, enable
from hirehub.linkedin.runtime import PUSH_PATH, LinkedInRuntime, linkedin_sealer
from hirehub.linkedin.tokens import TokenCache
from hirehub.outbound import HostMap, async_client
from hirehub.sandbox.linkedin import LinkedInWorld
from hirehub.sandbox.linkedin import create_app as create_linkedin
from hirehub.sandbox.linkedin.notifications import Notifier
from hirehub.settings import Settings
from tests.odata.conftest import BASE, CANDIDATES, add_hr_app
from tests.security.conftest import SECRET_KEY, Integration, set_up_integration
from tests.tokens import client_credentials_token

T = TypeVar("T")
PUSH_CLIENT_ID, PUSH_SECRET = "customer-app-of-a", "customer-app-secret-of-a"
LINKEDIN_ORIGINS = ("https://www.linkedin.com", "https://api.linkedin.com")
CHANGING_ON_EVERY_CALL: frozenset[str] = frozenset()
"""Tables a refused request may still write (none so far): every other table is part of the snapshot."""


class ServerError(AssertionError):
    """The hub answered 5xx (or raised, which a server answers 500): the request and what happened."""


@dataclass(frozen=True)
class Sent:
    """A request as the fuzz suite sends it; its repr is what a failure report shows."""

    method: str
    url: str
    content: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()

    def __repr__(self) -> str:
        body = b"" if self.content is None else self.content
        shown = body if len(body) <= 600 else body[:300] + b"..." + body[-100:]
        headers = {k: v for k, v in self.headers if k.lower() != "authorization"}
        return f"{self.method} {self.url[:600]} {headers} ({len(body)} bytes) {shown!r}"


class FuzzHub:
    """The two tenants and a client for each caller of tenant A (see the module docstring)."""

    def __init__(self, database_url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.database = open_database(database_url)
        self.tables = [t for t in load_all().sorted_tables if t.name not in CHANGING_ON_EVERY_CALL]
        self.run(self._start())

    async def _start(self) -> None:
        settings = Settings(database_url=self.database.url, base_url=BASE, secret_key=SECRET_KEY, log_level="ERROR")
        self.app = create_app(settings, self.database)
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=True)
        self.client = httpx.AsyncClient(transport=transport, base_url=BASE)
        self._install_linkedin()
        self.ats = await set_up_integration(self.database, "a.example")
        hr = await add_hr_app(self.database, self.ats.tenant_id)
        self.tenant_id = self.ats.tenant_id
        self.ats_headers = await self._bearer(self.ats)
        self.hr_headers = await self._bearer(hr)
        for first in ("Ann", "Bob", "Chloé"):
            await self._create(self.hr_headers, first)
        bystander = await set_up_integration(self.database, "b.example")
        await self._create(await self._bearer(await add_hr_app(self.database, bystander.tenant_id)), "Dora")
        app = await enable(self.database, self.tenant_id, self.linkedin,
                           EnableOptions(client_id=PUSH_CLIENT_ID, client_secret=PUSH_SECRET))  # fmt: skip
        self.push_path = f"{PUSH_PATH}/{app.push_token}"

    def _install_linkedin(self) -> None:
        """LinkedIn's emulator behind its real URLs, so an admin call that reaches LinkedIn never leaves the
        process."""
        world = LinkedInWorld(notifier=Notifier(self.client))
        emulator = httpx.ASGITransport(app=create_linkedin(world))
        http = async_client(HostMap(dict.fromkeys(LINKEDIN_ORIGINS, "http://linkedin.test")), inner=emulator)
        self.linkedin = LinkedInRuntime(http=http, sealer=linkedin_sealer(SECRET_KEY), base_url=BASE,
                                        tokens=TokenCache())  # fmt: skip
        linkedin_runtime.install(self.linkedin)

    async def _bearer(self, integration: Integration) -> dict[str, str]:
        token = await client_credentials_token(
            self.client, integration.tenant_id, integration.client_id, integration.secret, BASE
        )
        return {"Authorization": f"Bearer {token}"}

    async def _create(self, headers: dict[str, str], first_name: str) -> None:
        body = {"mshr_firstname": first_name, "mshr_lastname": "Lee"}
        response = await self.client.post(CANDIDATES, json=body, headers=headers)
        assert response.status_code == 204, response.text

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def send(self, request: Sent) -> httpx.Response:
        """Send ``request``; a 5xx answer or an exception out of the app fails with the request and traceback."""
        headers = [(name, value.encode("utf-8", "surrogatepass")) for name, value in request.headers]
        try:
            response = self.run(
                self.client.request(request.method, request.url, content=request.content, headers=headers)
            )
        except Exception as exc:
            raise ServerError(f"{request!r} raised:\n{''.join(traceback.format_exception(exc)[-12:])}") from None
        if response.status_code >= 500:
            raise ServerError(f"{request!r} answered {response.status_code}: {response.text[:2000]}")
        return response

    def snapshot(self) -> str:
        """A digest of every row of every table (both tenants and the platform's): equal digests, nothing changed."""
        return self.run(self._snapshot())

    async def _snapshot(self) -> str:
        digest = hashlib.sha256()
        async with self.database.engine.connect() as connection:
            for table in self.tables:
                rows = (await connection.execute(select(table))).all()
                digest.update(table.name.encode())
                digest.update(repr(sorted(repr(tuple(row)) for row in rows)).encode())
        return digest.hexdigest()

    def close(self) -> None:
        linkedin_runtime.install(None)
        self.run(self.linkedin.http.aclose())
        self.run(self.client.aclose())
        self.run(self.database.dispose())
        self.loop.close()


def unchanged_unless_accepted(hub: FuzzHub, request: Sent) -> httpx.Response:
    """Send ``request``: never a 5xx, and when it is refused (4xx) the database is exactly as before."""
    before = hub.snapshot()
    response = hub.send(request)
    if response.status_code >= 400:
        assert hub.snapshot() == before, f"{request!r} was refused ({response.status_code}) but changed rows"
    return response

