"""``/admin/v1/entra-connections…``: a connection's life over the admin API, RFC 9457 problems on refusal, tenant
isolation, the same authentication as every admin route, and the certificate gauge at ``/metrics``."""

from __future__ import annotations

import uuid
from typing import Any

from cryptography import x509
from sqlalchemy import select

from hirehub.audit.models import AuditEntry
from hirehub.db.session import Database
from hirehub.jobs.queue import enqueue
from hirehub.provisioning.sync import SYNC
from hirehub.security.privileges import SYSTEM_ADMINISTRATOR_ROLE_NAME
from tests.api.conftest import Hub
from tests.api.test_admin_lifecycle_api import hire
from tests.security.conftest import Integration, set_up_integration

ROOT = "/admin/v1/entra-connections"


def _new(name: str = "Contoso directory", **fields: Any) -> dict[str, Any]:
    return {"name": name, "directory_tenant_id": str(uuid.uuid4()), "client_id": str(uuid.uuid4()), **fields}


async def test_a_connection_is_created_listed_edited_and_switched_off_and_on(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    headers = await hub.bearer(administrator)
    created = await hub.client.post(ROOT, json=_new(), headers=headers)
    assert created.status_code == 201
    first = created.json()
    assert first["active"] is True and first["certificate"]["thumbprint"]
    second = (await hub.client.post(ROOT, json=_new("Spare", type="service_provider", client_id=None),
                                    headers=headers)).json()  # fmt: skip
    assert second["active"] is False and second["certificate"] is None

    listed = (await hub.client.get(ROOT, headers=headers)).json()["connections"]
    assert [c["name"] for c in listed] == ["Contoso directory", "Spare"]
    assert set(listed[0]) == {"id", "name", "type", "cloud", "enabled", "active", "certificate", "last_test"}

    edited = await hub.client.patch(f"{ROOT}/{first['id']}", json={"name": "Renamed", "exchange_enabled": True},
                                    headers=headers)  # fmt: skip
    assert edited.status_code == 200 and edited.json()["name"] == "Renamed" and edited.json()["exchange_enabled"]
    disabled = (await hub.client.post(f"{ROOT}/{first['id']}/disable", headers=headers)).json()
    assert disabled["enabled"] is False and "is disabled" in disabled["waiting_because"]
    assert (await hub.client.post(f"{ROOT}/{first['id']}/enable", headers=headers)).json()["enabled"] is True
    activated = (await hub.client.post(f"{ROOT}/{second['id']}/activate", headers=headers)).json()
    assert activated["active"] is True
    assert (await hub.client.get(f"{ROOT}/{first['id']}", headers=headers)).json()["active"] is False

    tested = await hub.client.post(f"{ROOT}/{second['id']}/test", headers=headers)
    assert tested.status_code == 200 and set(tested.json()) == {"ok", "problems"} and tested.json()["ok"] is False

    assert (await hub.client.delete(f"{ROOT}/{first['id']}", headers=headers)).status_code == 204
    assert (await hub.client.get(f"{ROOT}/{first['id']}", headers=headers)).status_code == 404
    async with database.tenant_session(administrator.tenant_id) as session:
        actions = set(await session.scalars(select(AuditEntry.action)))
    assert {"entra.connection.create", "entra.connection.update", "entra.connection.disable",
            "entra.connection.enable", "entra.connection.activate", "entra.connection.test",
            "entra.connection.delete"} <= actions  # fmt: skip


async def test_a_rotation_offers_both_certificates_for_download(hub: Hub, administrator: Integration) -> None:
    headers = await hub.bearer(administrator)
    created = (await hub.client.post(ROOT, json=_new(), headers=headers)).json()
    rotated = (await hub.client.post(f"{ROOT}/{created['id']}/rotate-certificate", headers=headers)).json()
    assert set(rotated) == {"thumbprint", "previous_thumbprint", "expires"}
    assert rotated["previous_thumbprint"] == created["certificate"]["thumbprint"]
    both = (await hub.client.get(f"{ROOT}/{created['id']}/certificates", headers=headers)).json()
    assert both["current"]["thumbprint"] == created["certificate"]["thumbprint"]
    assert both["pending"]["thumbprint"] == rotated["thumbprint"]
    pending = await hub.client.get(f"{ROOT}/{created['id']}/certificate?which=pending", headers=headers)
    current = await hub.client.get(f"{ROOT}/{created['id']}/certificate?format=cer", headers=headers)
    new = x509.load_pem_x509_certificate(pending.content)
    old = x509.load_der_x509_certificate(current.content)
    assert new.serial_number != old.serial_number


async def test_refusals_are_problems_and_change_nothing(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    headers = await hub.bearer(administrator)
    created = (await hub.client.post(ROOT, json=_new(), headers=headers)).json()
    malformed = await hub.client.post(f"{ROOT}/not-a-guid/disable", headers=headers)
    assert malformed.status_code == 400 and malformed.headers["content-type"] == "application/problem+json"
    assert malformed.json()["field"] == "id"
    unknown = await hub.client.post(f"{ROOT}/{uuid.uuid4()}/enable", headers=headers)
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    bad_edit = await hub.client.patch(f"{ROOT}/{created['id']}",
                                      json={"name": "Renamed", "client_id": "1111"}, headers=headers)  # fmt: skip
    assert bad_edit.status_code == 400 and bad_edit.json()["field"] == "client_id"
    assert (await hub.client.get(f"{ROOT}/{created['id']}", headers=headers)).json()["name"] == "Contoso directory"

    async with database.tenant_transaction(administrator.tenant_id) as session:
        await enqueue(session, SYNC, {"person_id": str(uuid.uuid4()), "reason": "worker.hired"})
    refused = await hub.client.delete(f"{ROOT}/{created['id']}", headers=headers)
    assert refused.status_code == 409 and "depend on it" in refused.json()["detail"]
    assert (await hub.client.get(f"{ROOT}/{created['id']}", headers=headers)).json()["active"] is True


async def test_another_tenants_connection_is_unknown_here(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    other = await set_up_integration(database, "fabrikam.example", roles=(SYSTEM_ADMINISTRATOR_ROLE_NAME,))
    theirs = (await hub.client.post(ROOT, json=_new("Fabrikam"), headers=await hub.bearer(other))).json()
    headers = await hub.bearer(administrator)
    assert (await hub.client.get(ROOT, headers=headers)).json()["connections"] == []
    for method, path in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/disable"), ("POST", "/activate"),
                         ("POST", "/rotate-certificate"), ("GET", "/certificate")):  # fmt: skip
        body = {"name": "Mine now"} if method == "PATCH" else None
        answer = await hub.client.request(method, f"{ROOT}/{theirs['id']}{path}", json=body, headers=headers)
        assert answer.status_code == 404, (method, path)
    assert (await hub.client.get(f"{ROOT}/{theirs['id']}", headers=await hub.bearer(other))).json()["enabled"]


async def test_the_routes_need_an_administrators_token(hub: Hub) -> None:
    assert (await hub.client.get(ROOT)).status_code == 401
    assert (await hub.client.post(ROOT, json=_new())).status_code == 401


async def test_metrics_serve_the_days_left_of_each_certificate(hub: Hub, administrator: Integration) -> None:
    headers = await hub.bearer(administrator)
    created = (await hub.client.post(ROOT, json=_new(), headers=headers)).json()
    metrics = (await hub.client.get("/metrics", headers=headers)).text
    (line,) = [
        line for line in metrics.splitlines()
        if line.startswith("hirehub_entra_certificate_days_left{") and created["id"] in line
    ]  # fmt: skip
    assert 'certificate="current"' in line and 729 < float(line.rsplit(" ", 1)[1]) <= 730


async def test_plan_preview_says_why_the_active_connection_does_not_provision(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    headers = await hub.bearer(administrator)
    await hub.client.post(ROOT, json=_new(), headers=headers)
    number = await hire(database, administrator)
    preview = await hub.client.get(f"/admin/v1/workers/{number}/plan", headers=headers)
    assert preview.status_code == 200
    assert preview.json()["directory"].startswith("waiting: the Entra connection 'Contoso directory' has not passed")
    assert preview.json()["steps"][0].startswith("create")
