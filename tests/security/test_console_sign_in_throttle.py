"""Console sign-in throttles guesses (issue 18, finding 9): 40 wrong passwords no longer go unanswered, the
lockout grows and expires, and the owner signing in from elsewhere is never locked out. The clock is injected."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hirehub import accounts
from hirehub.api.app import create_app
from hirehub.db.session import Database
from hirehub.settings import Settings
from hirehub.tenancy import service as tenancy
from tests.security.conftest import SECRET_KEY

EMAIL = "admin@contoso.example"
PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GUESSER = "203.0.113.9"
OWNER = "198.51.100.7"


@pytest.fixture
async def administrator(database: Database) -> str:
    async with database.system_transaction() as session:
        tenant = await tenancy.create_tenant(session, name="Contoso", domain="contoso.example")
    async with database.tenant_transaction(tenant.id) as session:
        await accounts.create_admin(session, email=EMAIL, display_name="Admin", password=PASSWORD)
    return EMAIL


async def _attempt(
    database: Database, password: str, *, source: str = GUESSER, now: datetime = NOW, email: str = EMAIL
) -> Exception | None:
    try:
        await accounts.guarded_sign_in(database, email=email, password=password, source=source, now=now)
    except (accounts.AccountError, accounts.TooManySignIns) as exc:
        return exc
    return None


async def test_40_wrong_passwords_are_throttled_and_the_right_one_waits_for_the_lockout(
    database: Database, administrator: str
) -> None:
    # Given 40 wrong passwords from one address
    refusals = [await _attempt(database, f"guess number {n}") for n in range(40)]
    # Then five are checked, and the rest are refused unchecked
    assert all(isinstance(r, accounts.AccountError) for r in refusals[:5])
    assert all(isinstance(r, accounts.TooManySignIns) for r in refusals[5:])
    # And the right password from there waits for the lockout's end
    assert isinstance(await _attempt(database, PASSWORD), accounts.TooManySignIns)
    assert await _attempt(database, PASSWORD, now=NOW + timedelta(seconds=61)) is None


async def test_the_owner_signs_in_from_an_address_that_was_not_guessing(database: Database, administrator: str) -> None:
    for n in range(40):
        await _attempt(database, f"guess number {n}")
    assert await _attempt(database, PASSWORD, source=OWNER) is None


async def test_guesses_from_many_addresses_leave_the_owner_signing_in(database: Database, administrator: str) -> None:
    # Given one wrong password from each of 50 addresses
    for n in range(50):
        await _attempt(database, "guess", source=f"192.0.2.{n}")
    # Then the guessing addresses are locked out of the account, and the owner is not
    assert isinstance(await _attempt(database, PASSWORD, source="192.0.2.3"), accounts.TooManySignIns)
    assert await _attempt(database, PASSWORD, source=OWNER) is None


async def test_each_new_lockout_lasts_longer_and_still_ends(database: Database, administrator: str) -> None:
    for n in range(5):
        await _attempt(database, f"guess {n}")
    later = NOW + timedelta(seconds=61)
    for n in range(5):
        await _attempt(database, f"again {n}", now=later)
    second = await _attempt(database, PASSWORD, now=later)
    assert isinstance(second, accounts.TooManySignIns) and second.retry_after == 120
    assert await _attempt(database, PASSWORD, now=later + timedelta(seconds=121)) is None


async def test_the_sign_in_form_says_when_to_try_again(
    database: Database, database_url: str, administrator: str
) -> None:
    app = create_app(Settings(database_url=database_url, secret_key=SECRET_KEY), database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as browser:
        page = await browser.get("/console/sign-in")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        form = {"csrf_token": csrf.group(1), "email": EMAIL, "next": "/console/"}
        for n in range(5):
            await browser.post("/console/sign-in", data={**form, "password": f"guess number {n}"})
        response = await browser.post("/console/sign-in", data={**form, "password": PASSWORD})
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= 60
    assert "try again in" in response.text
    assert 'role="alert"' in response.text
