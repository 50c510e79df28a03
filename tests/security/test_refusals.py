"""The negative matrix: every bad credential or token is refused with Microsoft's or Dataverse's status and code."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from hirehub.db.session import Database
from hirehub.directories.entra.certificates import generate_certificate
from hirehub.odata.errors import HR_SETUP_MISSING, MISSING_PRIVILEGE, NOT_A_MEMBER, NOT_AUTHENTICATED
from hirehub.security import admin, apps
from hirehub.security.oauth import ASSERTION_TYPE
from tests.security.conftest import Integration, TlsHub, set_up_integration

T = TypeVar("T")


def _in_database(hub: TlsHub, work: Callable[[Database], Awaitable[T]]) -> T:
    async def go() -> T:
        database = Database(hub.database_url)
        try:
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(go())


def _client(hub: TlsHub) -> httpx.Client:
    return httpx.Client(base_url=hub.base_url, verify=ssl.create_default_context(cafile=hub.ca_file))


def _token_request(hub: TlsHub, tenant: str, **form: str) -> httpx.Response:
    body = {"grant_type": "client_credentials", "scope": hub.scope, **form}
    with _client(hub) as client:
        return client.post(f"/{tenant}/oauth2/v2.0/token", data=body)


def _refused(response: httpx.Response, status: int, error: str, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == error
    assert body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert {"timestamp", "trace_id", "correlation_id"} <= body.keys()
    return body


def _assertion(hub: TlsHub, integration: Integration, *, private_key_pem: str | None = None, thumbprint: str | None
               = None, audience: str | None = None, expires_in: int = 600, jti: str | None = None) -> str:  # fmt: skip
    certificate = integration.certificate
    now = int(time.time())
    claims = {
        "aud": audience or f"{hub.base_url}/{integration.tenant_id}/oauth2/v2.0/token",
        "iss": integration.client_id, "sub": integration.client_id, "jti": jti or str(uuid.uuid4()),
        "iat": now, "exp": now + expires_in,
    }  # fmt: skip
    x5t = base64.urlsafe_b64encode(bytes.fromhex(thumbprint or certificate.thumbprint_sha1)).decode()
    return jwt.encode(claims, private_key_pem or certificate.private_key_pem, algorithm="RS256", headers={"x5t": x5t})


def _with_assertion(hub: TlsHub, integration: Integration, assertion: str) -> httpx.Response:
    return _token_request(
        hub, str(integration.tenant_id), client_id=integration.client_id, client_assertion_type=ASSERTION_TYPE,
        client_assertion=assertion,
    )  # fmt: skip


# --- the token endpoint -------------------------------------------------------------------------------


def test_a_wrong_secret_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    response = _token_request(
        tls_hub, str(integration.tenant_id), client_id=integration.client_id, client_secret="not-the-secret"
    )
    _refused(response, 401, "invalid_client", 7000215)


def test_a_secret_in_basic_authentication_is_accepted(tls_hub: TlsHub, integration: Integration) -> None:
    with _client(tls_hub) as client:
        response = client.post(
            f"/{integration.tenant_id}/oauth2/v2.0/token",
            data={"grant_type": "client_credentials", "scope": tls_hub.scope},
            auth=(integration.client_id, integration.secret),
        )
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "Bearer"


def test_an_expired_secret_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    async def expired_secret(database: Database) -> str:
        async with database.tenant_transaction(integration.tenant_id) as session:
            app = await apps.find_app(session, integration.client_id)
            old = await apps.add_secret(session, app, days=1, now=datetime.now(UTC) - timedelta(days=2))
            return old.secret

    secret = _in_database(tls_hub, expired_secret)
    response = _token_request(
        tls_hub, str(integration.tenant_id), client_id=integration.client_id, client_secret=secret
    )
    _refused(response, 401, "invalid_client", 7000222)


def test_a_revoked_secret_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    async def revoke(database: Database) -> None:
        async with database.tenant_transaction(integration.tenant_id) as session:
            await apps.revoke_credential(
                session, await apps.find_app(session, integration.client_id), integration.secret_id
            )

    _in_database(tls_hub, revoke)
    response = _token_request(
        tls_hub, str(integration.tenant_id), client_id=integration.client_id, client_secret=integration.secret
    )
    _refused(response, 401, "invalid_client", 7000215)


def test_a_revoked_certificate_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    async def revoke(database: Database) -> None:
        async with database.tenant_transaction(integration.tenant_id) as session:
            app = await apps.find_app(session, integration.client_id)
            await apps.revoke_credential(session, app, integration.certificate.thumbprint_sha1)

    _in_database(tls_hub, revoke)
    _refused(_with_assertion(tls_hub, integration, _assertion(tls_hub, integration)), 401, "invalid_client", 7000214)


def test_an_unregistered_certificate_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    stranger = generate_certificate("stranger")
    assertion = _assertion(
        tls_hub, integration, private_key_pem=stranger.private_key_pem, thumbprint=stranger.thumbprint_sha1
    )
    body = _refused(_with_assertion(tls_hub, integration, assertion), 401, "invalid_client", 700027)
    assert stranger.thumbprint_sha1 in body["error_description"]


def test_an_assertion_signed_by_another_key_under_a_registered_thumbprint_is_refused(
    tls_hub: TlsHub, integration: Integration
) -> None:
    stranger = generate_certificate("stranger")
    assertion = _assertion(tls_hub, integration, private_key_pem=stranger.private_key_pem)
    _refused(_with_assertion(tls_hub, integration, assertion), 401, "invalid_client", 700027)


def test_an_assertion_for_another_audience_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    assertion = _assertion(tls_hub, integration, audience="https://login.microsoftonline.com/x/oauth2/v2.0/token")
    _refused(_with_assertion(tls_hub, integration, assertion), 401, "invalid_client", 700212)


def test_an_expired_assertion_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    assertion = _assertion(tls_hub, integration, expires_in=-600)
    _refused(_with_assertion(tls_hub, integration, assertion), 401, "invalid_client", 700024)


def test_an_unknown_client_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    response = _token_request(tls_hub, str(integration.tenant_id), client_id=str(uuid.uuid4()), client_secret="x")
    _refused(response, 400, "unauthorized_client", 700016)


def test_an_unknown_tenant_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    response = _token_request(tls_hub, "nowhere.example", client_id=integration.client_id, client_secret="x")
    _refused(response, 400, "invalid_request", 90002)


@pytest.mark.parametrize(
    ("scope", "error", "code"),
    [("https://graph.microsoft.com/.default", "invalid_resource", 500011), ("openid", "invalid_scope", 1002012)],
)
def test_a_scope_for_another_resource_is_refused(
    tls_hub: TlsHub, integration: Integration, scope: str, error: str, code: int
) -> None:
    response = _token_request(
        tls_hub, str(integration.tenant_id), client_id=integration.client_id, client_secret=integration.secret,
        scope=scope,
    )  # fmt: skip
    _refused(response, 400, error, code)


def test_another_grant_type_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    response = _token_request(tls_hub, str(integration.tenant_id), grant_type="password", client_id="x")
    _refused(response, 400, "unsupported_grant_type", 70003)


def test_a_single_tenant_app_is_unknown_in_another_tenant(tls_hub: TlsHub, integration: Integration) -> None:
    other = _in_database(tls_hub, lambda db: set_up_integration(db, "fabrikam.example"))
    response = _token_request(
        tls_hub, str(other.tenant_id), client_id=integration.client_id, client_secret=integration.secret
    )
    _refused(response, 400, "unauthorized_client", 700016)


def test_a_multi_tenant_app_needs_admin_consent_in_the_other_tenant(tls_hub: TlsHub, integration: Integration) -> None:
    async def multi_tenant_app(database: Database) -> tuple[str, str, uuid.UUID]:
        async with database.tenant_transaction(integration.tenant_id) as session:
            app = await apps.create_app(session, name="Multi", multi_tenant=True)
            secret = (await apps.add_secret(session, app)).secret
        other = await set_up_integration(database, "fabrikam.example")
        return str(app.client_id), secret, other.tenant_id

    client_id, secret, other_tenant = _in_database(tls_hub, multi_tenant_app)
    response = _token_request(tls_hub, str(other_tenant), client_id=client_id, client_secret=secret)
    _refused(response, 401, "invalid_client", 7000229)

    async def consent(database: Database) -> None:
        async with database.system_session() as platform:
            app = await apps.find_app_anywhere(platform, client_id)
        async with database.tenant_transaction(other_tenant) as session:
            await apps.consent(session, app)

    _in_database(tls_hub, consent)
    response = _token_request(tls_hub, str(other_tenant), client_id=client_id, client_secret=secret)
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["tid"] == str(other_tenant)


# --- tokens on the API --------------------------------------------------------------------------------


def _token(hub: TlsHub, integration: Integration) -> str:
    response = _token_request(
        hub, str(integration.tenant_id), client_id=integration.client_id, client_secret=integration.secret
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _call(hub: TlsHub, token: str | None, path: str = "/api/data/v9.2/WhoAmI") -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with _client(hub) as client:
        return client.get(path, headers=headers)


def _forged(hub: TlsHub, token: str, **changes: Any) -> str:
    """The token re-signed with the hub's own key after ``changes`` (what only a key thief could do)."""
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False}) | changes
    key = hub.app.state.security.keys.loaded(header["kid"])
    return jwt.encode(claims, key.private, algorithm="RS256", headers={"kid": header["kid"]})


def _api_refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer authorization_uri=")
    message: str = error["message"]
    return message


def test_a_call_without_a_token_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    _api_refused(_call(tls_hub, None), 401, NOT_AUTHENTICATED)


def test_the_hubs_own_forgery_helper_produces_tokens_it_accepts(tls_hub: TlsHub, integration: Integration) -> None:
    assert _call(tls_hub, _forged(tls_hub, _token(tls_hub, integration))).status_code == 200


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200, "nbf": int(time.time()) - 7200}, "expired"),
        ({"aud": "https://another.example"}, "resource"),
        ({"iss": "https://127.0.0.1/00000000-0000-0000-0000-000000000000/v2.0"}, "trusted"),
    ],
)
def test_a_token_expired_for_another_audience_or_from_another_issuer_is_refused(
    tls_hub: TlsHub, integration: Integration, change: dict[str, Any], why: str
) -> None:
    message = _api_refused(
        _call(tls_hub, _forged(tls_hub, _token(tls_hub, integration), **change)), 401, NOT_AUTHENTICATED
    )
    assert why in message


def test_a_token_of_another_tenant_under_this_tenants_issuer_is_refused(
    tls_hub: TlsHub, integration: Integration
) -> None:
    other = _in_database(tls_hub, lambda db: set_up_integration(db, "fabrikam.example"))
    forged = _forged(tls_hub, _token(tls_hub, integration), tid=str(other.tenant_id))
    _api_refused(_call(tls_hub, forged), 401, NOT_AUTHENTICATED)


def test_a_tampered_token_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    header, payload, signature = _token(tls_hub, integration).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["azp"] = str(uuid.uuid4())
    tampered = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    _api_refused(_call(tls_hub, f"{header}.{tampered}.{signature}"), 401, NOT_AUTHENTICATED)


def test_an_unsigned_token_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    claims = jwt.decode(_token(tls_hub, integration), options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
    _api_refused(_call(tls_hub, unsigned), 401, NOT_AUTHENTICATED)


def test_a_token_signed_with_hs256_using_the_public_key_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    token = _token(tls_hub, integration)
    kid = jwt.get_unverified_header(token)["kid"]
    public_pem = (
        tls_hub.app.state.security.keys.loaded(kid)
        .private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    claims = jwt.decode(token, options={"verify_signature": False})

    signing_input = (
        base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode()).decode().rstrip("=")
        + "."
        + base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    )
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    forged = signing_input + "." + base64.urlsafe_b64encode(mac).decode().rstrip("=")
    _api_refused(_call(tls_hub, forged), 401, NOT_AUTHENTICATED)


def test_a_token_signed_by_an_unknown_key_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    claims = jwt.decode(_token(tls_hub, integration), options={"verify_signature": False})
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "not-a-hub-key"})
    message = _api_refused(_call(tls_hub, forged), 401, NOT_AUTHENTICATED)
    assert "not-a-hub-key" in message


# --- both layers --------------------------------------------------------------------------------------


def test_both_layers_allow_what_an_ats_needs(tls_hub: TlsHub, integration: Integration) -> None:
    token = _token(tls_hub, integration)
    assert _call(tls_hub, token, "/test/probe/mshr_hcmcandidatetohireentity/Create").status_code == 200
    assert _call(tls_hub, token, "/test/probe/mshr_hcmworkerentity/Read").status_code == 200


def test_the_recruiting_role_does_not_let_an_ats_write_workers(tls_hub: TlsHub, integration: Integration) -> None:
    message = _api_refused(
        _call(tls_hub, _token(tls_hub, integration), "/test/probe/mshr_hcmworkerentity/Write"), 403, MISSING_PRIVILEGE
    )
    assert "HR user 'ats-integration'" in message and "Write" in message


def test_an_application_user_without_the_role_is_refused_naming_the_privilege(tls_hub: TlsHub) -> None:
    async def without_role(database: Database) -> Integration:
        integration = await set_up_integration(database, "fabrikam.example", roles=())
        return integration

    integration = _in_database(tls_hub, without_role)
    message = _api_refused(
        _call(tls_hub, _token(tls_hub, integration), "/test/probe/mshr_hcmcandidatetohireentity/Read"),
        403, MISSING_PRIVILEGE,
    )  # fmt: skip
    assert "prvReadmshr_hcmcandidatetohireentity" in message


def test_an_app_without_an_application_user_is_not_a_member(tls_hub: TlsHub) -> None:
    integration = _in_database(tls_hub, lambda db: set_up_integration(db, "fabrikam.example", app_user=False))
    message = _api_refused(_call(tls_hub, _token(tls_hub, integration)), 403, NOT_A_MEMBER)
    assert "Application users" in message


def test_an_app_without_an_hr_link_is_refused_naming_the_missing_step(tls_hub: TlsHub) -> None:
    integration = _in_database(tls_hub, lambda db: set_up_integration(db, "fabrikam.example", link=False))
    message = _api_refused(_call(tls_hub, _token(tls_hub, integration)), 403, HR_SETUP_MISSING)
    assert "Microsoft Entra applications" in message


def test_an_app_linked_to_a_disabled_hr_user_is_refused(tls_hub: TlsHub, integration: Integration) -> None:
    async def disable(database: Database) -> None:
        async with database.tenant_transaction(integration.tenant_id) as session:
            await admin.set_hr_user_enabled(session, "ats-integration", False)

    _in_database(tls_hub, disable)
    tls_hub.app.state.security.principals.forget()
    message = _api_refused(_call(tls_hub, _token(tls_hub, integration)), 403, HR_SETUP_MISSING)
    assert "disabled" in message
