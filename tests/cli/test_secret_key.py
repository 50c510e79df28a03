"""Production is explicit (issue 18, finding 4): outside development the hub's processes refuse the published or a
short key, and ``hirehub secret-key rotate`` moves every sealed secret to a new key in one transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import TypeVar

import pytest
from sqlalchemy import select

from hirehub.bootstrap import open_database
from hirehub.db.session import Database
from hirehub.directories.entra.models import EntraConnection
from hirehub.directories.entra.runtime import SEALING_PURPOSE as ENTRA_PURPOSE
from hirehub.linkedin.models import PartnerApp
from hirehub.linkedin.runtime import SEALING_PURPOSE as LINKEDIN_PURPOSE
from hirehub.rekeying import SEALED_COLUMNS
from hirehub.sealing import Sealer, SealError
from hirehub.security.keys import SEALING_PURPOSE as SIGNING_PURPOSE
from hirehub.security.keys import KeyRing
from hirehub.security.oauth import TokenRequest
from hirehub.security.routes import security_runtime
from hirehub.settings import get_settings
from tests.cli.support import hirehub
from tests.security.conftest import Integration, set_up_integration

T = TypeVar("T")
BASE = "https://hub.example"
OLD_KEY = "the-old-key-that-sealed-everything-0123456789"
NEW_KEY = "the-new-key-after-the-rotation-abcdefghijklmnop"


def _in(database_url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    async def go() -> T:
        database = open_database(database_url)
        try:
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(go())


@pytest.fixture
def production(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A production hub's environment on this test's database (no key set: the development default)."""
    monkeypatch.setenv("HIREHUB_ENV", "production")
    monkeypatch.setenv("HIREHUB_DATABASE_URL", database_url)
    monkeypatch.setenv("HIREHUB_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("HIREHUB_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


# --- refusing to start ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [("serve",), ("jobs", "run")])
def test_production_refuses_to_start_with_the_development_key(production: str, command: tuple[str, ...]) -> None:
    refused = hirehub(*command, expect=1)
    assert "development key" in refused["error"]
    assert "secrets.token_urlsafe" in refused["error"]


@pytest.mark.parametrize("command", [("serve",), ("jobs", "run")])
def test_production_refuses_to_start_with_a_short_key(
    production: str, command: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIREHUB_SECRET_KEY", "short-but-16-chars")
    get_settings.cache_clear()
    refused = hirehub(*command, expect=1)
    assert "fewer than 32 characters" in refused["error"]


# --- rotating the key -------------------------------------------------------------------------------------


@pytest.fixture
def sealed_hub(production: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Integration, str]:
    """A hub whose secrets are sealed under OLD_KEY: a signing key that signed a token, a LinkedIn partner
    secret, an Entra connection's private key and token cache. Returns the integration and its token."""
    monkeypatch.setenv("HIREHUB_SECRET_KEY", OLD_KEY)
    get_settings.cache_clear()

    async def seal(database: Database) -> tuple[Integration, str]:
        integration = await set_up_integration(database)
        entra = Sealer(OLD_KEY, ENTRA_PURPOSE)
        async with database.system_transaction() as session:
            session.add(
                PartnerApp(client_id="partner", client_secret_sealed=Sealer(OLD_KEY, LINKEDIN_PURPOSE).seal("s"))
            )
            session.add(
                EntraConnection(
                    tenant_id=integration.tenant_id,
                    name="contoso",
                    cloud="global",
                    connection_type="certificate",
                    directory_tenant_id="d",
                    private_key_encrypted=entra.seal("pem"),
                    token_cache_encrypted=entra.seal("{}"),
                )
            )
        tokens = security_runtime(database, BASE, OLD_KEY).tokens
        form = {
            "grant_type": "client_credentials", "scope": f"{BASE}/.default", "client_id": integration.client_id,
            "client_secret": integration.secret,
        }  # fmt: skip
        issued = await tokens.issue(
            TokenRequest(str(integration.tenant_id), form, None, "127.0.0.1"), datetime.now(UTC)
        )
        return integration, issued["access_token"]

    return _in(production, seal)


def test_a_token_signed_before_the_rotation_validates_with_the_new_key(
    production: str, sealed_hub: tuple[Integration, str]
) -> None:
    integration, token = sealed_hub
    # When the key is rotated
    rotated = hirehub("secret-key", "rotate", "--old-key", OLD_KEY, "--new-key", NEW_KEY)
    assert rotated["resealed"] >= 4
    assert rotated["columns"]["entra_connection.token_cache_encrypted"] == 1

    # Then a hub running with the new key accepts the token signed before
    async def resolve(database: Database) -> str:
        principal = await security_runtime(database, BASE, NEW_KEY).principals.from_authorization(
            f"Bearer {token}", datetime.now(UTC)
        )
        return str(principal.tenant_id)

    assert _in(production, resolve) == str(integration.tenant_id)


def test_nothing_opens_with_the_old_key_after_the_rotation(
    production: str, sealed_hub: tuple[Integration, str]
) -> None:
    hirehub("secret-key", "rotate", "--old-key", OLD_KEY, "--new-key", NEW_KEY)

    async def opened_with_old_key(database: Database) -> int:
        opened = 0
        async with database.system_session() as session:
            for sealed in SEALED_COLUMNS:
                column = getattr(sealed.model, sealed.column)
                for value in await session.scalars(select(column).where(column.is_not(None))):
                    try:
                        Sealer(OLD_KEY, sealed.purpose).open(value)
                        opened += 1
                    except SealError:
                        pass
        with pytest.raises(SealError):
            await KeyRing(database, Sealer(OLD_KEY, SIGNING_PURPOSE)).refresh(datetime.now(UTC))
        return opened

    assert _in(production, opened_with_old_key) == 0


def test_a_rotation_from_the_wrong_old_key_is_refused_and_changes_nothing(
    production: str, sealed_hub: tuple[Integration, str]
) -> None:
    refused = hirehub("secret-key", "rotate", "--old-key", "not-the-key-that-sealed-them-at-all", "--new-key", NEW_KEY,
                      expect=1)  # fmt: skip
    assert "opens with neither key" in refused["error"]
    again = hirehub("secret-key", "rotate", "--old-key", OLD_KEY, "--new-key", NEW_KEY)
    assert again["already_new"] == 0


def test_running_the_rotation_again_changes_nothing(production: str, sealed_hub: tuple[Integration, str]) -> None:
    first = hirehub("secret-key", "rotate", "--old-key", OLD_KEY, "--new-key", NEW_KEY)
    second = hirehub("secret-key", "rotate", "--old-key", OLD_KEY, "--new-key", NEW_KEY)
    assert (second["resealed"], second["already_new"]) == (0, first["resealed"])


def test_a_rotation_to_an_unsafe_key_is_refused_in_production(
    production: str, sealed_hub: tuple[Integration, str]
) -> None:
    refused = hirehub("secret-key", "rotate", "--old-key", OLD_KEY, "--new-key", "too-short-a-key-here", expect=1)
    assert "fewer than 32 characters" in refused["error"]


def test_the_new_key_is_read_from_the_environment(
    production: str, sealed_hub: tuple[Integration, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIREHUB_NEW_SECRET_KEY", NEW_KEY)
    get_settings.cache_clear()
    assert hirehub("secret-key", "rotate")["resealed"] >= 4
