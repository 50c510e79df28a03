"""Console sign-in through an OpenID Connect provider (the Entra sandbox), in Chromium, and the ID token checks.

The provider only proves who someone is; whether they get in is the hub's decision: only an existing console
administrator does, into their own tenant. No account is ever created by signing in.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.async_api import Page, expect
from sqlalchemy import func, select

from hirehub.accounts.models import ConsoleAdmin
from hirehub.api.app import create_app
from hirehub.db.session import Database
from hirehub.outbound_policy import MAX_RESPONSE_BYTES
from hirehub.sandbox.entra.world import EntraWorld
from hirehub.settings import Settings
from hirehub.web.oidc import OidcError, discover, verify_id_token
from tests.web.entra_support import DOMAIN, EntraHub, route_microsoft_to_sandbox
from tests.web.support import make_admin, screenshot

PASSWORD = "Entra-Passw0rd!"


@pytest.fixture
async def microsoft(page: Page, entra_hub: EntraHub) -> AsyncIterator[None]:
    forwarding = await route_microsoft_to_sandbox(page.context, entra_hub.sandbox)
    yield
    await forwarding.aclose()


async def sign_in_at_microsoft(page: Page, email: str) -> None:
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("button", name="Accept").click()


@pytest.mark.browser
@pytest.mark.usefixtures("microsoft")
async def test_an_administrator_signs_in_with_the_provider_into_their_tenant(
    page: Page, entra_hub: EntraHub, database: Database
) -> None:
    admin = await make_admin(database, DOMAIN, "Contoso")
    entra_hub.sandbox.world.add_person(entra_hub.directory, admin.email, PASSWORD)
    await page.goto(f"{entra_hub.url}/console/workers/")
    await screenshot(page, "oidc-sign-in-offered")

    await page.get_by_role("link", name="Sign in with Microsoft Entra ID").click()
    await page.wait_for_url("https://login.microsoftonline.com/**")
    await sign_in_at_microsoft(page, admin.email)

    await page.wait_for_url(f"{entra_hub.url}/console/workers/")
    await expect(page.get_by_text("Contoso Admin")).to_be_visible()
    await screenshot(page, "oidc-signed-in")


@pytest.mark.browser
@pytest.mark.usefixtures("microsoft")
async def test_someone_who_is_not_an_administrator_is_refused_and_no_account_is_created(
    page: Page, entra_hub: EntraHub, database: Database
) -> None:
    await make_admin(database, DOMAIN, "Contoso")
    entra_hub.sandbox.world.add_person(entra_hub.directory, f"someone.else@{DOMAIN}", PASSWORD)
    await page.goto(f"{entra_hub.url}/console/sign-in")

    await page.get_by_role("link", name="Sign in with Microsoft Entra ID").click()
    await sign_in_at_microsoft(page, f"someone.else@{DOMAIN}")

    await expect(page.locator("#provider-error")).to_have_text(
        f"someone.else@{DOMAIN} is not a console administrator of any organisation."
    )
    await screenshot(page, "oidc-refused")
    await page.goto(f"{entra_hub.url}/console/")
    assert page.url.startswith(f"{entra_hub.url}/console/sign-in")
    async with database.system_session() as session:
        assert await session.scalar(select(func.count()).select_from(ConsoleAdmin)) == 1


async def test_a_callback_whose_state_was_not_issued_to_this_browser_signs_no_one_in(entra_hub: EntraHub) -> None:
    async with httpx.AsyncClient(base_url=entra_hub.url) as client:
        started = await client.get("/console/sign-in/oidc")
        assert started.status_code == 303
        answer = await client.get("/console/sign-in/oidc/callback", params={"code": "x", "state": "forged"})
    assert answer.status_code == 400
    assert "does not belong to this browser" in answer.text
    assert "hirehub_console" not in answer.cookies


def test_the_sign_in_page_offers_no_provider_when_none_is_configured() -> None:
    with TestClient(create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))) as client:
        page = client.get("/console/sign-in")
    assert "Sign in with" not in page.text


# The ID token checks, against a provider whose discovery and keys are served in memory.
ISSUER = "https://login.example/tenant/v2.0"
CLIENT_ID = "console-client"


@pytest.fixture
def provider() -> tuple[EntraWorld, httpx.AsyncClient, dict[str, Any]]:
    world = EntraWorld()
    keys = {"keys": [world.public_jwk()]}
    metadata = {"issuer": ISSUER, "jwks_uri": "https://login.example/keys",
                "id_token_signing_alg_values_supported": ["RS256"]}  # fmt: skip
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(200, json=keys)))
    return world, http, metadata


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    found = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "s", "iat": now, "exp": now + 300, "nonce": "n-1",
             "preferred_username": "admin@contoso.example"}  # fmt: skip
    found.update(changes)
    return found


async def test_an_id_token_signed_by_the_provider_for_this_client_and_nonce_is_accepted(
    provider: tuple[EntraWorld, httpx.AsyncClient, dict[str, Any]],
) -> None:
    world, http, metadata = provider
    verified = await verify_id_token(http, metadata, world.sign(claims()), client_id=CLIENT_ID, nonce="n-1")
    assert verified["preferred_username"] == "admin@contoso.example"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"nonce": "another sign-in"}, "nonce mismatch"),
        ({"aud": "another-client"}, "Audience doesn't match"),
        ({"iss": "https://evil.example/v2.0"}, "Invalid issuer"),
        ({"exp": int(time.time()) - 3600}, "expired"),
    ],
)
async def test_an_id_token_for_another_sign_in_client_or_issuer_or_expired_is_refused(
    provider: tuple[EntraWorld, httpx.AsyncClient, dict[str, Any]], change: dict[str, Any], reason: str
) -> None:
    world, http, metadata = provider
    with pytest.raises(OidcError, match=reason):
        await verify_id_token(http, metadata, world.sign(claims(**change)), client_id=CLIENT_ID, nonce="n-1")


async def test_an_id_token_signed_with_a_key_the_provider_does_not_publish_is_refused(
    provider: tuple[EntraWorld, httpx.AsyncClient, dict[str, Any]],
) -> None:
    _world, http, metadata = provider
    forger = EntraWorld()
    with pytest.raises(OidcError, match="key the provider does not publish"):
        await verify_id_token(http, metadata, forger.sign(claims()), client_id=CLIENT_ID, nonce="n-1")


# The provider's answers are read within the outbound size cap, and a malformed one is a refusal, not a 500.


def _serving(body: bytes, *, status: int = 200) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(status, content=body)))


async def test_a_discovery_document_larger_than_the_outbound_cap_is_refused_unread() -> None:
    huge = b'{"issuer": "' + b"x" * (MAX_RESPONSE_BYTES + 1) + b'"}'
    with pytest.raises(OidcError, match="larger than"):
        await discover(_serving(huge), ISSUER)


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [(b"not json", 200, "not JSON"), (b"[1, 2]", 200, "not a JSON object"), (b"{}", 503, "HTTP 503")],
)
async def test_a_discovery_document_that_is_not_a_json_object_is_a_clear_refusal(
    body: bytes, status: int, reason: str
) -> None:
    with pytest.raises(OidcError, match=reason):
        await discover(_serving(body, status=status), ISSUER)


async def test_a_key_set_without_a_list_of_keys_is_refused(
    provider: tuple[EntraWorld, httpx.AsyncClient, dict[str, Any]],
) -> None:
    world, _http, metadata = provider
    with pytest.raises(OidcError, match="no list of keys"):
        await verify_id_token(
            _serving(b'{"keys": "none"}'), metadata, world.sign(claims()), client_id=CLIENT_ID, nonce="n-1"
        )
