"""The token endpoint's guards (issue 18, findings 7 and 9): client assertions name this hub's configured token
endpoint, live at most ten minutes and are single-use; wrong credentials are throttled without locking the
client out for good. The clock is the one handed to the token service."""

from __future__ import annotations

import base64
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from hirehub.api.app import create_app
from hirehub.bootstrap import open_database
from hirehub.db.session import Database
from hirehub.security.oauth import ASSERTION_TYPE, Throttled, TokenRequest, TokenService
from hirehub.security.oauth_errors import OAuthError
from hirehub.security.routes import security_runtime
from hirehub.settings import Settings
from tests.security.conftest import SECRET_KEY, Integration, set_up_integration

BASE = "https://hub.example"
NOW = datetime.now(UTC).replace(microsecond=0)
"""The token service's clock, fixed for each test (:func:`_fixed_clock`): the fixtures' credentials are made valid
around the real time of the test, which in a long run is long after this module was imported."""
GUESSER = "203.0.113.9"
OWNER = "198.51.100.7"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "NOW", datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def integration(database: Database) -> Integration:
    return await set_up_integration(database)


@pytest.fixture
def tokens(database: Database) -> TokenService:
    return security_runtime(database, BASE, SECRET_KEY).tokens


def _assertion(integration: Integration, *, audience: str | None = None, issued: datetime | None = None,
               lifetime: timedelta = timedelta(minutes=10), jti: str | None = None) -> str:  # fmt: skip
    claims = {
        "aud": audience or f"{BASE}/{integration.tenant_id}/oauth2/v2.0/token",
        "iss": integration.client_id, "sub": integration.client_id, "jti": jti or str(uuid.uuid4()),
        "iat": int((issued or NOW).timestamp()), "exp": int(((issued or NOW) + lifetime).timestamp()),
    }  # fmt: skip
    x5t = base64.urlsafe_b64encode(bytes.fromhex(integration.certificate.thumbprint_sha1)).decode()
    return jwt.encode(claims, integration.certificate.private_key_pem, algorithm="RS256", headers={"x5t": x5t})


def _assertion_form(integration: Integration, assertion: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials", "scope": f"{BASE}/.default", "client_id": integration.client_id,
        "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion,
    }  # fmt: skip


def _secret_form(integration: Integration, secret: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials", "scope": f"{BASE}/.default", "client_id": integration.client_id,
        "client_secret": secret,
    }  # fmt: skip


async def _issue(
    tokens: TokenService, integration: Integration, form: dict[str, str], *, source: str = OWNER,
    now: datetime | None = None,
) -> dict[str, Any]:
    return await tokens.issue(TokenRequest(str(integration.tenant_id), form, None, source), now or NOW)


async def _refusal(
    tokens: TokenService, integration: Integration, form: dict[str, str], *, source: str = OWNER,
    now: datetime | None = None,
) -> OAuthError:
    with pytest.raises(OAuthError) as refused:
        await _issue(tokens, integration, form, source=source, now=now)
    return refused.value


# --- finding 7: client assertions ------------------------------------------------------------------------


@pytest.fixture
async def client_for_host(database: Database, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The hub over HTTP, reached under a Host that is not its configured base URL."""
    app = create_app(Settings(database_url=database_url, base_url=BASE, secret_key=SECRET_KEY), database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://login.microsoftonline.com") as client:
        yield client


async def test_an_assertion_for_the_host_the_request_names_is_refused(
    client_for_host: httpx.AsyncClient, integration: Integration
) -> None:
    # Given an assertion signed for Entra's token endpoint, sent with Entra's Host to the hub
    path = f"/{integration.tenant_id}/oauth2/v2.0/token"
    assertion = _assertion(integration, audience=f"https://login.microsoftonline.com{path}", issued=datetime.now(UTC))
    # When it is presented
    response = await client_for_host.post(path, data=_assertion_form(integration, assertion))
    # Then only the configured token endpoint is an accepted audience
    assert response.status_code == 401
    assert response.json()["error_codes"] == [700212]


async def test_an_assertion_for_the_configured_token_endpoint_by_domain_is_accepted(
    tokens: TokenService, integration: Integration
) -> None:
    assertion = _assertion(integration, audience=f"{BASE}/{integration.domain}/oauth2/v2.0/token")
    assert (await _issue(tokens, integration, _assertion_form(integration, assertion)))["token_type"] == "Bearer"


async def test_an_assertion_that_lives_ten_years_is_refused(tokens: TokenService, integration: Integration) -> None:
    assertion = _assertion(integration, lifetime=timedelta(days=3650))
    refused = await _refusal(tokens, integration, _assertion_form(integration, assertion))
    assert (refused.error, refused.code) == ("invalid_client", 700024)


async def test_an_assertion_of_ten_minutes_as_msal_signs_it_is_accepted(
    tokens: TokenService, integration: Integration
) -> None:
    assertion = _assertion(integration, lifetime=timedelta(minutes=10))
    assert (await _issue(tokens, integration, _assertion_form(integration, assertion)))["token_type"] == "Bearer"


async def test_an_assertion_presented_again_is_refused(tokens: TokenService, integration: Integration) -> None:
    # Given an assertion that was accepted once
    assertion = _assertion(integration)
    await _issue(tokens, integration, _assertion_form(integration, assertion))
    # When it is replayed a minute later, within its lifetime
    refused = await _refusal(
        tokens, integration, _assertion_form(integration, assertion), now=NOW + timedelta(minutes=1)
    )
    # Then it is refused
    assert (refused.error, refused.code) == ("invalid_client", 50027)
    assert "presented before" in refused.message


async def test_an_assertion_replayed_to_another_api_process_is_refused(
    tokens: TokenService, integration: Integration, database_url: str
) -> None:
    # Given an assertion accepted by one process
    assertion = _assertion(integration)
    await _issue(tokens, integration, _assertion_form(integration, assertion))
    # When it is replayed to another process, with its own connections to the same database
    other = open_database(database_url)
    try:
        refused = await _refusal(security_runtime(other, BASE, SECRET_KEY).tokens, integration,
                                 _assertion_form(integration, assertion))  # fmt: skip
    finally:
        await other.dispose()
    # Then it is refused there too
    assert refused.code == 50027


async def test_a_new_assertion_with_a_new_jti_is_accepted_after_one_was_used(
    tokens: TokenService, integration: Integration
) -> None:
    await _issue(tokens, integration, _assertion_form(integration, _assertion(integration)))
    second = _assertion(integration)
    assert (await _issue(tokens, integration, _assertion_form(integration, second)))["token_type"] == "Bearer"


# --- finding 9: throttled guesses ----------------------------------------------------------------------------


async def test_300_wrong_secrets_are_throttled_and_the_right_one_waits_for_the_window(
    tokens: TokenService, integration: Integration
) -> None:
    # Given 300 wrong secrets sent from one address
    refusals = [
        await _refusal(tokens, integration, _secret_form(integration, f"guess-{n}"), source=GUESSER) for n in range(300)
    ]
    # Then the first ten are checked and refused, and the rest are throttled unchecked
    assert {r.code for r in refusals[:10]} == {7000215}
    assert all(isinstance(r, Throttled) and r.status == 429 and r.code == 50053 for r in refusals[10:])
    # And the right secret from that address is refused until the lockout ends
    during = await _refusal(tokens, integration, _secret_form(integration, integration.secret), source=GUESSER)
    assert isinstance(during, Throttled) and during.retry_after == 60
    after = await _issue(tokens, integration, _secret_form(integration, integration.secret), source=GUESSER,
                         now=NOW + timedelta(seconds=61))  # fmt: skip
    assert after["token_type"] == "Bearer"


async def test_a_guesser_does_not_lock_the_client_out_from_its_own_address(
    tokens: TokenService, integration: Integration
) -> None:
    for n in range(30):
        await _refusal(tokens, integration, _secret_form(integration, f"guess-{n}"), source=GUESSER)
    issued = await _issue(tokens, integration, _secret_form(integration, integration.secret), source=OWNER)
    assert issued["token_type"] == "Bearer"


async def test_guesses_spread_over_addresses_lock_the_guessing_addresses_only(
    tokens: TokenService, integration: Integration
) -> None:
    # Given one wrong secret from each of 100 addresses (no single address reaches its own limit)
    for n in range(100):
        await _refusal(tokens, integration, _secret_form(integration, "guess"), source=f"192.0.2.{n}")
    # When a guessing address and the owner's address send the right secret
    guessing = await _refusal(tokens, integration, _secret_form(integration, integration.secret), source="192.0.2.7")
    owner = await _issue(tokens, integration, _secret_form(integration, integration.secret), source=OWNER)
    # Then the guessing address is locked out and the owner is not
    assert isinstance(guessing, Throttled) and guessing.code == 50053
    assert owner["token_type"] == "Bearer"


async def test_one_address_guessing_many_client_ids_is_throttled(
    tokens: TokenService, integration: Integration
) -> None:
    for _ in range(100):
        form = {**_secret_form(integration, "guess"), "client_id": str(uuid.uuid4())}
        await _refusal(tokens, integration, form, source=GUESSER)
    refused = await _refusal(tokens, integration, _secret_form(integration, integration.secret), source=GUESSER)
    assert isinstance(refused, Throttled)
    assert (refused.status, refused.error, refused.code) == (429, "temporarily_unavailable", 90055)


async def test_a_second_lockout_lasts_twice_as_long(tokens: TokenService, integration: Integration) -> None:
    for n in range(10):
        await _refusal(tokens, integration, _secret_form(integration, f"guess-{n}"), source=GUESSER)
    later = NOW + timedelta(seconds=61)
    for n in range(10):
        await _refusal(tokens, integration, _secret_form(integration, f"again-{n}"), source=GUESSER, now=later)
    refused = await _refusal(tokens, integration, _secret_form(integration, integration.secret), source=GUESSER,
                             now=later)  # fmt: skip
    assert isinstance(refused, Throttled) and refused.retry_after == 120


async def test_a_throttled_request_is_answered_429_with_retry_after_and_microsofts_body(
    client_for_host: httpx.AsyncClient, integration: Integration
) -> None:
    path = f"/{integration.tenant_id}/oauth2/v2.0/token"
    for n in range(10):
        await client_for_host.post(path, data=_secret_form(integration, f"guess-{n}"))
    response = await client_for_host.post(path, data=_secret_form(integration, integration.secret))
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= 60
    body = response.json()
    assert body["error"] == "invalid_client"
    assert body["error_description"].startswith("AADSTS50053: ")
