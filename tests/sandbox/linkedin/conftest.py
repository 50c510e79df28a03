"""A LinkedIn world, its app, and a client that calls the *real* LinkedIn URLs through the outbound host map."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from hirehub.outbound import HostMap, async_client
from hirehub.sandbox.entra.world import SandboxClock
from hirehub.sandbox.linkedin import LinkedInWorld, create_app
from hirehub.sandbox.linkedin.world import DeveloperApplication

TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
API = "https://api.linkedin.com/v2"
ORG = "urn:li:organization:4gX03uw"


def linkedin_routes(base: str) -> HostMap:
    return HostMap({"https://api.linkedin.com": base, "https://www.linkedin.com": base})


@pytest.fixture
def world() -> LinkedInWorld:
    return LinkedInWorld(clock=SandboxClock(speed=0.0))


@pytest.fixture
def partner(world: LinkedInWorld) -> DeveloperApplication:
    return world.register_partner("hirehub", client_id="partner-client", client_secret="partner-secret")


@pytest.fixture
async def client(world: LinkedInWorld) -> AsyncIterator[httpx.AsyncClient]:
    inner = httpx.ASGITransport(app=create_app(world))
    async with async_client(linkedin_routes("http://linkedin.sandbox"), inner=inner) as http:
        yield http


async def bearer(client: httpx.AsyncClient, app: DeveloperApplication, secret: str | None = None) -> dict[str, str]:
    """Authorization header for ``app`` from the token endpoint, as the product gets it."""
    response = await client.post(
        TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": secret or app.current_secret,
        },
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def customer(world: LinkedInWorld, partner: DeveloperApplication) -> DeveloperApplication:
    return world.provision(partner, unique_foreign_id="tenant-1", name="hirehub - Contoso", description="Contoso")


@dataclass
class Receiver:
    """The ATS side of push notifications: records what arrives and answers ``status``."""

    status: int = 200
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/linkedin/notifications/{tenant}")
        async def receive(tenant: str, request: Request) -> Response:
            self.received.append((dict(request.headers), await request.body()))
            return Response(status_code=self.status)

        return app


def entities_body(entities: dict[str, Any]) -> dict[str, Any]:
    return {"entities": entities}
