"""A trusted issuer belongs to the tenant that registered it and resolves only there (issue 18, finding 2).

The attack: tenant B registers tenant A's external issuer and audience. Before, the resolver looked issuers up
across every tenant, so A's external tokens were refused as ambiguous (or, had B registered first, resolved to
B). Now an external token is accepted only at a URL that addresses its tenant (``/{tenant}/api/data/…``) and is
resolved with that tenant's trust alone, so B's registration changes nothing for A, in either order.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from hirehub.api.app import create_app
from hirehub.db.session import Database
from hirehub.errors import NotFound
from hirehub.security import admin, operations
from hirehub.security.external import ExternalKeys
from hirehub.security.principal import NotAuthenticated
from hirehub.security.privileges import ATS_ROLE_NAME, RECRUITING_ROLE_ID
from hirehub.settings import Settings
from hirehub.tenancy import service
from tests.security.conftest import SECRET_KEY, set_up_integration
from tests.tokens import client_credentials_token

BASE = "http://hub"
AUDIENCE = "api://hirehub-contoso"
JWKS_URI = "https://login.microsoftonline.com/entra-a/discovery/v2.0/keys"


class StaticKeys(ExternalKeys):
    """The external issuer's key set, without a network: every trusted JWKS URL serves ``key``."""

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        super().__init__()
        self.public = key.public_key()

    async def key(self, jwks_uri: str, kid: str) -> Any | None:
        return self.public if kid == "entra" else None


@dataclass
class EntraTenant:
    """Tenant A's own Entra ID: its issuer, its signing key and its ATS app's client ID."""

    tenant_id: uuid.UUID
    key: rsa.RSAPrivateKey
    client_id: str

    @property
    def issuer(self) -> str:
        return f"https://login.microsoftonline.com/{self.tenant_id}/v2.0"

    def token(self) -> str:
        """A token as Entra issues it now (the validator checks its lifetime against the real clock)."""
        at = int(datetime.now(UTC).timestamp())
        claims = {"aud": AUDIENCE, "iss": self.issuer, "tid": str(self.tenant_id), "azp": self.client_id,
                  "iat": at, "nbf": at, "exp": at + 3600}  # fmt: skip
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "entra"})


@pytest.fixture(scope="module")
def entra() -> EntraTenant:
    return EntraTenant(uuid.uuid4(), rsa.generate_private_key(public_exponent=65537, key_size=2048), str(uuid.uuid4()))


async def _organisation(database: Database, domain: str) -> uuid.UUID:
    async with database.system_transaction() as session:
        return (await service.create_tenant(session, name=domain, domain=domain)).id


async def _trust(database: Database, tenant_id: uuid.UUID, entra: EntraTenant) -> str:
    """The tenant trusts Entra tenant A's issuer and audience and lets A's ATS app in (both layers)."""
    async with database.tenant_transaction(tenant_id) as session:
        trusted = await operations.add_trusted_issuer(session, entra.issuer, JWKS_URI, [AUDIENCE])
        await admin.create_application_user(session, entra.client_id, [ATS_ROLE_NAME])
        await admin.create_hr_user(session, "ats", "ATS", [RECRUITING_ROLE_ID])
        await admin.create_entra_app_link(session, entra.client_id, "ATS", "ats")
    return str(trusted["id"])


@dataclass
class Hub:
    client: httpx.AsyncClient
    database: Database
    app: Any

    async def who_am_i(self, token: str, *, address: str | None) -> httpx.Response:
        prefix = f"/{address}" if address else ""
        return await self.client.get(f"{prefix}/api/data/v9.2/WhoAmI", headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
async def hub(database: Database, entra: EntraTenant) -> AsyncIterator[Hub]:
    settings = Settings(database_url=database.url, base_url=BASE, secret_key=SECRET_KEY, log_level="WARNING")
    app = create_app(settings, database)
    app.state.security.principals.external = StaticKeys(entra.key)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield Hub(client, database, app)


def _organisation_of(answer: httpx.Response) -> str:
    assert answer.status_code == 200, answer.text
    return str(answer.json()["OrganizationId"])


async def test_an_external_token_at_its_tenants_address_resolves_to_that_tenant(hub: Hub, entra: EntraTenant) -> None:
    contoso = await _organisation(hub.database, "contoso.example")
    await _trust(hub.database, contoso, entra)

    by_domain = await hub.who_am_i(entra.token(), address="contoso.example")
    by_id = await hub.who_am_i(entra.token(), address=str(contoso))

    assert _organisation_of(by_domain) == _organisation_of(by_id) == str(contoso)
    assert by_domain.json()["@odata.context"].startswith(f"{BASE}/contoso.example/api/data/v9.2/$metadata")


async def test_another_tenant_registering_the_same_issuer_and_audience_changes_nothing_for_the_first(
    hub: Hub, entra: EntraTenant
) -> None:
    contoso = await _organisation(hub.database, "contoso.example")
    await _trust(hub.database, contoso, entra)
    token = entra.token()
    assert _organisation_of(await hub.who_am_i(token, address="contoso.example")) == str(contoso)

    attacker = await _organisation(hub.database, "fabrikam.example")
    await _trust(hub.database, attacker, entra)  # B copies A's issuer, audience, client ID and links

    assert _organisation_of(await hub.who_am_i(token, address="contoso.example")) == str(contoso)
    async with hub.database.tenant_session(contoso) as session:  # A could repair nothing, and need not
        assert len((await operations.list_trusted_issuers(session))["trusted_issuers"]) == 1


async def test_a_tenant_that_registered_first_never_receives_another_tenants_traffic(
    hub: Hub, entra: EntraTenant
) -> None:
    attacker = await _organisation(hub.database, "fabrikam.example")
    await _trust(hub.database, attacker, entra)  # B registers A's issuer before A does
    contoso = await _organisation(hub.database, "contoso.example")
    token = entra.token()

    before = await hub.who_am_i(token, address="contoso.example")
    await _trust(hub.database, contoso, entra)
    after = await hub.who_am_i(token, address="contoso.example")

    assert before.status_code == 401 and "not trusted here" in before.json()["error"]["message"]
    assert _organisation_of(after) == str(contoso)


async def test_an_external_token_at_the_unaddressed_url_is_refused_with_the_address_to_use(
    hub: Hub, entra: EntraTenant
) -> None:
    await _trust(hub.database, await _organisation(hub.database, "contoso.example"), entra)

    answer = await hub.who_am_i(entra.token(), address=None)

    assert answer.status_code == 401
    assert f"{BASE}/<tenant ID or domain>/api/data/v9.2/" in answer.json()["error"]["message"]


async def test_a_hub_token_is_refused_at_another_tenants_address_and_accepted_at_its_own(hub: Hub) -> None:
    contoso = await set_up_integration(hub.database, "contoso.example")
    await set_up_integration(hub.database, "fabrikam.example")
    token = await client_credentials_token(hub.client, contoso.tenant_id, contoso.client_id, contoso.secret, BASE)

    own = await hub.who_am_i(token, address="contoso.example")
    unaddressed = await hub.who_am_i(token, address=None)
    foreign = await hub.who_am_i(token, address="fabrikam.example")
    unknown = await hub.who_am_i(token, address="nowhere.example")

    assert _organisation_of(own) == _organisation_of(unaddressed) == str(contoso.tenant_id)
    assert (foreign.status_code, unknown.status_code) == (401, 401)
    assert "another organisation" in foreign.json()["error"]["message"]


async def test_deleting_a_trusted_issuer_refuses_its_tokens_in_that_tenant_only(hub: Hub, entra: EntraTenant) -> None:
    contoso = await _organisation(hub.database, "contoso.example")
    fabrikam = await _organisation(hub.database, "fabrikam.example")
    trusted = await _trust(hub.database, contoso, entra)
    await _trust(hub.database, fabrikam, entra)

    async with hub.database.tenant_transaction(contoso) as session:
        deleted = await operations.delete_trusted_issuer(session, trusted)
    token = entra.token()

    assert deleted["issuer"] == entra.issuer
    assert (await hub.who_am_i(token, address="contoso.example")).status_code == 401
    assert _organisation_of(await hub.who_am_i(token, address="fabrikam.example")) == str(fabrikam)


async def test_a_tenant_cannot_list_or_delete_another_tenants_trusted_issuer(
    database: Database, entra: EntraTenant
) -> None:
    contoso = await _organisation(database, "contoso.example")
    fabrikam = await _organisation(database, "fabrikam.example")
    trusted = await _trust(database, contoso, entra)

    async with database.tenant_transaction(fabrikam) as session:
        listed = await operations.list_trusted_issuers(session)
        with pytest.raises(NotFound):
            await operations.delete_trusted_issuer(session, trusted)

    assert listed == {"trusted_issuers": []}
    async with database.tenant_session(contoso) as session:
        assert [t["id"] for t in (await operations.list_trusted_issuers(session))["trusted_issuers"]] == [trusted]


async def test_the_resolver_refuses_an_external_token_that_addresses_no_tenant(
    hub: Hub, entra: EntraTenant
) -> None:
    await _trust(hub.database, await _organisation(hub.database, "contoso.example"), entra)
    resolver = hub.app.state.security.principals

    with pytest.raises(NotAuthenticated, match="only at the address of the organisation"):
        await resolver.validate(entra.token(), datetime.now(UTC))
    validated = await resolver.validate(entra.token(), datetime.now(UTC), addressed="contoso.example")
    assert validated[1] == entra.client_id
