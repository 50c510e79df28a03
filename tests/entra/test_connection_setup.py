"""Creating Entra connections, their certificates, and the *Test connection* verdict."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

import pytest
from cryptography import x509

from hirehub.db.session import Database
from hirehub.directories.entra.certificates import generate_certificate, thumbprints, x5t
from hirehub.directories.entra.clouds import CloudName, cloud
from hirehub.directories.entra.connections import EntraConnectionError, create_connection
from hirehub.directories.entra.permissions import judge
from hirehub.tenancy import service

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


class ReversingBox:
    """A stand-in SecretBox that visibly transforms what it stores (so a test can tell sealed from plain)."""

    def seal(self, plaintext: str) -> str:
        return "sealed:" + base64.b64encode(plaintext.encode()).decode()

    def open(self, sealed: str) -> str:
        return base64.b64decode(sealed.removeprefix("sealed:")).decode()


async def _tenant(database: Database) -> uuid.UUID:
    async with database.system_transaction() as session:
        return (await service.create_tenant(session, name="Contoso", domain="contoso.example")).id


async def test_a_customer_owned_connection_gets_a_certificate_and_keeps_its_key_sealed(
    database: Database,
) -> None:
    tenant_id = await _tenant(database)
    async with database.tenant_transaction(tenant_id) as session:
        connection = await create_connection(
            session,
            name="Contoso directory",
            cloud="global",
            connection_type="customer_owned",
            directory_tenant_id=str(uuid.uuid4()),
            client_id=str(uuid.uuid4()),
            exchange_enabled=True,
            box=ReversingBox(),
            now=NOW,
        )
    assert connection.certificate_pem and connection.certificate_pem.startswith("-----BEGIN CERTIFICATE-----")
    assert connection.private_key_encrypted and connection.private_key_encrypted.startswith("sealed:")
    assert "PRIVATE KEY" not in connection.private_key_encrypted
    assert connection.certificate_thumbprint == thumbprints(connection.certificate_pem)[0]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"cloud": "mars"}, "unknown cloud"),
        ({"connection_type": "magic"}, "magic"),
        ({"directory_tenant_id": "not-a-guid"}, "tenant ID must be a GUID"),
        ({"client_id": None}, "needs the app's client ID"),
        ({"client_id": "nope"}, "client ID must be a GUID"),
        ({"name": "  "}, "needs a name"),
    ],
)
async def test_an_invalid_connection_is_refused_with_the_reason(
    database: Database, overrides: dict[str, object], message: str
) -> None:
    tenant_id = await _tenant(database)
    arguments: dict[str, object] = {
        "name": "Directory",
        "cloud": "global",
        "connection_type": "customer_owned",
        "directory_tenant_id": str(uuid.uuid4()),
        "client_id": str(uuid.uuid4()),
        "exchange_enabled": False,
        "box": ReversingBox(),
        "now": NOW,
        **overrides,
    }
    with pytest.raises(EntraConnectionError, match=message):
        async with database.tenant_transaction(tenant_id) as session:
            await create_connection(session, **arguments)  # type: ignore[arg-type]


async def test_a_delegated_connection_needs_no_client_id_or_certificate(database: Database) -> None:
    tenant_id = await _tenant(database)
    async with database.tenant_transaction(tenant_id) as session:
        connection = await create_connection(
            session,
            name="Delegated",
            cloud="us_gov_l4",
            connection_type="service_provider",
            directory_tenant_id=str(uuid.uuid4()),
            client_id=None,
            exchange_enabled=False,
            box=ReversingBox(),
            now=NOW,
        )
    assert connection.certificate_pem is None
    assert connection.status == "pending"


def test_the_generated_certificate_is_self_signed_and_valid_for_two_years() -> None:
    generated = generate_certificate("hirehub test", now=NOW)
    cert = x509.load_pem_x509_certificate(generated.certificate_pem.encode())
    assert cert.issuer == cert.subject
    assert (cert.not_valid_after_utc - NOW).days == 730
    assert len(generated.thumbprint_sha1) == 40
    assert len(generated.thumbprint_sha256) == 64
    assert base64.urlsafe_b64decode(x5t(generated.certificate_pem) + "=") == bytes.fromhex(generated.thumbprint_sha1)
    assert generated.der[:1] == b"\x30"


@pytest.mark.parametrize(
    ("name", "authority", "graph"),
    [
        (CloudName.GLOBAL, "login.microsoftonline.com", "graph.microsoft.com"),
        (CloudName.US_GOV_L4, "login.microsoftonline.us", "graph.microsoft.us"),
        (CloudName.US_GOV_L5_DOD, "login.microsoftonline.us", "dod-graph.microsoft.us"),
        (CloudName.CHINA, "login.chinacloudapi.cn", "microsoftgraph.chinacloudapi.cn"),
    ],
)
def test_each_cloud_has_its_own_authority_graph_host_and_scope(name: CloudName, authority: str, graph: str) -> None:
    chosen = cloud(name)
    assert chosen.authority("t") == f"https://{authority}/t"
    assert chosen.graph_scope == f"https://{graph}/.default"
    assert chosen.delegated_scopes(("User.ReadWrite.All", "offline_access")) == [
        f"https://{graph}/User.ReadWrite.All",
        "offline_access",
    ]


def test_the_verdict_names_each_missing_permission_and_role() -> None:
    check = judge(
        exchange_enabled=True,
        granted_app_role_ids=["741F803B-C850-494E-B5DF-CDE7C675A1CA", "62a82d76-70ea-41e2-9197-370581804d09"],
        assigned_role_template_ids=["fe930be7-5e62-47db-91af-98c3a49a38b1"],
    )
    assert not check.ok
    assert [p.name for p in check.missing_permissions] == [
        "Directory.ReadWrite.All",
        "User.EnableDisableAccount.All",
        "Exchange.ManageAsApp",
    ]
    assert [r.name for r in check.missing_roles] == ["Exchange Administrator"]
    assert "Missing application permission Exchange.ManageAsApp" in " ".join(check.messages())


def test_without_exchange_the_exchange_permission_and_role_are_not_required() -> None:
    check = judge(
        exchange_enabled=False,
        granted_app_role_ids=[
            "741f803b-c850-494e-b5df-cde7c675a1ca",
            "62a82d76-70ea-41e2-9197-370581804d09",
            "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
            "3011c876-62b7-4ada-afa2-506cbbecc68c",
        ],
        assigned_role_template_ids=["fe930be7-5e62-47db-91af-98c3a49a38b1"],
    )
    assert check.ok
    assert check.messages() == []
