"""Where the hub sends a browser: ``/`` to the console; in development, a redirect to a real identity host goes to
the sandbox ``HIREHUB_BROWSER_HOST_MAP`` names, and in production nothing is rewritten."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from hirehub.api.app import create_app
from hirehub.api.browser_redirects import BrowserRedirects, rerouted
from hirehub.db.session import Database
from hirehub.settings import Environment, Settings

SANDBOX = "http://127.0.0.1:9080"
MAP = {"https://login.microsoftonline.com": SANDBOX}
AUTHORIZE = "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=abc&state=x"


def test_a_mapped_origin_is_replaced_and_the_path_and_query_kept() -> None:
    assert rerouted(AUTHORIZE, MAP) == f"{SANDBOX}/organizations/oauth2/v2.0/authorize?client_id=abc&state=x"


@pytest.mark.parametrize(
    "location",
    ["https://login.microsoftonline.com.evil.example/x", "https://graph.microsoft.com/v1.0/me", "/console/"],
)
def test_other_origins_and_relative_locations_are_left_alone(location: str) -> None:
    assert rerouted(location, MAP) == location


async def test_the_middleware_rewrites_only_the_location_of_redirects() -> None:
    inner = FastAPI()

    @inner.get("/link")
    async def link() -> RedirectResponse:
        return RedirectResponse(AUTHORIZE, status_code=303)

    app = BrowserRedirects(inner, host_map=MAP)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as client:
        response = await client.get("/link")

    assert response.status_code == 303
    assert response.headers["location"].startswith(f"{SANDBOX}/organizations/oauth2/v2.0/authorize?")


async def _client(database: Database, env: Environment) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(database_url=database.url, env=env, browser_host_map=MAP, log_level="WARNING")
    app = create_app(settings, database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as client:
        yield client


async def test_the_root_sends_a_browser_to_the_console(database: Database) -> None:
    async for client in _client(database, Environment.DEVELOPMENT):
        response = await client.get("/")

        assert response.status_code == 307
        assert response.headers["location"] == "/console/"


async def test_a_production_hub_ignores_the_browser_host_map(database: Database) -> None:
    settings = Settings(
        database_url=database.url, env=Environment.PRODUCTION, browser_host_map=MAP, log_level="WARNING"
    )
    app = create_app(settings, database)

    assert not any(middleware.cls is BrowserRedirects for middleware in app.user_middleware)


async def test_a_development_hub_installs_the_browser_host_map(database: Database) -> None:
    app = create_app(
        Settings(database_url=database.url, env=Environment.DEVELOPMENT, browser_host_map=MAP, log_level="WARNING"),
        database,
    )

    assert any(middleware.cls is BrowserRedirects for middleware in app.user_middleware)
