"""A trusted issuer's key set, fetched because an unauthenticated request names the issuer: whatever the JWKS URL
answers (garbage, a huge document, nothing, an address that turned private), the caller gets a 401 in Dataverse's
shape with the reason, never a 500, and the hub reads no more than its cap.

Finding 3 of the red-team pass: a malformed JWKS gave an unauthenticated 500, and a 300 MB one added 300 MB of memory.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from jwt.algorithms import RSAAlgorithm

from hirehub.api.app import create_app
from hirehub.db.session import Database
from hirehub.outbound_policy import IPAddress, OutboundPolicy
from hirehub.security import admin
from hirehub.security.external import ExternalKeys, KeysUnavailable, parse_key_set
from hirehub.settings import Settings
from hirehub.tenancy import service
from tests.security.conftest import SECRET_KEY

BASE = "http://hub"
EXTERNAL_TENANT = uuid.UUID("8a3c0c9e-4e4b-4d0e-9a51-0c7f1e3b2d11")
ISSUER = f"https://login.example/{EXTERNAL_TENANT}/v2.0"
JWKS_URI = f"https://login.example/{EXTERNAL_TENANT}/discovery/v2.0/keys"
AUDIENCE = "api://hirehub-contoso"
PUBLIC = ipaddress.ip_address("93.184.215.14")
SIGNER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def key_set(kid: str = "ext") -> dict[str, object]:
    return {"keys": [json.loads(RSAAlgorithm.to_jwk(SIGNER.public_key())) | {"kid": kid, "use": "sig"}]}


def policy_resolving_to(address: IPAddress, *, deadline: float = 20.0) -> OutboundPolicy:
    async def resolve(host: str, _port: int) -> list[IPAddress]:
        if host != "login.example":
            raise OSError(host)
        return [address]

    return OutboundPolicy(resolver=resolve, deadline=deadline)


def external_token(now: datetime, kid: str = "ext") -> str:
    issued = int(now.timestamp())
    claims = {"aud": AUDIENCE, "iss": ISSUER, "tid": str(EXTERNAL_TENANT), "azp": str(uuid.uuid4()),
              "iat": issued, "nbf": issued, "exp": issued + 600}  # fmt: skip
    return jwt.encode(claims, SIGNER, algorithm="RS256", headers={"kid": kid})


@dataclass
class Issuer:
    """What the JWKS URL answers (``answer``), and the requests it got."""

    answer: Callable[[httpx.Request], httpx.Response]
    requests: list[httpx.Request]


@dataclass
class TrustingHub:
    app: FastAPI
    client: httpx.AsyncClient
    tenant_id: uuid.UUID
    issuer: Issuer

    def trust_through(self, keys: ExternalKeys) -> None:
        """Fetch key sets with ``keys`` (its policy and client) from now on."""
        self.app.state.security.principals.external = keys

    async def who_am_i(self) -> httpx.Response:
        """An unauthenticated caller's request, at the tenant's address, with a token naming the issuer."""
        token = external_token(datetime.now(UTC))
        return await self.client.get(
            f"/{self.tenant_id}/api/data/v9.2/WhoAmI", headers={"Authorization": f"Bearer {token}"}
        )


@pytest.fixture
async def trusting_hub(database: Database) -> AsyncIterator[TrustingHub]:
    """A hub whose tenant trusts ISSUER, with the issuer's JWKS URL answered by a stand-in at a public address."""
    async with database.system_transaction() as session:
        tenant = await service.create_tenant(session, name="Contoso", domain="contoso.example")
    async with database.tenant_transaction(tenant.id) as session:
        await admin.add_trusted_issuer(session, ISSUER, JWKS_URI, [AUDIENCE])
    issuer = Issuer(lambda _request: httpx.Response(200, json=key_set()), [])

    def jwks(request: httpx.Request) -> httpx.Response:
        issuer.requests.append(request)
        return issuer.answer(request)

    app = create_app(Settings(database_url=database.url, base_url=BASE, secret_key=SECRET_KEY), database)
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(jwks)) as outbound,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client,
    ):
        hub = TrustingHub(app, client, tenant.id, issuer)
        hub.trust_through(ExternalKeys(outbound, policy=policy_resolving_to(PUBLIC)))
        yield hub


def assert_unauthenticated(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    error = response.json()["error"]
    assert set(error) >= {"code", "message"}
    assert reason in error["message"], error["message"]


async def test_a_token_signed_by_a_key_of_the_issuer_passes_authentication(trusting_hub: TrustingHub) -> None:
    response = await trusting_hub.who_am_i()
    assert response.status_code == 403, response.text  # known caller; only the application user is missing
    assert "not a member" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>login</html>", "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (b"[1, 2]", "not a key set"),
        (b'{"keys": "all of them"}', "not a key set"),
        (b'{"keys": [{"kty": "RSA", "kid": "ext", "n": "!!", "e": "AQAB"}]}', "signing key 'ext' is not known"),
        (b'{"keys": [{"kty": "RSA", "kid": "ext"}]}', "signing key 'ext' is not known"),
        (b'{"keys": [["not", "a", "key"], 7, null]}', "signing key 'ext' is not known"),
    ],
)
async def test_a_malformed_key_set_answers_401_with_the_reason(
    trusting_hub: TrustingHub, body: bytes, reason: str
) -> None:
    trusting_hub.issuer.answer = lambda _request: httpx.Response(200, content=body)
    assert_unauthenticated(await trusting_hub.who_am_i(), reason)


async def test_a_huge_key_set_answers_401_and_is_read_no_further_than_the_cap(trusting_hub: TrustingHub) -> None:
    pulled = 0

    async def body() -> AsyncIterator[bytes]:  # 300 MB, chunked
        nonlocal pulled
        for _ in range(4_800):
            pulled += 1
            yield b" " * 65_536

    trusting_hub.issuer.answer = lambda _request: httpx.Response(200, content=body())
    assert_unauthenticated(await trusting_hub.who_am_i(), "larger than")
    assert pulled * 65_536 <= OutboundPolicy().max_response_bytes + 65_536


async def test_an_issuer_that_answers_an_error_answers_401_with_the_reason(trusting_hub: TrustingHub) -> None:
    trusting_hub.issuer.answer = lambda _request: httpx.Response(500, text="boom")
    assert_unauthenticated(await trusting_hub.who_am_i(), "HTTP 500")


async def test_an_issuer_that_never_answers_answers_401_within_the_deadline(
    trusting_hub: TrustingHub, database: Database
) -> None:
    async def never(_request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async with httpx.AsyncClient(transport=httpx.MockTransport(never)) as silent:
        trusting_hub.trust_through(ExternalKeys(silent, policy=policy_resolving_to(PUBLIC, deadline=0.05)))
        assert_unauthenticated(await trusting_hub.who_am_i(), "no complete answer within")


async def test_a_jwks_host_that_now_resolves_to_loopback_is_not_called_and_answers_401(
    trusting_hub: TrustingHub,
) -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as outbound:
        trusting_hub.trust_through(ExternalKeys(outbound, policy=policy_resolving_to(ipaddress.ip_address("::1"))))
        assert_unauthenticated(await trusting_hub.who_am_i(), "loopback")
    assert trusting_hub.issuer.requests == []


async def test_a_key_set_that_could_not_be_had_is_not_fetched_again_within_the_minute() -> None:
    now = [1_000.0]
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(503))) as outbound:
        keys = ExternalKeys(outbound, policy=policy_resolving_to(PUBLIC), clock=lambda: now[0])
        for _ in range(5):
            with pytest.raises(KeysUnavailable, match="HTTP 503"):
                await keys.key(JWKS_URI, "ext")
        assert keys.fetches == 1
        now[0] += 60
        with pytest.raises(KeysUnavailable):
            await keys.key(JWKS_URI, "ext")
        assert keys.fetches == 2


def test_keys_of_other_types_are_skipped_and_rsa_keys_kept() -> None:
    document = {"keys": [{"kty": "EC", "kid": "ec", "crv": "P-256"}, *key_set("rsa")["keys"]]}  # type: ignore[misc]
    assert list(parse_key_set(json.dumps(document).encode())) == ["rsa"]
