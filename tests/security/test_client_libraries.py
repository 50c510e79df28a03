"""Unmodified MSAL for Python and azure-identity obtain tokens from the hub over TLS and call the API."""

from __future__ import annotations

import ssl

import httpx
import jwt
import msal
import pytest
from azure.identity import CertificateCredential, ClientSecretCredential

from tests.security.conftest import Integration, TlsHub


def _who_am_i(hub: TlsHub, token: str) -> httpx.Response:
    return httpx.get(
        f"{hub.base_url}/api/data/v9.2/WhoAmI",
        headers={"Authorization": f"Bearer {token}"},
        verify=ssl.create_default_context(cafile=hub.ca_file),
    )


def _msal_app(
    hub: TlsHub, integration: Integration, credential: object, tenant: str | None = None
) -> msal.ConfidentialClientApplication:
    return msal.ConfidentialClientApplication(
        integration.client_id,
        client_credential=credential,
        authority=hub.authority(tenant or str(integration.tenant_id)),
        instance_discovery=False,
    )


def test_msal_gets_a_token_with_a_client_secret_and_calls_who_am_i(tls_hub: TlsHub, integration: Integration) -> None:
    result = _msal_app(tls_hub, integration, integration.secret).acquire_token_for_client(scopes=[tls_hub.scope])
    assert "access_token" in result, result
    response = _who_am_i(tls_hub, result["access_token"])
    assert response.status_code == 200, response.text
    assert response.json()["OrganizationId"] == str(integration.tenant_id)
    assert response.json()["@odata.context"].endswith("$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse")


def test_the_tenant_may_be_named_by_its_domain(tls_hub: TlsHub, integration: Integration) -> None:
    app = _msal_app(tls_hub, integration, integration.secret, tenant=integration.domain)
    result = app.acquire_token_for_client(scopes=[tls_hub.scope])
    assert _who_am_i(tls_hub, result["access_token"]).status_code == 200


def test_a_token_carries_the_v2_claims_of_an_app_only_token(tls_hub: TlsHub, integration: Integration) -> None:
    result = _msal_app(tls_hub, integration, integration.secret).acquire_token_for_client(scopes=[tls_hub.scope])
    header = jwt.get_unverified_header(result["access_token"])
    claims = jwt.decode(result["access_token"], options={"verify_signature": False})
    assert header["alg"] == "RS256" and header["kid"]
    assert claims["aud"] == tls_hub.base_url
    assert claims["iss"] == f"{tls_hub.base_url}/{integration.tenant_id}/v2.0"
    assert claims["tid"] == str(integration.tenant_id)
    assert (claims["azp"], claims["azpacr"], claims["idtyp"], claims["ver"]) == (
        integration.client_id,
        "1",
        "app",
        "2.0",
    )
    assert claims["oid"] == claims["sub"]
    assert claims["roles"] == []
    assert claims["exp"] - claims["iat"] == 3599 and claims["nbf"] == claims["iat"]


def test_msal_authenticates_with_a_certificate_by_sha1_thumbprint(tls_hub: TlsHub, integration: Integration) -> None:
    certificate = integration.certificate
    credential = {"private_key": certificate.private_key_pem, "thumbprint": certificate.thumbprint_sha1}
    result = _msal_app(tls_hub, integration, credential).acquire_token_for_client(scopes=[tls_hub.scope])
    assert "access_token" in result, result
    assert jwt.decode(result["access_token"], options={"verify_signature": False})["azpacr"] == "2"
    assert _who_am_i(tls_hub, result["access_token"]).status_code == 200


def test_msal_authenticates_with_a_public_certificate(tls_hub: TlsHub, integration: Integration) -> None:
    """With ``public_certificate`` MSAL signs PS256 with ``x5t#S256`` and sends ``x5c``."""
    certificate = integration.certificate
    credential = {"private_key": certificate.private_key_pem, "public_certificate": certificate.certificate_pem}
    result = _msal_app(tls_hub, integration, credential).acquire_token_for_client(scopes=[tls_hub.scope])
    assert "access_token" in result, result
    assert _who_am_i(tls_hub, result["access_token"]).status_code == 200


def test_azure_identity_client_secret_credential(tls_hub: TlsHub, integration: Integration) -> None:
    credential = ClientSecretCredential(
        str(integration.tenant_id), integration.client_id, integration.secret,
        authority=tls_hub.base_url.removeprefix("https://"), disable_instance_discovery=True,
    )  # fmt: skip
    token = credential.get_token(tls_hub.scope)
    assert _who_am_i(tls_hub, token.token).status_code == 200


def test_azure_identity_certificate_credential(tls_hub: TlsHub, integration: Integration, tmp_path: object) -> None:
    certificate = integration.certificate
    pem = (certificate.private_key_pem + certificate.certificate_pem).encode()
    credential = CertificateCredential(
        str(integration.tenant_id), integration.client_id, certificate_data=pem,
        authority=tls_hub.base_url.removeprefix("https://"), disable_instance_discovery=True,
    )  # fmt: skip
    token = credential.get_token(tls_hub.scope)
    assert _who_am_i(tls_hub, token.token).status_code == 200


@pytest.mark.parametrize("path", ["/{t}/v2.0/.well-known/openid-configuration", "/{t}/discovery/v2.0/keys"])
def test_discovery_and_keys_are_published(tls_hub: TlsHub, integration: Integration, path: str) -> None:
    response = httpx.get(
        tls_hub.base_url + path.format(t=integration.domain), verify=ssl.create_default_context(cafile=tls_hub.ca_file)
    )
    assert response.status_code == 200
    body = response.json()
    if "keys" in body:
        assert all(k["kty"] == "RSA" and k["kid"] and k["n"] and k["e"] == "AQAB" for k in body["keys"])
    else:
        assert body["issuer"] == f"{tls_hub.base_url}/{integration.tenant_id}/v2.0"
        assert body["token_endpoint"].endswith("/oauth2/v2.0/token")
        assert "private_key_jwt" in body["token_endpoint_auth_methods_supported"]
