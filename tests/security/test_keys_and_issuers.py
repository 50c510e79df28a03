"""Signing keys rotate without breaking validators; external issuers' keys are fetched sparingly."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select

from hirehub.db.session import Database
from hirehub.sealing import Sealer, SealError
from hirehub.security import admin
from hirehub.security.external import ExternalKeys
from hirehub.security.keys import CLOCK_SKEW, KeyPolicy, KeyRing
from hirehub.security.models import SigningKey
from hirehub.security.principal import PrincipalResolver
from hirehub.tenancy import service
from tests.security.conftest import SECRET_KEY

T0 = datetime(2026, 11, 1, tzinfo=UTC)
POLICY = KeyPolicy(publish_ahead=timedelta(days=1), signing_period=timedelta(days=14))


async def test_a_new_key_is_published_before_it_signs_and_the_old_one_stays_until_its_tokens_expire(
    database: Database,
) -> None:
    ring = KeyRing(database, Sealer(SECRET_KEY, "signing-key"), POLICY)
    await ring.refresh(T0)
    first = await ring.signing_key(T0)
    assert [k["kid"] for k in await ring.published(T0)] == [first.kid]

    almost = T0 + timedelta(days=13, hours=12)  # within publish_ahead of the end of the first period
    await ring.refresh(almost)
    published = [k["kid"] for k in await ring.published(almost)]
    assert len(published) == 2 and published[0] == first.kid
    successor = published[1]
    assert (await ring.signing_key(almost)).kid == first.kid, "the successor must not sign yet"

    turned = T0 + timedelta(days=14, minutes=1)
    await ring.refresh(turned)
    assert (await ring.signing_key(turned)).kid == successor
    assert first.kid in [k["kid"] for k in await ring.published(turned)], "old tokens are still valid"
    assert await ring.public_key(first.kid, turned) is not None

    after = T0 + timedelta(days=14) + POLICY.token_lifetime + CLOCK_SKEW + timedelta(minutes=1)
    await ring.refresh(after)
    assert first.kid not in [k["kid"] for k in await ring.published(after)]
    assert await ring.public_key(first.kid, after) is None


async def test_private_keys_are_sealed_at_rest(database: Database) -> None:
    ring = KeyRing(database, Sealer(SECRET_KEY, "signing-key"), POLICY)
    await ring.refresh(T0)
    async with database.system_session() as session:
        stored = list(await session.scalars(select(SigningKey)))
    assert stored and all("PRIVATE KEY" not in key.sealed_private_key for key in stored)
    with pytest.raises(SealError):
        await KeyRing(database, Sealer("another-secret-key-entirely", "signing-key"), POLICY).refresh(T0)


def _jwks(key: rsa.RSAPrivateKey, kid: str) -> dict[str, object]:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {"keys": [jwk | {"kid": kid, "use": "sig"}]}


async def test_external_keys_are_refetched_on_an_unknown_kid_at_most_once_a_minute() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    calls: list[str] = []

    def issuer(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, json=_jwks(key, "k1"))

    async with httpx.AsyncClient(transport=httpx.MockTransport(issuer)) as http:
        keys = ExternalKeys(http)
        uri = "https://login.microsoftonline.com/tid/discovery/v2.0/keys"
        assert await keys.key(uri, "k1") is not None
        assert await keys.key(uri, "k1") is not None
        for _ in range(5):
            assert await keys.key(uri, "forged-kid") is None
    assert len(calls) == 1


async def test_a_token_from_a_trusted_external_issuer_resolves_to_the_trusting_tenant(database: Database) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    external_tenant = uuid.uuid4()
    issuer = f"https://login.microsoftonline.com/{external_tenant}/v2.0"
    async with database.system_transaction() as session:
        tenant = await service.create_tenant(session, name="Contoso", domain="contoso.example")
    async with database.tenant_transaction(tenant.id) as session:
        await admin.add_trusted_issuer(
            session, issuer, f"https://login.microsoftonline.com/{external_tenant}/discovery/v2.0/keys",
            ["api://hirehub-contoso"],
        )  # fmt: skip

    async def jwks(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=_jwks(key, "ext"))

    async with httpx.AsyncClient(transport=httpx.MockTransport(jwks)) as http:
        ring = KeyRing(database, Sealer(SECRET_KEY, "signing-key"), POLICY)
        resolver = PrincipalResolver(database, ring, ExternalKeys(http), "https://hr.example.com")
        now = datetime.now(UTC)
        client_id = str(uuid.uuid4())
        issued = int(now.timestamp())
        claims = {"aud": "api://hirehub-contoso", "iss": issuer, "tid": str(external_tenant), "azp": client_id,
                  "iat": issued, "nbf": issued, "exp": issued + 600}  # fmt: skip
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "ext"})
        assert await resolver.validate(token, now, addressed="contoso.example") == (tenant.id, client_id)

        wrong_audience = jwt.encode(claims | {"aud": "api://other"}, key, algorithm="RS256", headers={"kid": "ext"})
        with pytest.raises(Exception, match="not for this resource"):
            await resolver.validate(wrong_audience, now, addressed="contoso.example")
