"""``hirehub entra connection …``: create, list and download the certificate of a connection."""

from __future__ import annotations

import uuid
from pathlib import Path

from cryptography import x509

from tests.cli.support import hirehub


def _tenant() -> str:
    hirehub("db", "upgrade")
    return str(hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")["id"])


def test_a_customer_owned_connection_is_created_with_a_certificate(hub_database: str, tmp_path: Path) -> None:
    _tenant()
    created = hirehub(
        "entra", "connection", "create", "--tenant", "contoso.example", "--name", "Directory",
        "--cloud", "us_gov_l4", "--directory-tenant-id", str(uuid.uuid4()), "--client-id", str(uuid.uuid4()),
        "--exchange",
    )  # fmt: skip
    assert created["status"] == "pending"
    assert len(created["certificate_thumbprint"]) == 40
    downloaded = hirehub(
        "entra", "connection", "certificate", "--tenant", "contoso.example", "--name", "Directory",
        "--out", str(tmp_path / "hirehub.cer"),
    )  # fmt: skip
    cert = x509.load_der_x509_certificate((tmp_path / "hirehub.cer").read_bytes())
    assert downloaded["thumbprint"] == created["certificate_thumbprint"]
    assert cert.subject.rfc4514_string() == "CN=hirehub Directory"
    listed = hirehub("entra", "connection", "list", "--tenant", "contoso.example")
    assert [c["name"] for c in listed["connections"]] == ["Directory"]
    assert "private_key" not in str(listed)


def test_an_unknown_cloud_is_refused_with_the_valid_choices(hub_database: str) -> None:
    _tenant()
    error = hirehub(
        "entra", "connection", "create", "--tenant", "contoso.example", "--name", "X", "--cloud", "mars",
        "--directory-tenant-id", str(uuid.uuid4()), "--client-id", str(uuid.uuid4()), expect=1,
    )  # fmt: skip
    assert "global, us_gov_l4, us_gov_l5_dod, china" in error["error"]


def test_linking_needs_the_service_provider_app_to_be_configured(hub_database: str) -> None:
    _tenant()
    hirehub(
        "entra", "connection", "create", "--tenant", "contoso.example", "--name", "Delegated",
        "--type", "service_provider", "--directory-tenant-id", str(uuid.uuid4()),
    )  # fmt: skip
    error = hirehub("entra", "connection", "link", "--tenant", "contoso.example", "--name", "Delegated", expect=1)
    assert "HIREHUB_ENTRA_SP_CLIENT_ID" in error["error"]
