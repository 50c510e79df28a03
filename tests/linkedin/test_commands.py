"""``hirehub linkedin …`` against a migrated database and LinkedIn's emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from hirehub.cli import app
from hirehub.linkedin import runtime as linkedin_runtime
from hirehub.linkedin.runtime import LinkedInRuntime, linkedin_sealer
from hirehub.linkedin.tokens import TokenCache
from hirehub.outbound import HostMap, async_client
from hirehub.sandbox.linkedin import LinkedInWorld
from hirehub.sandbox.linkedin import create_app as create_linkedin
from hirehub.settings import get_settings
from tests.linkedin.conftest import LINKEDIN_ORIGINS, PARTNER_ID, PARTNER_SECRET

runner = CliRunner()


def hirehub(*args: str, stdin: str | None = None, expect: int = 0) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--json"], input=stdin)
    assert result.exit_code == expect, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    parsed: dict[str, Any] = json.loads(lines[0])
    return parsed


@pytest.fixture
def world(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[LinkedInWorld]:
    monkeypatch.setenv("HIREHUB_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("HIREHUB_LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    emulated = LinkedInWorld()
    emulated.register_partner("hirehub", client_id=PARTNER_ID, client_secret=PARTNER_SECRET)
    http = async_client(HostMap(dict.fromkeys(LINKEDIN_ORIGINS, "http://linkedin.test")),
                        inner=httpx.ASGITransport(create_linkedin(emulated)))  # fmt: skip
    settings = get_settings()
    linkedin_runtime.install(LinkedInRuntime(http, linkedin_sealer(settings.secret_key), settings.base_url,
                                             tokens=TokenCache()))  # fmt: skip
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    yield emulated
    linkedin_runtime.install(None)
    get_settings.cache_clear()


def test_the_partner_app_is_set_from_stdin_and_its_secret_never_shown(world: LinkedInWorld) -> None:
    assert hirehub("linkedin", "partner", "show") == {"configured": False}
    no_secret = hirehub("linkedin", "partner", "set", "--client-id", PARTNER_ID, expect=1)
    assert "stdin" in no_secret["error"]

    shown = hirehub("linkedin", "partner", "set", "--client-id", PARTNER_ID, "--client-secret-stdin",
                    stdin=PARTNER_SECRET + "\n")  # fmt: skip

    assert shown["client_id"] == PARTNER_ID and shown["contract"] == "development"
    assert PARTNER_SECRET not in json.dumps(hirehub("linkedin", "partner", "show"))
    refused = hirehub("linkedin", "partner", "set", "--client-id", PARTNER_ID, "--client-secret-stdin",
                      "--contract", "trial", stdin="x\n", expect=1)  # fmt: skip
    assert "not a contract" in refused["error"]


def test_enabling_provisions_one_customer_app_and_enabling_again_reuses_it(world: LinkedInWorld) -> None:
    refused = hirehub("linkedin", "enable", "--tenant", "contoso.example", expect=1)
    assert "partner application" in refused["error"]
    hirehub("linkedin", "partner", "set", "--client-id", PARTNER_ID, "--client-secret-stdin", stdin=PARTNER_SECRET)

    enabled = hirehub("linkedin", "enable", "--tenant", "contoso.example", "--width", "800")
    again = hirehub("linkedin", "enable", "--tenant", "contoso.example",
                    "--integration-types", "RECRUITER_SYSTEM_CONNECT_COMPANY,RECRUITER_SYSTEM_CONNECT_CONTRACT,"
                    "APPLY_WITH_LINKEDIN")  # fmt: skip

    children = [a for a in world.applications.values() if not a.is_partner]
    assert len(children) == 1 and enabled["client_id"] == children[0].client_id == again["client_id"]
    assert enabled["origin"] == "provisioned" and enabled["widget_width"] == 800
    assert again["integration_types"][-1] == "APPLY_WITH_LINKEDIN"
    assert children[0].current_secret not in json.dumps(hirehub("linkedin", "show", "--tenant", "contoso.example"))
    bad = hirehub("linkedin", "enable", "--tenant", "contoso.example", "--width", "5", expect=1)
    assert "width" in bad["error"]
    assert hirehub("linkedin", "show", "--tenant", "contoso.example")["linkedin"]["widget_width"] == 800


def test_a_customer_app_provisioned_before_is_found_by_its_unique_foreign_id(world: LinkedInWorld) -> None:
    hirehub("linkedin", "partner", "set", "--client-id", PARTNER_ID, "--client-secret-stdin", stdin=PARTNER_SECRET)
    tenant_id = hirehub("tenant", "list")["tenants"][0]["id"]
    partner = world.applications[PARTNER_ID]
    earlier = world.provision(partner, unique_foreign_id=tenant_id, name="hirehub - Contoso", description="lost answer")

    enabled = hirehub("linkedin", "enable", "--tenant", "contoso.example")

    assert enabled["client_id"] == earlier.client_id and enabled["application_urn"] == earlier.urn


def test_an_existing_customer_brings_its_key_and_can_turn_rsc_off(world: LinkedInWorld) -> None:
    enabled = hirehub("linkedin", "enable", "--tenant", "contoso.example", "--client-id", "existing-key",
                      "--client-secret-stdin", stdin="existing-secret\n")  # fmt: skip
    assert enabled["origin"] == "brought" and enabled["client_id"] == "existing-key"
    assert enabled["warnings"] == []
    assert hirehub("linkedin", "integrations", "list", "--tenant", "contoso.example")["integrations"] == []
    synced = hirehub("linkedin", "integrations", "sync", "--tenant", "contoso.example")
    assert synced["queued"] is False
    disabled = hirehub("linkedin", "disable", "--tenant", "contoso.example")
    assert disabled["enabled"] is False
    refused = hirehub("linkedin", "integrations", "sync", "--tenant", "contoso.example", expect=1)
    assert "not turned on" in refused["error"]


def test_data_sync_status_run_and_settings_answer_in_json_and_refuse_what_cannot_be(world: LinkedInWorld) -> None:
    hirehub("linkedin", "enable", "--tenant", "contoso.example", "--client-id", "existing-key",
            "--client-secret-stdin", stdin="existing-secret\n")  # fmt: skip
    assert hirehub("linkedin", "sync", "status", "--tenant", "contoso.example") == {
        "apply_url_template": None, "quota_today": {}, "organizations": [],
    }  # fmt: skip
    not_yet = hirehub("linkedin", "sync", "run", "--tenant", "contoso.example", expect=1)
    assert "ENABLED" in not_yet["error"]
    bad = hirehub("linkedin", "sync", "settings", "--tenant", "contoso.example",
                  "--apply-url-template", "careers.example/jobs", expect=1)  # fmt: skip
    assert "absolute" in bad["error"]
    no_id = hirehub("linkedin", "sync", "settings", "--tenant", "contoso.example",
                    "--apply-url-template", "https://careers.example/jobs", expect=1)  # fmt: skip
    assert "{id}" in no_id["error"]

    set_ = hirehub("linkedin", "sync", "settings", "--tenant", "contoso.example",
                   "--apply-url-template", "https://careers.example/jobs/{id}")  # fmt: skip

    assert set_ == {"apply_url_template": "https://careers.example/jobs/{id}"}
    status = hirehub("linkedin", "sync", "status", "--tenant", "contoso.example")
    assert status["apply_url_template"] == "https://careers.example/jobs/{id}"
