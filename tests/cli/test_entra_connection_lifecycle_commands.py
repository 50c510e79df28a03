"""``hirehub entra connection list|show|update|test|enable|disable|activate|delete|rotate-certificate``: the JSON
keys are an interface, and every refusal is one ``{"error"}`` object that changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from sqlalchemy import select

from hirehub.db.session import Database
from hirehub.directories.entra.models import EntraConnection
from hirehub.jobs.queue import enqueue
from hirehub.provisioning.sync import SYNC
from hirehub.settings import get_settings
from tests.cli.support import hirehub

TENANT = "contoso.example"


@pytest.fixture
def hub_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database with the schema the models declare (the commands' own tables included)."""
    monkeypatch.setenv("HIREHUB_DATABASE_URL", database_url)
    monkeypatch.setenv("HIREHUB_LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    hirehub("tenant", "create", "--name", "Contoso", "--domain", TENANT)
    yield database_url
    get_settings.cache_clear()


def _create(name: str, *, kind: str = "customer_owned") -> dict[str, Any]:
    extra = ["--client-id", str(uuid.uuid4())] if kind == "customer_owned" else []
    return hirehub(
        "entra", "connection", "create", "--tenant", TENANT, "--name", name, "--type", kind,
        "--directory-tenant-id", str(uuid.uuid4()), *extra,
    )  # fmt: skip


def _connections() -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = hirehub("entra", "connection", "list", "--tenant", TENANT)["connections"]
    return listed


def _by_name() -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in _connections()}


def test_the_list_has_exactly_the_documented_keys(hub_database: str) -> None:
    created = _create("Directory")
    _create("Delegated", kind="service_provider")
    listed = _by_name()
    assert set(listed["Directory"]) == {"id", "name", "type", "cloud", "enabled", "active", "certificate", "last_test"}
    directory = listed["Directory"]
    assert directory["id"] == created["id"] and directory["type"] == "customer_owned" and directory["cloud"] == "global"
    assert directory["enabled"] is True and directory["active"] is True and directory["last_test"] is None
    assert set(directory["certificate"]) == {"thumbprint", "expires"}
    assert directory["certificate"]["thumbprint"] == created["certificate_thumbprint"]
    assert listed["Delegated"]["certificate"] is None and listed["Delegated"]["active"] is False


def test_show_update_enable_disable_and_activate_by_id(hub_database: str) -> None:
    first = _create("First")["id"]
    second = _create("Second")["id"]
    shown = hirehub("entra", "connection", "show", "--tenant", TENANT, "--id", second)
    assert shown["active"] is False and shown["waiting_because"] is None
    tenant_id, client_id = str(uuid.uuid4()), str(uuid.uuid4())
    updated = hirehub(
        "entra", "connection", "update", "--tenant", TENANT, "--id", second, "--name", "Renamed",
        "--client-id", client_id, "--directory-tenant-id", tenant_id, "--cloud", "us_gov_l4", "--exchange",
    )  # fmt: skip
    assert (updated["name"], updated["client_id"], updated["directory_tenant_id"]) == ("Renamed", client_id, tenant_id)
    assert updated["cloud"] == "us_gov_l4" and updated["exchange_enabled"] is True
    no_exchange = hirehub("entra", "connection", "update", "--tenant", TENANT, "--id", second, "--no-exchange")
    assert no_exchange["exchange_enabled"] is False and no_exchange["name"] == "Renamed"

    disabled = hirehub("entra", "connection", "disable", "--tenant", TENANT, "--id", first)
    assert disabled["enabled"] is False and "is disabled" in disabled["waiting_because"]
    assert hirehub("entra", "connection", "enable", "--tenant", TENANT, "--id", first)["enabled"] is True

    activated = hirehub("entra", "connection", "activate", "--tenant", TENANT, "--id", second)
    assert activated["active"] is True and "has not passed Test connection" in activated["waiting_because"]
    assert {name: c["active"] for name, c in _by_name().items()} == {"First": False, "Renamed": True}


def test_a_rotation_keeps_the_new_certificate_pending_and_downloadable(hub_database: str, tmp_path: Path) -> None:
    created = _create("Directory")
    rotated = hirehub("entra", "connection", "rotate-certificate", "--tenant", TENANT, "--id", created["id"])
    assert set(rotated) == {"thumbprint", "previous_thumbprint", "expires"}
    assert rotated["previous_thumbprint"] == created["certificate_thumbprint"] != rotated["thumbprint"]
    assert _by_name()["Directory"]["certificate"]["thumbprint"] == created["certificate_thumbprint"]

    pending = hirehub("entra", "connection", "certificate", "--tenant", TENANT, "--id", created["id"], "--pending",
                      "--out", str(tmp_path / "new.pem"))  # fmt: skip
    current = hirehub("entra", "connection", "certificate", "--tenant", TENANT, "--name", "Directory",
                      "--out", str(tmp_path / "current.cer"))  # fmt: skip
    assert pending["thumbprint"] == rotated["thumbprint"] and current["thumbprint"] == created["certificate_thumbprint"]
    new = x509.load_pem_x509_certificate((tmp_path / "new.pem").read_bytes())
    old = x509.load_der_x509_certificate((tmp_path / "current.cer").read_bytes())
    assert new.serial_number != old.serial_number
    shown = hirehub("entra", "connection", "show", "--tenant", TENANT, "--id", created["id"])
    assert shown["pending_certificate"]["thumbprint"] == rotated["thumbprint"]


def test_test_answers_ok_and_the_problems_and_keeps_the_verdict(hub_database: str) -> None:
    created = _create("Delegated", kind="service_provider")
    verdict = hirehub("entra", "connection", "test", "--tenant", TENANT, "--id", created["id"])
    assert set(verdict) == {"ok", "problems"} and verdict["ok"] is False and verdict["problems"]
    last = _by_name()["Delegated"]["last_test"]
    assert last["ok"] is False and last["at"] and last["problems"] == verdict["problems"]


def test_a_connection_that_is_not_active_is_deleted(hub_database: str) -> None:
    _create("Active")
    spare = _create("Spare")["id"]
    deleted = hirehub("entra", "connection", "delete", "--tenant", TENANT, "--id", spare)
    assert deleted == {"id": spare, "name": "Spare", "deleted": True}
    assert list(_by_name()) == ["Active"]


def test_an_unknown_id_is_refused_with_one_error(hub_database: str) -> None:
    _create("Directory")
    for verb in ("show", "test", "enable", "disable", "delete", "activate", "rotate-certificate"):
        error = hirehub("entra", "connection", verb, "--tenant", TENANT, "--id", str(uuid.uuid4()), expect=1)
        assert set(error) == {"error"} and "no Entra connection" in error["error"], verb


def test_a_malformed_guid_is_refused_and_nothing_changes(hub_database: str) -> None:
    created = _create("Directory")
    error = hirehub("entra", "connection", "disable", "--tenant", TENANT, "--id", "not-a-guid", expect=1)
    assert set(error) == {"error"} and "not a connection id" in error["error"]
    bad_tenant = hirehub("entra", "connection", "update", "--tenant", TENANT, "--id", created["id"],
                         "--name", "Renamed", "--directory-tenant-id", "1111-not-a-guid", expect=1)  # fmt: skip
    assert "tenant ID must be a GUID" in bad_tenant["error"]
    assert _by_name()["Directory"]["enabled"] is True  # nothing changed, the name neither
    assert list(_by_name()) == ["Directory"]


def test_deleting_the_active_connection_while_jobs_depend_on_it_is_refused(hub_database: str) -> None:
    created = _create("Directory")
    asyncio.run(_queue_a_sync(hub_database, created["id"]))
    error = hirehub("entra", "connection", "delete", "--tenant", TENANT, "--id", created["id"], expect=1)
    assert set(error) == {"error"} and "depend on it" in error["error"]
    assert _by_name()["Directory"]["active"] is True


async def _queue_a_sync(url: str, connection_id: str) -> None:
    """A provisioning job waiting in the connection's tenant, as a hire queues one."""
    database = Database(url)
    try:
        async with database.system_session() as session:
            tenant_id = await session.scalar(
                select(EntraConnection.tenant_id).where(EntraConnection.id == uuid.UUID(connection_id))
            )
        async with database.tenant_transaction(tenant_id) as session:
            await enqueue(session, SYNC, {"person_id": str(uuid.uuid4()), "reason": "worker.hired"})
    finally:
        await database.dispose()
