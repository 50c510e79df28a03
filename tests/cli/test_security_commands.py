"""``hirehub app|role|app-user|hr-user|entra-app-link … --json``: the set-up of an ATS integration, scripted."""

from __future__ import annotations

from pathlib import Path

from hirehub.directories.entra.certificates import generate_certificate
from tests.cli.support import hirehub


def test_an_ats_integration_is_set_up_entirely_from_the_command_line(hub_database: str, tmp_path: Path) -> None:
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    app = hirehub("app", "create", "--tenant", "contoso.example", "--name", "ATS")
    assert set(app) >= {"client_id", "object_id"}
    client_id = app["client_id"]

    secret = hirehub("app", "secret", "add", "--tenant", "contoso.example", "--client-id", client_id, "--days", "30")
    assert set(secret) >= {"secret_id", "secret", "expires"} and len(secret["secret"]) >= 40

    certificate = generate_certificate("ats")
    pem = tmp_path / "ats.pem"
    pem.write_text(certificate.certificate_pem)
    cert = hirehub("app", "cert", "add", "--tenant", "contoso.example", "--client-id", client_id, "--cert", str(pem))
    assert (cert["thumbprint"], cert["thumbprint_sha256"]) == (
        certificate.thumbprint_sha1,
        certificate.thumbprint_sha256,
    )

    shown = hirehub("app", "show", "--tenant", "contoso.example", "--client-id", client_id)
    assert [c["kind"] for c in shown["credentials"]] == ["secret", "certificate"]
    assert secret["secret"] not in str(shown), "a secret is shown once"

    roles = hirehub("role", "list", "--tenant", "contoso.example")["roles"]
    assert [r["name"] for r in roles] == ["ATS integration", "System Administrator"]  # the built-in ones
    hirehub("role", "create", "--tenant", "contoso.example", "--name", "Readers")
    granted = hirehub("role", "grant", "--tenant", "contoso.example", "--role", "Readers",
                      "--table", "mshr_hcmworkerentity", "--privilege", "read")  # fmt: skip
    assert granted == {"role": "Readers", "table": "mshr_hcmworkerentity", "privilege": "Read", "level": 4}

    user = hirehub("app-user", "create", "--tenant", "contoso.example", "--client-id", client_id,
                   "--role", "ATS integration")  # fmt: skip
    assert user["client_id"] == client_id
    hr_user = hirehub("hr-user", "create", "--tenant", "contoso.example", "--user-id", "ats", "--name", "ATS",
                      "--role", "HcmRecruitingIntegrator")  # fmt: skip
    assert hr_user["user_id"] == "ats"
    link = hirehub("entra-app-link", "create", "--tenant", "contoso.example", "--client-id", client_id,
                   "--name", "ATS", "--user-id", "ats")  # fmt: skip
    assert link["client_id"] == client_id
    disabled = hirehub("hr-user", "disable", "--tenant", "contoso.example", "--user-id", "ats")
    enabled = hirehub("hr-user", "enable", "--tenant", "contoso.example", "--user-id", "ats")
    assert (disabled["enabled"], enabled["enabled"]) == (False, True)

    revoked = hirehub("app", "revoke", "--tenant", "contoso.example", "--client-id", client_id,
                      "--key-id", secret["secret_id"])  # fmt: skip
    assert revoked["revoked"] is not None


def test_a_certificate_file_that_cannot_be_read_is_refused_before_anything_changes(
    hub_database: str, tmp_path: Path
) -> None:
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    client_id = hirehub("app", "create", "--tenant", "contoso.example", "--name", "ATS")["client_id"]

    refused = hirehub("app", "cert", "add", "--tenant", "contoso.example", "--client-id", client_id,
                      "--cert", str(tmp_path / "missing.pem"), expect=1)  # fmt: skip

    assert refused["error"].startswith(f"cannot read {tmp_path / 'missing.pem'}")
    shown = hirehub("app", "show", "--tenant", "contoso.example", "--client-id", client_id)
    assert shown["credentials"] == []


def test_consent_of_a_single_tenant_app_is_refused_with_a_clear_error(hub_database: str) -> None:
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    hirehub("tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example")
    client_id = hirehub("app", "create", "--tenant", "contoso.example", "--name", "ATS")["client_id"]
    refused = hirehub("app", "consent", "--tenant", "fabrikam.example", "--client-id", client_id, expect=1)
    assert "single-tenant" in refused["error"]
    multi = hirehub("app", "create", "--tenant", "contoso.example", "--name", "Multi", "--multi-tenant")["client_id"]
    consented = hirehub("app", "consent", "--tenant", "fabrikam.example", "--client-id", multi)
    assert consented["client_id"] == multi


def test_a_known_app_is_registered_under_its_published_client_id_once(hub_database: str) -> None:
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "LinkedIn", "--domain", "linkedin.example")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    talent_hub = "3a225c96-d62a-44ce-b3ec-bd4e8e9befef"
    app = hirehub("app", "create", "--tenant", "linkedin.example", "--name", "Dynamics365 HR LinkedIn HRIS Integration",
                  "--multi-tenant", "--client-id", talent_hub.upper())  # fmt: skip
    assert app["client_id"] == talent_hub
    again = hirehub("app", "create", "--tenant", "contoso.example", "--name", "Impostor", "--client-id", talent_hub,
                    expect=1)  # fmt: skip
    assert "already registered" in again["error"]
    consented = hirehub("app", "consent", "--tenant", "contoso.example", "--client-id", talent_hub)
    assert consented["client_id"] == talent_hub
    assert consented["app_name"] == "Dynamics365 HR LinkedIn HRIS Integration"
    assert consented["publisher_tenant"]["name"] == "LinkedIn"
    assert consented["publisher_tenant"]["domain"] == "linkedin.example"
    assert "published by the organisation 'LinkedIn'" in consented["consented_to"]
    assert set(consented) >= {"service_principal_id", "tenant_id"}


def test_trusted_issuers_are_added_listed_and_deleted_per_tenant(hub_database: str) -> None:
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    hirehub("tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example")
    issuer = "https://login.microsoftonline.com/8a3c0f8e-0000-4000-8000-000000000001/v2.0"
    add = ("--issuer", issuer, "--jwks-uri", issuer.replace("/v2.0", "/discovery/v2.0/keys"), "--audience", "api://hr")
    mine = hirehub("trusted-issuer", "add", "--tenant", "contoso.example", *add)
    theirs = hirehub("trusted-issuer", "add", "--tenant", "fabrikam.example", *add)

    listed = hirehub("trusted-issuer", "list", "--tenant", "contoso.example")
    foreign = hirehub("trusted-issuer", "delete", "--tenant", "fabrikam.example", "--id", mine["id"], expect=1)
    deleted = hirehub("trusted-issuer", "delete", "--tenant", "contoso.example", "--id", mine["id"])

    assert listed == {"trusted_issuers": [mine]}
    assert "no trusted issuer" in foreign["error"]
    assert deleted == mine
    assert hirehub("trusted-issuer", "list", "--tenant", "contoso.example") == {"trusted_issuers": []}
    assert hirehub("trusted-issuer", "list", "--tenant", "fabrikam.example") == {"trusted_issuers": [theirs]}


def test_over_long_text_is_refused_with_an_error_and_nothing_is_stored(hub_database: str) -> None:
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    client_id = hirehub("app", "create", "--tenant", "contoso.example", "--name", "ATS")["client_id"]
    tenant = ("--tenant", "contoso.example")

    refused = [
        hirehub("app", "create", *tenant, "--name", "A" * 121, expect=1),
        hirehub("role", "create", *tenant, "--name", "R" * 101, expect=1),
        hirehub("hr-user", "create", *tenant, "--user-id", "u" * 101, "--name", "U",
                "--role", "HcmRecruitingIntegrator", expect=1),
        hirehub("app", "secret", "add", *tenant, "--client-id", client_id, "--description", "d" * 121, expect=1),
    ]  # fmt: skip

    assert [r["error"].split(" is ")[0] for r in refused] == ["the name", "the name", "the user id", "the description"]
    assert all("characters long" in r["error"] for r in refused)
    assert [r["name"] for r in hirehub("role", "list", *tenant)["roles"]] == ["ATS integration", "System Administrator"]
    assert hirehub("app", "show", *tenant, "--client-id", client_id)["credentials"] == []
