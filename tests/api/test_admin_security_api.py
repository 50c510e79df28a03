"""The admin API for authentication set-up (``/admin/v1``): who may call it, what it does, how it refuses.

A script calls it with an access token from the hub's own token endpoint for an app whose application
user has the System Administrator role; a console administrator's browser calls it with the session
cookie and the session's CSRF token. Either caller acts only in its own tenant.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from hirehub import accounts
from hirehub.accounts.browser import SESSION_COOKIE
from hirehub.audit.models import AuditEntry
from hirehub.db.session import Database
from hirehub.directories.entra.certificates import generate_certificate
from hirehub.security import apps
from hirehub.security.models import AppRegistration, SecurityRole
from hirehub.security.privileges import RECRUITING_ROLE_ID, SYSTEM_ADMINISTRATOR_ROLE_NAME
from hirehub.tenancy import service as tenancy
from tests.api.conftest import BASE, PASSWORD, Hub, audit_count
from tests.security.conftest import Integration, set_up_integration

# --- who may call ------------------------------------------------------------------------------------


async def test_an_anonymous_caller_is_told_how_to_authenticate(hub: Hub) -> None:
    response = await hub.client.get("/admin/v1/apps")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert SYSTEM_ADMINISTRATOR_ROLE_NAME in response.json()["detail"]


async def test_an_app_without_the_system_administrator_role_is_refused(hub: Hub, database: Database) -> None:
    ats = await set_up_integration(database, "fabrikam.example")  # the ATS integration role only
    response = await hub.client.get("/admin/v1/apps", headers=await hub.bearer(ats))
    assert response.status_code == 403
    assert SYSTEM_ADMINISTRATOR_ROLE_NAME in response.json()["detail"]


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ4In0."],
)
async def test_a_bad_credential_is_unauthenticated(hub: Hub, authorization: str) -> None:
    response = await hub.client.get("/admin/v1/apps", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.json()["title"] == "Unauthenticated"


async def test_a_console_session_may_read_but_changes_need_its_csrf_token(hub: Hub, database: Database) -> None:
    integration = await set_up_integration(database, "contoso.example")
    async with database.tenant_transaction(integration.tenant_id) as session:
        await accounts.create_admin(session, email="admin@contoso.example", display_name="Admin", password=PASSWORD)
    async with database.system_transaction() as session:
        cookie, signed_in = await accounts.sign_in(
            session, email="admin@contoso.example", password=PASSWORD, now=datetime.now(UTC)
        )
    hub.client.cookies.set(SESSION_COOKIE, cookie)
    try:
        listed = await hub.client.get("/admin/v1/apps")
        assert listed.status_code == 200
        assert [a["client_id"] for a in listed.json()["apps"]] == [integration.client_id]

        forged = await hub.client.post("/admin/v1/roles", json={"name": "Forged"})
        wrong = await hub.client.post("/admin/v1/roles", json={"name": "Forged"}, headers={"X-CSRF-Token": "nope"})
        assert (forged.status_code, wrong.status_code) == (403, 403)

        created = await hub.client.post(
            "/admin/v1/roles", json={"name": "Reader"}, headers={"X-CSRF-Token": signed_in.csrf_token}
        )
        assert created.status_code == 201
    finally:
        hub.client.cookies.clear()
    async with database.tenant_session(integration.tenant_id) as session:
        names = set(await session.scalars(select(SecurityRole.name)))
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "security.role.create"))
    assert "Reader" in names and "Forged" not in names
    assert entry is not None and entry.actor == "console:admin@contoso.example"


# --- what it does ------------------------------------------------------------------------------------


async def test_a_script_sets_up_an_ats_integration_end_to_end(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    headers = await hub.bearer(administrator)
    created = await hub.client.post("/admin/v1/apps", json={"name": "Greenhouse"}, headers=headers)
    assert created.status_code == 201
    assert set(created.json()) >= {"client_id", "object_id"}
    client_id = created.json()["client_id"]

    secret = await hub.client.post(f"/admin/v1/apps/{client_id}/secrets", json={"days": 30}, headers=headers)
    assert secret.status_code == 201 and set(secret.json()) == {"secret_id", "secret", "expires"}
    certificate = generate_certificate("greenhouse")
    cert = await hub.client.post(
        f"/admin/v1/apps/{client_id}/certificates", json={"certificate_pem": certificate.certificate_pem},
        headers=headers,
    )  # fmt: skip
    assert cert.status_code == 201 and cert.json()["thumbprint"] == certificate.thumbprint_sha1
    steps = [
        ("/admin/v1/application-users", {"client_id": client_id, "roles": ["ATS integration"]}),
        ("/admin/v1/hr-users", {"user_id": "greenhouse", "name": "Greenhouse", "roles": [RECRUITING_ROLE_ID]}),
        ("/admin/v1/entra-app-links", {"client_id": client_id, "name": "Greenhouse", "user_id": "greenhouse"}),
    ]
    for path, body in steps:
        response = await hub.client.post(path, json=body, headers=headers)
        assert response.status_code == 201, response.text

    token = await hub.token(administrator.domain, client_id, secret.json()["secret"])
    who = await hub.client.get("/api/data/v9.2/WhoAmI", headers={"Authorization": f"Bearer {token}"})
    assert who.status_code == 200
    assert who.json()["OrganizationId"] == str(administrator.tenant_id)

    shown = await hub.client.get(f"/admin/v1/apps/{client_id}", headers=headers)
    assert [c["kind"] for c in shown.json()["credentials"]] == ["secret", "certificate"]
    assert secret.json()["secret"] not in shown.text
    async with database.tenant_session(administrator.tenant_id) as session:
        entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.position)))
    assert [e.action for e in entries] == [
        "security.app.create", "security.app.secret.add", "security.app.certificate.add",
        "security.application_user.create", "security.hr_user.create", "security.entra_app_link.create",
    ]  # fmt: skip
    assert all(e.actor == f"app:{administrator.client_id}" for e in entries)
    assert all(secret.json()["secret"] not in str(e.after) for e in entries)


async def test_a_revoked_secret_stops_working_at_once(hub: Hub, database: Database, administrator: Integration) -> None:
    ats = await set_up_integration(database, "fabrikam.example")
    headers = await hub.bearer(administrator)
    # Another tenant's app is invisible here, so it cannot be revoked from here either.
    other = await hub.client.delete(f"/admin/v1/apps/{ats.client_id}/credentials/{ats.secret_id}", headers=headers)
    assert other.status_code == 404
    await hub.token(ats.tenant_id, ats.client_id, ats.secret)

    own = await hub.client.post("/admin/v1/apps", json={"name": "Lever"}, headers=headers)
    client_id = own.json()["client_id"]
    secret = (await hub.client.post(f"/admin/v1/apps/{client_id}/secrets", json={}, headers=headers)).json()
    revoked = await hub.client.delete(f"/admin/v1/apps/{client_id}/credentials/{secret['secret_id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked"] is not None
    refused = await hub.client.post(
        f"/{administrator.tenant_id}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret["secret"],
              "scope": f"{BASE}/.default"},
    )  # fmt: skip
    assert refused.status_code == 401
    assert "AADSTS7000215" in refused.json()["error_description"]


async def test_a_change_in_one_tenant_leaves_another_tenants_users_alone(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    ats = await set_up_integration(database, "contoso-ats.example")  # also has an HR user 'ats-integration'
    ats_headers = await hub.bearer(ats)
    assert (await hub.client.get("/api/data/v9.2/WhoAmI", headers=ats_headers)).status_code == 200

    disabled = await hub.client.patch(
        "/admin/v1/hr-users/ats-integration", json={"enabled": False}, headers=await hub.bearer(administrator)
    )
    assert disabled.status_code == 200  # the administrator's own tenant's user of that name
    assert (await hub.client.get("/api/data/v9.2/WhoAmI", headers=ats_headers)).status_code == 200


async def test_the_hr_user_switch_takes_effect_at_once_in_the_same_tenant(hub: Hub, administrator: Integration) -> None:
    headers = await hub.bearer(administrator)
    assert (await hub.client.get("/api/data/v9.2/WhoAmI", headers=headers)).status_code == 200
    disabled = await hub.client.patch("/admin/v1/hr-users/ats-integration", json={"enabled": False}, headers=headers)
    assert disabled.json() == {"user_id": "ats-integration", "enabled": False}
    who = await hub.client.get("/api/data/v9.2/WhoAmI", headers=headers)
    assert who.status_code == 403
    assert "disabled" in who.json()["error"]["message"]
    # The admin API does not need the HR layer, so the administrator can switch it back on.
    enabled = await hub.client.patch("/admin/v1/hr-users/ats-integration", json={"enabled": True}, headers=headers)
    assert enabled.status_code == 200
    assert (await hub.client.get("/api/data/v9.2/WhoAmI", headers=headers)).status_code == 200


async def test_consent_brings_a_multi_tenant_app_into_the_callers_tenant(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    publisher = await set_up_integration(database, "publisher.example", roles=(SYSTEM_ADMINISTRATOR_ROLE_NAME,))
    publisher_headers = await hub.bearer(publisher)
    multi = await hub.client.post(
        "/admin/v1/apps", json={"name": "SaaS ATS", "multi_tenant": True}, headers=publisher_headers
    )
    single = await hub.client.post("/admin/v1/apps", json={"name": "In-house"}, headers=publisher_headers)
    headers = await hub.bearer(administrator)

    consented = await hub.client.post(f"/admin/v1/apps/{multi.json()['client_id']}/consent", headers=headers)
    assert consented.status_code == 200
    assert consented.json()["tenant_id"] == str(administrator.tenant_id)
    refused = await hub.client.post(f"/admin/v1/apps/{single.json()['client_id']}/consent", headers=headers)
    assert refused.status_code == 400
    assert "single-tenant" in refused.json()["detail"]


# --- how it refuses ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "words", "field"),
    [
        ("get", "/admin/v1/apps/9c2bcd8e-0000-4000-8000-000000000000", None, 404, "no app registration", "client_id"),
        ("get", "/admin/v1/apps/not-a-guid", None, 400, "not a client ID", "client_id"),
        ("post", "/admin/v1/roles", {"name": "ATS integration"}, 409, "already exists", "name"),
        ("post", "/admin/v1/roles", {}, 400, "name", None),
        ("post", "/admin/v1/roles/ATS integration/privileges", {"table": "x", "privilege": "Read"}, 400, "built in",
         "role"),
        ("post", "/admin/v1/roles/Nobody/privileges", {"table": "x", "privilege": "Read"}, 404, "no security role",
         "role"),
        ("post", "/admin/v1/application-users", {"client_id": "x", "roles": []}, 400, "roles", None),
        ("post", "/admin/v1/hr-users", {"user_id": "u", "name": "U", "roles": ["Nope"]}, 404, "no HR role", "roles"),
        ("post", "/admin/v1/entra-app-links", {"client_id": "c", "name": "n", "user_id": "ghost"}, 404, "no HR user",
         "user_id"),
        ("post", "/admin/v1/trusted-issuers", {"issuer": "http://x", "jwks_uri": "http://y", "audiences": ["a"]},
         400, "https", "issuer"),
        ("patch", "/admin/v1/hr-users/ghost", {"enabled": False}, 404, "no HR user", "user_id"),
    ],
)  # fmt: skip
async def test_a_refusal_is_a_problem_document_naming_its_field_and_changes_nothing(
    hub: Hub, database: Database, administrator: Integration,
    method: str, path: str, body: dict[str, object] | None, status: int, words: str, field: str | None,
) -> None:  # fmt: skip
    headers = await hub.bearer(administrator)
    before = await audit_count(database, administrator.tenant_id)
    response = await hub.client.request(method.upper(), path, json=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.json()["detail"]
    assert response.json().get("field") == field
    assert await audit_count(database, administrator.tenant_id) == before


@pytest.mark.parametrize(
    ("privilege", "level", "words"),
    [("", "Organization", "unknown privilege"), ("Fly", "Organization", "unknown privilege"),
     ("Read", "Galaxy", "Galaxy")],
)  # fmt: skip
async def test_an_unknown_privilege_or_access_level_is_refused_not_a_server_error(
    hub: Hub, database: Database, administrator: Integration, privilege: str, level: str, words: str
) -> None:
    """Found by schemathesis: an empty privilege used to escape as a ValueError (500)."""
    headers = await hub.bearer(administrator)
    created = await hub.client.post("/admin/v1/roles", json={"name": "Recruiters"}, headers=headers)
    assert created.status_code in (200, 201), created.text
    before = await audit_count(database, administrator.tenant_id)
    body = {"table": "mshr_hcmworkerentity", "privilege": privilege, "level": level}
    response = await hub.client.post("/admin/v1/roles/Recruiters/privileges", json=body, headers=headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.json()["detail"]
    assert await audit_count(database, administrator.tenant_id) == before


async def test_a_secret_lifetime_outside_entras_limits_is_refused(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    headers = await hub.bearer(administrator)
    for days in (0, 731):
        response = await hub.client.post(
            f"/admin/v1/apps/{administrator.client_id}/secrets", json={"days": days}, headers=headers
        )
        assert response.status_code == 400
        assert "730 days" in response.json()["detail"]
    shown = await hub.client.get(f"/admin/v1/apps/{administrator.client_id}", headers=headers)
    assert len(shown.json()["credentials"]) == 2  # the fixture's secret and certificate, nothing added


async def test_an_administrator_sees_only_its_own_tenant(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    other = await set_up_integration(database, "northwind.example")
    headers = await hub.bearer(administrator)
    listed = await hub.client.get("/admin/v1/apps", headers=headers)
    assert [a["client_id"] for a in listed.json()["apps"]] == [administrator.client_id]
    assert (await hub.client.get(f"/admin/v1/apps/{other.client_id}", headers=headers)).status_code == 404
    async with database.tenant_session(other.tenant_id) as session:
        assert await session.scalar(select(func.count()).select_from(AppRegistration)) == 1


# --- client IDs are the hub's to draw; consent names the publisher (issue 18, finding 1) ----------------

TALENT_HUB = "3a225c96-d62a-44ce-b3ec-bd4e8e9befef"


async def test_a_tenant_administrator_cannot_register_a_published_client_id(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    """The attack: tenant B registers LinkedIn Talent Hub's adapter ID to receive the tokens A grants it."""
    headers = await hub.bearer(administrator)
    before = await audit_count(database, administrator.tenant_id)

    squat = {"name": "LinkedIn Talent Hub", "client_id": TALENT_HUB, "multi_tenant": True}
    response = await hub.client.post("/admin/v1/apps", json=squat, headers=headers)

    assert response.status_code == 400, response.text
    assert response.json()["field"] == "client_id"
    assert "operator" in response.json()["detail"]
    async with database.system_session() as session:
        assert await session.scalar(select(func.count()).select_from(AppRegistration)) == 1  # the administrator's
    assert await audit_count(database, administrator.tenant_id) == before


async def test_a_new_registration_gets_a_client_id_drawn_by_the_hub(hub: Hub, administrator: Integration) -> None:
    headers = await hub.bearer(administrator)
    first = await hub.client.post("/admin/v1/apps", json={"name": "Greenhouse"}, headers=headers)
    second = await hub.client.post("/admin/v1/apps", json={"name": "Greenhouse"}, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["client_id"] != second.json()["client_id"]


async def test_consent_shows_the_app_and_its_publisher_before_and_after(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    async with database.system_transaction() as session:
        linkedin = await tenancy.create_tenant(session, name="LinkedIn", domain="linkedin.example")
    async with database.tenant_transaction(linkedin.id) as session:  # the operator's act (hirehub app create)
        await apps.create_app(session, name="LinkedIn Talent Hub", multi_tenant=True, client_id=TALENT_HUB)
    headers = await hub.bearer(administrator)

    shown = await hub.client.get(f"/admin/v1/apps/{TALENT_HUB}/consent", headers=headers)
    consented = await hub.client.post(f"/admin/v1/apps/{TALENT_HUB}/consent", headers=headers)

    publisher = {"id": str(linkedin.id), "name": "LinkedIn", "domain": "linkedin.example"}
    for answer in (shown, consented):
        assert answer.status_code == 200, answer.text
        assert answer.json()["app_name"] == "LinkedIn Talent Hub"
        assert answer.json()["publisher_tenant"] == publisher
        assert "published by the organisation 'LinkedIn' (linkedin.example)" in answer.json()["consented_to"]
    assert consented.json()["client_id"] == TALENT_HUB
    assert consented.json()["tenant_id"] == str(administrator.tenant_id)


# --- trusted issuers: add, list, delete, per tenant (issue 18, finding 2) -----------------------------------

ISSUER = {"issuer": "https://login.microsoftonline.com/8a3c0f8e-0000-4000-8000-000000000001/v2.0",
          "jwks_uri": "https://login.microsoftonline.com/8a3c0f8e-0000-4000-8000-000000000001/discovery/v2.0/keys",
          "audiences": ["api://hirehub"]}  # fmt: skip


async def test_trusted_issuers_are_listed_and_deleted_in_the_callers_tenant_only(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    other = await set_up_integration(database, "fabrikam.example", roles=(SYSTEM_ADMINISTRATOR_ROLE_NAME,))
    mine, theirs = await hub.bearer(administrator), await hub.bearer(other)
    added = (await hub.client.post("/admin/v1/trusted-issuers", json=ISSUER, headers=mine)).json()
    copied = await hub.client.post("/admin/v1/trusted-issuers", json=ISSUER, headers=theirs)  # the same issuer
    assert copied.status_code == 201, copied.text

    listed = await hub.client.get("/admin/v1/trusted-issuers", headers=mine)
    foreign = await hub.client.delete(f"/admin/v1/trusted-issuers/{added['id']}", headers=theirs)
    deleted = await hub.client.delete(f"/admin/v1/trusted-issuers/{added['id']}", headers=mine)

    assert listed.json() == {"trusted_issuers": [added]}
    assert foreign.status_code == 404
    assert deleted.status_code == 200 and deleted.json() == added
    assert (await hub.client.get("/admin/v1/trusted-issuers", headers=mine)).json() == {"trusted_issuers": []}
    assert [t["id"] for t in (await hub.client.get("/admin/v1/trusted-issuers", headers=theirs)).json()[
        "trusted_issuers"]] == [copied.json()["id"]]  # fmt: skip


# --- over-long text is refused alike on both engines (issue 18, finding 8) ----------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/admin/v1/apps", {"name": "A" * 121}, "name"),
        ("/admin/v1/roles", {"name": "R" * 101}, "name"),
        ("/admin/v1/hr-users", {"user_id": "u" * 101, "name": "U", "roles": [RECRUITING_ROLE_ID]}, "user_id"),
        ("/admin/v1/application-users", {"client_id": "c" * 37, "roles": ["ATS integration"]}, "client_id"),
        ("/admin/v1/trusted-issuers", {**ISSUER, "issuer": "https://login.example/" + "i" * 300}, "issuer"),
    ],
)
async def test_over_long_text_is_a_problem_naming_its_field_and_changes_nothing(
    hub: Hub, database: Database, administrator: Integration, path: str, body: dict[str, object], field: str
) -> None:
    headers = await hub.bearer(administrator)
    before = await audit_count(database, administrator.tenant_id)

    response = await hub.client.post(path, json=body, headers=headers)

    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert "characters long" in response.json()["detail"]
    assert await audit_count(database, administrator.tenant_id) == before


async def test_an_over_long_secret_description_is_refused(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    headers = await hub.bearer(administrator)
    before = await audit_count(database, administrator.tenant_id)
    path = f"/admin/v1/apps/{administrator.client_id}/secrets"

    response = await hub.client.post(path, json={"description": "d" * 121}, headers=headers)

    assert response.status_code == 400, response.text
    assert response.json()["field"] == "description"
    assert await audit_count(database, administrator.tenant_id) == before
