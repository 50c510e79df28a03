"""LinkedIn tests: a hub in process, LinkedIn's emulator (``hirehub.sandbox.linkedin``) behind the real URLs, and
the worker run by hand.

The product keeps calling ``https://www.linkedin.com`` and ``https://api.linkedin.com``; the host map sends both to
the emulator's ASGI app, and the emulator delivers its push notifications into the hub's ASGI app. A recording
transport keeps every request the hub sent, so tests can check what went over the wire.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hirehub import accounts
from hirehub.api.app import create_app as create_hub
from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.jobs.models import DurableJob
from hirehub.jobs.runner import JobRunner
from hirehub.linkedin import runtime as linkedin_runtime
from hirehub.linkedin.jobs import JOB_HANDLERS
from hirehub.linkedin.runtime import LinkedInRuntime, linkedin_sealer
from hirehub.linkedin.tokens import TokenCache
from hirehub.outbound import HostMap, async_client
from hirehub.sandbox.linkedin import LinkedInWorld
from hirehub.sandbox.linkedin import create_app as create_linkedin
from hirehub.sandbox.linkedin.notifications import Notifier
from hirehub.sandbox.linkedin.world import DeveloperApplication
from hirehub.settings import Settings
from hirehub.tenancy import service

HUB = "http://hub.test"
SECRET_KEY = "test-secret-key-for-the-hub-0123456789"
PARTNER_ID, PARTNER_SECRET = "hub-partner-app", "partner-app-secret"
PASSWORD = "correct horse battery staple"
LINKEDIN_ORIGINS = ("https://www.linkedin.com", "https://api.linkedin.com")


@dataclass(frozen=True)
class Sent:
    method: str
    url: str
    headers: httpx.Headers
    body: Any


class Recording(httpx.AsyncBaseTransport):
    """Passes requests on and keeps a copy of each."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[Sent] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        try:
            body: Any = json.loads(content) if content else None
        except ValueError:
            body = content.decode()
        self.sent.append(Sent(request.method, str(request.url), request.headers, body))
        return await self.inner.handle_async_request(request)

    def batch_updates(self) -> list[Sent]:
        return [s for s in self.sent if s.method == "POST" and s.url.split("?")[0].endswith("/v2/atsIntegrations")]


@dataclass
class LinkedIn:
    """The emulated LinkedIn, the hub's view of it, and a hub to call."""

    world: LinkedInWorld
    partner: DeveloperApplication
    wire: Recording
    runtime: LinkedInRuntime
    database: Database
    hub: httpx.AsyncClient
    tenants: dict[str, uuid.UUID] = field(default_factory=dict)

    async def tenant(self, domain: str = "contoso.example", name: str = "Contoso") -> uuid.UUID:
        async with self.database.system_transaction() as session:
            tenant = await service.create_tenant(session, name=name, domain=domain)
        self.tenants[domain] = tenant.id
        return tenant.id

    async def admin(self, tenant_id: uuid.UUID, email: str) -> None:
        async with self.database.tenant_transaction(tenant_id) as session:
            await accounts.create_admin(session, email=email, display_name="Admin", password=PASSWORD)

    async def run_jobs(self, *, at: datetime | None = None, rounds: int = 20) -> int:
        """Run due jobs until none is left (at ``at``, to reach retries scheduled for later)."""
        when = at
        runner = JobRunner(self.database, JOB_HANDLERS, "test-runner", clock=(lambda: when or utcnow()))
        total = 0
        for _ in range(rounds):
            ran = await runner.run_once()
            total += ran
            if ran == 0:
                break
        return total

    async def jobs(self, tenant_id: uuid.UUID, kind: str | None = None) -> int:
        async with self.database.tenant_session(tenant_id) as session:
            statement = select(func.count()).select_from(DurableJob)
            if kind is not None:
                statement = statement.where(DurableJob.kind == kind)
            return int(await session.scalar(statement) or 0)


def later(hours: float = 2) -> datetime:
    return utcnow() + timedelta(hours=hours)


@pytest.fixture
async def linkedin(database: Database) -> AsyncIterator[LinkedIn]:
    settings = Settings(database_url=database.url, base_url=HUB, secret_key=SECRET_KEY, log_level="WARNING")
    hub_app = create_hub(settings, database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hub_app), base_url=HUB) as hub:
        world = LinkedInWorld(notifier=Notifier(hub))
        partner = world.register_partner("hirehub", client_id=PARTNER_ID, client_secret=PARTNER_SECRET)
        wire = Recording(httpx.ASGITransport(app=create_linkedin(world)))
        http = async_client(HostMap(dict.fromkeys(LINKEDIN_ORIGINS, "http://linkedin.test")), inner=wire)
        runtime = LinkedInRuntime(http=http, sealer=linkedin_sealer(SECRET_KEY), base_url=HUB, tokens=TokenCache())
        linkedin_runtime.install(runtime)
        try:
            yield LinkedIn(world, partner, wire, runtime, database, hub)
        finally:
            linkedin_runtime.install(None)
            await http.aclose()
