"""App-only tokens from the sandbox's token endpoint, asked for by unmodified MSAL and azure-identity on the real
authority URLs of every national cloud, over TLS, with a client secret or a certificate."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt
import msal
import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.core.pipeline.transport import RequestsTransport
from azure.identity import AzureAuthorityHosts, CertificateCredential, ClientSecretCredential

from hirehub.directories.entra.certificates import ConnectionCertificate, generate_certificate
from hirehub.directories.entra.clouds import CLOUDS, CloudName
from hirehub.directories.entra.permissions import EXCHANGE_APP_ID, GRAPH_APP_ID
from hirehub.sandbox.entra.world import Application, Directory
from tests.sandbox.entra.conftest import EntraSandbox

SECRET = "Qx8~customer.owned.secret.value"
GRAPH_ROLES = {"User.ReadWrite.All", "Group.ReadWrite.All"}


@dataclass
class CustomerApp:
    directory: Directory
    app: Application
    certificate: ConnectionCertificate


@pytest.fixture
def customer_app(entra_sandbox: EntraSandbox) -> CustomerApp:
    """A customer-owned app registration with a secret, an uploaded certificate and admin-consented roles."""
    world = entra_sandbox.world
    directory = world.add_directory()
    app = world.register_application(directory, "hirehub service account")
    app.secrets.append(SECRET)
    certificate = generate_certificate("hirehub customer-owned")
    world.upload_certificate(app, certificate.certificate_pem)
    world.grant_application_permissions(directory, app.app_id, GRAPH_ROLES, GRAPH_APP_ID)
    world.grant_application_permissions(directory, app.app_id, {"Exchange.ManageAsApp"}, EXCHANGE_APP_ID)
    return CustomerApp(directory, app, certificate)


def _msal(
    sandbox: EntraSandbox, client_id: str, credential: object, authority: str
) -> msal.ConfidentialClientApplication:
    return msal.ConfidentialClientApplication(
        client_id, client_credential=credential, authority=authority, http_client=sandbox.requests_session()
    )


def _claims(token: str) -> dict[str, object]:
    return jwt.decode(token, options={"verify_signature": False})


def test_msal_gets_a_graph_token_with_a_client_secret(entra_sandbox: EntraSandbox, customer_app: CustomerApp) -> None:
    tenant = customer_app.directory.tenant_id
    app = _msal(entra_sandbox, customer_app.app.app_id, SECRET, f"https://login.microsoftonline.com/{tenant}")
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert "access_token" in result, result
    assert result["token_type"] == "Bearer" and result["expires_in"] > 3000
    claims = _claims(result["access_token"])
    assert claims["aud"] == "https://graph.microsoft.com"
    assert claims["tid"] == tenant
    assert claims["appid"] == customer_app.app.app_id
    assert set(claims["roles"]) == GRAPH_ROLES  # type: ignore[arg-type]
    assert claims["idtyp"] == "app"


def test_the_token_verifies_against_the_published_keys(entra_sandbox: EntraSandbox, customer_app: CustomerApp) -> None:
    tenant = customer_app.directory.tenant_id
    app = _msal(entra_sandbox, customer_app.app.app_id, SECRET, f"https://login.microsoftonline.com/{tenant}")
    token = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])["access_token"]
    session = entra_sandbox.requests_session()
    keys = session.get(f"https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys").json()["keys"]
    key = next(k for k in keys if k["kid"] == jwt.get_unverified_header(token)["kid"])
    claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"], audience="https://graph.microsoft.com")
    assert claims["tid"] == tenant
    assert entra_sandbox.world.verify_access_token(token, "https://graph.microsoft.com").roles == GRAPH_ROLES


def test_the_exchange_scope_gives_a_token_with_the_exchange_roles(
    entra_sandbox: EntraSandbox, customer_app: CustomerApp
) -> None:
    tenant = customer_app.directory.tenant_id
    app = _msal(entra_sandbox, customer_app.app.app_id, SECRET, f"https://login.microsoftonline.com/{tenant}")
    result = app.acquire_token_for_client(scopes=["https://outlook.office365.com/.default"])
    claims = _claims(result["access_token"])
    assert claims["aud"] == "https://outlook.office365.com"
    assert claims["roles"] == ["Exchange.ManageAsApp"]


def test_msal_authenticates_with_the_certificate_by_sha1_thumbprint(
    entra_sandbox: EntraSandbox, customer_app: CustomerApp
) -> None:
    """MSAL's classic path: RS256 with an ``x5t`` header, exactly what the product's certificate_app sends."""
    certificate = customer_app.certificate
    credential = {"private_key": certificate.private_key_pem, "thumbprint": certificate.thumbprint_sha1}
    tenant = customer_app.directory.tenant_id
    app = _msal(entra_sandbox, customer_app.app.app_id, credential, f"https://login.microsoftonline.com/{tenant}")
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert "access_token" in result, result
    assert set(_claims(result["access_token"])["roles"]) == GRAPH_ROLES  # type: ignore[arg-type]


def test_msal_authenticates_with_a_public_certificate_by_sha256_thumbprint(
    entra_sandbox: EntraSandbox, customer_app: CustomerApp
) -> None:
    """With ``public_certificate`` MSAL signs PS256 with ``x5t#S256`` and sends the chain in ``x5c``."""
    certificate = customer_app.certificate
    credential = {"private_key": certificate.private_key_pem, "public_certificate": certificate.certificate_pem}
    tenant = customer_app.directory.tenant_id
    app = _msal(entra_sandbox, customer_app.app.app_id, credential, f"https://login.microsoftonline.com/{tenant}")
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert "access_token" in result, result


@pytest.mark.parametrize(
    "cloud_name", [CloudName.GLOBAL, CloudName.US_GOV_L4, CloudName.US_GOV_L5_DOD, CloudName.CHINA]
)
def test_each_national_cloud_gives_a_token_for_its_own_graph_host(
    entra_sandbox: EntraSandbox, customer_app: CustomerApp, cloud_name: CloudName
) -> None:
    cloud = CLOUDS[cloud_name]
    certificate = customer_app.certificate
    credential = {"private_key": certificate.private_key_pem, "thumbprint": certificate.thumbprint_sha1}
    app = _msal(entra_sandbox, customer_app.app.app_id, credential, cloud.authority(customer_app.directory.tenant_id))
    result = app.acquire_token_for_client(scopes=[cloud.graph_scope])
    assert "access_token" in result, result
    assert _claims(result["access_token"])["aud"] == f"https://{cloud.graph_host}"


def test_a_cloud_does_not_issue_tokens_for_another_clouds_graph(
    entra_sandbox: EntraSandbox, customer_app: CustomerApp
) -> None:
    tenant = customer_app.directory.tenant_id
    app = _msal(entra_sandbox, customer_app.app.app_id, SECRET, f"https://login.microsoftonline.us/{tenant}")
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert result["error"] == "invalid_resource"
    assert result["error_codes"] == [500011]


def test_a_wrong_secret_is_refused_with_aadsts7000215(entra_sandbox: EntraSandbox, customer_app: CustomerApp) -> None:
    tenant = customer_app.directory.tenant_id
    app = _msal(entra_sandbox, customer_app.app.app_id, "not-the-secret", f"https://login.microsoftonline.com/{tenant}")
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert result["error"] == "invalid_client"
    assert result["error_codes"] == [7000215]
    assert result["error_description"].startswith("AADSTS7000215: Invalid client secret provided.")


def test_an_unregistered_certificate_is_refused_with_aadsts700027(
    entra_sandbox: EntraSandbox, customer_app: CustomerApp
) -> None:
    stranger = generate_certificate("not uploaded")
    credential = {"private_key": stranger.private_key_pem, "thumbprint": stranger.thumbprint_sha1}
    tenant = customer_app.directory.tenant_id
    app = _msal(entra_sandbox, customer_app.app.app_id, credential, f"https://login.microsoftonline.com/{tenant}")
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert result["error"] == "invalid_client"
    assert result["error_codes"] == [700027]
    assert stranger.thumbprint_sha1 in result["error_description"]


def test_a_key_that_does_not_match_the_thumbprint_it_names_is_refused(
    entra_sandbox: EntraSandbox, customer_app: CustomerApp
) -> None:
    """Naming the uploaded certificate's thumbprint is not enough: the assertion must be signed by its key."""
    stranger = generate_certificate("impostor")
    credential = {"private_key": stranger.private_key_pem, "thumbprint": customer_app.certificate.thumbprint_sha1}
    tenant = customer_app.directory.tenant_id
    app = _msal(entra_sandbox, customer_app.app.app_id, credential, f"https://login.microsoftonline.com/{tenant}")
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert result["error_codes"] == [700027]
    assert "The signature is invalid" in result["error_description"]


def test_an_unknown_tenant_is_refused_with_aadsts90002(entra_sandbox: EntraSandbox, customer_app: CustomerApp) -> None:
    """MSAL reads the tenant's OpenID configuration first; Entra refuses it for a tenant that does not exist."""
    with pytest.raises(ValueError, match="Unable to get authority configuration") as refused:
        _msal(entra_sandbox, customer_app.app.app_id, SECRET, f"https://login.microsoftonline.com/{uuid.uuid4()}")
    assert "AADSTS90002" in str(refused.value.__context__)  # MSAL chains Entra's answer


def test_an_unknown_client_is_refused_with_aadsts700016(entra_sandbox: EntraSandbox, customer_app: CustomerApp) -> None:
    tenant = customer_app.directory.tenant_id
    app = _msal(entra_sandbox, str(uuid.uuid4()), SECRET, f"https://login.microsoftonline.com/{tenant}")
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert result["error"] == "unauthorized_client"
    assert result["error_codes"] == [700016]


def test_a_single_tenant_app_cannot_sign_in_to_another_directory(
    entra_sandbox: EntraSandbox, customer_app: CustomerApp
) -> None:
    elsewhere = entra_sandbox.world.add_directory()
    app = _msal(
        entra_sandbox, customer_app.app.app_id, SECRET, f"https://login.microsoftonline.com/{elsewhere.tenant_id}"
    )
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert result["error_codes"] == [700016]


def test_errors_carry_entras_trace_and_correlation_ids(entra_sandbox: EntraSandbox, customer_app: CustomerApp) -> None:
    """The description ends with the ids and the time on their own lines; the correlation id echoes the caller's."""
    tenant = customer_app.directory.tenant_id
    response = entra_sandbox.requests_session().post(
        f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": customer_app.app.app_id, "client_secret": "wrong",
              "scope": "https://graph.microsoft.com/.default"},
        headers={"client-request-id": "5e3a0b7c-0000-4000-8000-000000000001"},
    )  # fmt: skip
    assert response.status_code == 401
    body = response.json()
    assert body["correlation_id"] == "5e3a0b7c-0000-4000-8000-000000000001"
    lines = body["error_description"].split("\r\n")
    assert lines[0].startswith("AADSTS7000215: ")
    assert lines[1] == f"Trace ID: {body['trace_id']}"
    assert lines[2] == f"Correlation ID: {body['correlation_id']}"
    assert lines[3] == f"Timestamp: {body['timestamp']}"


def test_a_client_assertion_serves_again_within_its_lifetime_as_msal_relies_on(
    entra_sandbox: EntraSandbox, customer_app: CustomerApp
) -> None:
    tenant = customer_app.directory.tenant_id
    endpoint = f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
    certificate = customer_app.certificate
    now = time.time()
    assertion = jwt.encode(
        {"aud": endpoint, "iss": customer_app.app.app_id, "sub": customer_app.app.app_id, "jti": str(uuid.uuid4()),
         "iat": now, "exp": now + 600},
        certificate.private_key_pem, algorithm="RS256", headers={"x5t": _x5t(certificate)},
    )  # fmt: skip
    form = {
        "grant_type": "client_credentials", "client_id": customer_app.app.app_id,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion, "scope": "https://graph.microsoft.com/.default",
    }  # fmt: skip
    session = entra_sandbox.requests_session()
    assert session.post(endpoint, data=form).status_code == 200
    exchange = {**form, "scope": "https://outlook.office365.com/.default"}
    assert session.post(endpoint, data=exchange).status_code == 200


def test_an_assertion_for_another_audience_is_refused(entra_sandbox: EntraSandbox, customer_app: CustomerApp) -> None:
    tenant = customer_app.directory.tenant_id
    certificate = customer_app.certificate
    now = time.time()
    assertion = jwt.encode(
        {"aud": "https://login.example.com/token", "iss": customer_app.app.app_id, "sub": customer_app.app.app_id,
         "jti": str(uuid.uuid4()), "iat": now, "exp": now + 600},
        certificate.private_key_pem, algorithm="RS256", headers={"x5t": _x5t(certificate)},
    )  # fmt: skip
    response = entra_sandbox.requests_session().post(
        f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": customer_app.app.app_id,
              "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
              "client_assertion": assertion, "scope": "https://graph.microsoft.com/.default"},
    )  # fmt: skip
    assert response.json()["error_codes"] == [700212]


def test_an_expired_assertion_is_refused(entra_sandbox: EntraSandbox, customer_app: CustomerApp) -> None:
    tenant = customer_app.directory.tenant_id
    endpoint = f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
    certificate = customer_app.certificate
    issued = time.time() - 3600
    assertion = jwt.encode(
        {"aud": endpoint, "iss": customer_app.app.app_id, "sub": customer_app.app.app_id, "jti": str(uuid.uuid4()),
         "iat": issued, "exp": issued + 600},
        certificate.private_key_pem, algorithm="RS256", headers={"x5t": _x5t(certificate)},
    )  # fmt: skip
    response = entra_sandbox.requests_session().post(
        endpoint,
        data={"grant_type": "client_credentials", "client_id": customer_app.app.app_id,
              "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
              "client_assertion": assertion, "scope": "https://graph.microsoft.com/.default"},
    )  # fmt: skip
    assert response.json()["error_codes"] == [700024]


def test_client_credentials_need_a_default_scope(entra_sandbox: EntraSandbox, customer_app: CustomerApp) -> None:
    tenant = customer_app.directory.tenant_id
    response = entra_sandbox.requests_session().post(
        f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": customer_app.app.app_id, "client_secret": SECRET,
              "scope": "https://graph.microsoft.com/User.Read.All"},
    )  # fmt: skip
    assert response.status_code == 400
    assert (response.json()["error"], response.json()["error_codes"]) == ("invalid_scope", [1002012])


def _transport(sandbox: EntraSandbox) -> RequestsTransport:
    """azure-identity's documented ``transport`` option, given the host-mapped session and the sandbox's CA."""
    session: requests.Session = sandbox.requests_session()
    return RequestsTransport(session=session, session_owner=False, connection_verify=sandbox.ca_file)


def test_azure_identity_client_secret_credential_gets_a_graph_token(
    entra_sandbox: EntraSandbox, customer_app: CustomerApp
) -> None:
    credential = ClientSecretCredential(
        customer_app.directory.tenant_id, customer_app.app.app_id, SECRET, transport=_transport(entra_sandbox)
    )
    token = credential.get_token("https://graph.microsoft.com/.default")
    assert _claims(token.token)["aud"] == "https://graph.microsoft.com"
    assert token.expires_on > time.time() + 3000


def test_azure_identity_certificate_credential_in_us_government(
    entra_sandbox: EntraSandbox, customer_app: CustomerApp
) -> None:
    certificate = customer_app.certificate
    credential = CertificateCredential(
        customer_app.directory.tenant_id,
        customer_app.app.app_id,
        certificate_data=(certificate.private_key_pem + certificate.certificate_pem).encode(),
        authority=AzureAuthorityHosts.AZURE_GOVERNMENT,
        transport=_transport(entra_sandbox),
    )
    token = credential.get_token("https://graph.microsoft.us/.default")
    claims = _claims(token.token)
    assert claims["aud"] == "https://graph.microsoft.us"
    assert set(claims["roles"]) == GRAPH_ROLES  # type: ignore[arg-type]


def test_azure_identity_reports_a_wrong_secret_with_its_code(
    entra_sandbox: EntraSandbox, customer_app: CustomerApp
) -> None:
    credential = ClientSecretCredential(
        customer_app.directory.tenant_id, customer_app.app.app_id, "wrong", transport=_transport(entra_sandbox)
    )
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
        credential.get_token("https://graph.microsoft.com/.default")


def _x5t(certificate: ConnectionCertificate) -> str:
    from hirehub.directories.entra.certificates import x5t

    return x5t(certificate.certificate_pem)
