"""Browser protections and the operations endpoints.

Finding 10 of the red-team pass: the console carried no ``Content-Security-Policy``/``frame-ancestors``,
``X-Frame-Options`` or HSTS (it could be framed), and ``/metrics``, ``/openapi.json`` and ``/docs`` needed no
authentication.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.responses import HTMLResponse

from hirehub.api.app import create_app
from hirehub.db.session import Database
from hirehub.settings import Environment, Settings
from tests.security.conftest import SECRET_KEY

TEMPLATES = Path(__file__).parents[2] / "src" / "hirehub" / "web" / "templates"
OPERATIONS = ["/metrics", "/docs", "/openapi.json", "/redoc"]


@asynccontextmanager
async def hub(
    database: Database, *, base_url: str = "http://hub", env: Environment = Environment.DEVELOPMENT, token: str = ""
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=database.url, base_url=base_url, env=env, secret_key=SECRET_KEY, operations_token=token
    )
    app = create_app(settings, database)

    @app.get("/test/own-policy", include_in_schema=False)
    async def own_policy() -> HTMLResponse:  # a page with a policy of its own, as the LinkedIn plugin page has
        return HTMLResponse("<p>plugin</p>", headers={"Content-Security-Policy": "frame-ancestors 'none'; x-own"})

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as client:
        yield client


# --- the console cannot be framed, and runs only the hub's own scripts and styles ---------------------------


async def test_a_console_page_cannot_be_framed_or_sniffed_and_runs_only_the_hubs_own_content(
    database: Database,
) -> None:
    async with hub(database) as client:
        response = await client.get("/console/sign-in")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


async def test_an_api_answer_cannot_be_framed_either(database: Database) -> None:
    async with hub(database) as client:
        response = await client.get("/healthz")
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_a_refusal_carries_the_protections_too(database: Database) -> None:
    async with hub(database) as client:
        response = await client.get("/console/no-such-page")
    assert response.status_code in (303, 404)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


async def test_a_page_with_a_policy_of_its_own_keeps_it(database: Database) -> None:
    async with hub(database) as client:
        response = await client.get("/test/own-policy")
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'; x-own"


def test_console_templates_carry_no_inline_script_style_or_handler_outside_the_plugins_nonce_script() -> None:
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*type=\"IN/)|<style|\sstyle=|\son[a-z]+=")
    offending = {
        template.name: inline.findall(template.read_text())
        for template in TEMPLATES.glob("*.html")
        if inline.search(template.read_text())
    }
    assert offending == {}


# --- HSTS over TLS ------------------------------------------------------------------------------------------


async def test_an_answer_over_plain_http_carries_no_hsts(database: Database) -> None:
    async with hub(database) as client:
        response = await client.get("/healthz")
    assert "Strict-Transport-Security" not in response.headers


async def test_an_answer_over_tls_tells_the_browser_to_keep_to_https(database: Database) -> None:
    async with hub(database, base_url="https://hub") as client:
        response = await client.get("/console/sign-in")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


async def test_a_hub_whose_public_url_is_https_sends_hsts_behind_a_proxy_too(database: Database) -> None:
    settings = Settings(database_url=database.url, base_url="https://hr.example.com", secret_key=SECRET_KEY)
    app = create_app(settings, database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as client:
        response = await client.get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


# --- the operations endpoints -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", OPERATIONS)
async def test_in_production_the_operations_endpoints_answer_404_as_an_unknown_path_does(
    database: Database, path: str
) -> None:
    async with hub(database, env=Environment.PRODUCTION) as client:
        response = await client.get(path)
        unknown = await client.get("/no-such-path")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == unknown.json()


@pytest.mark.parametrize("path", OPERATIONS)
async def test_in_production_with_a_token_the_operations_endpoints_need_it(database: Database, path: str) -> None:
    async with hub(database, env=Environment.PRODUCTION, token="scrape-0123456789abcdef") as client:
        without = await client.get(path)
        wrong = await client.get(path, headers={"Authorization": "Bearer scrape-guess"})
        right = await client.get(path, headers={"Authorization": "bearer scrape-0123456789abcdef"})
    assert without.status_code == 401 and without.headers["WWW-Authenticate"] == "Bearer"
    assert wrong.status_code == 401
    assert right.status_code == 200


async def test_the_token_opens_the_metrics_in_prometheus_format(database: Database) -> None:
    async with hub(database, env=Environment.PRODUCTION, token="scrape-0123456789abcdef") as client:
        response = await client.get("/metrics", headers={"Authorization": "Bearer scrape-0123456789abcdef"})
    assert response.headers["content-type"].startswith("text/plain")
    assert "hirehub_http_requests_total" in response.text


@pytest.mark.parametrize("path", OPERATIONS)
async def test_in_development_the_operations_endpoints_are_open(database: Database, path: str) -> None:
    async with hub(database) as client:
        response = await client.get(path)
    assert response.status_code == 200


async def test_in_production_the_rest_of_the_hub_is_not_affected(database: Database) -> None:
    async with hub(database, env=Environment.PRODUCTION) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
