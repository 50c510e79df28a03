"""``hirehub <noun> <verb> --json``: one JSON object per command, errors as {"error"} with exit code 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from hirehub.cli import app
from tests.cli.support import hirehub, runner


def test_db_upgrade_reports_the_revision_it_reached(hub_database: str) -> None:
    result = hirehub("db", "upgrade")
    assert result["from"] is None
    assert result["revision"] == result["head"]


def test_tenant_create_prints_the_guid_and_domain(hub_database: str) -> None:
    hirehub("db", "upgrade")
    tenant = hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    assert tenant["domain"] == "contoso.example"
    assert len(tenant["id"]) == 36
    listed = hirehub("tenant", "list")
    assert [t["id"] for t in listed["tenants"]] == [tenant["id"]]


def test_a_refused_command_prints_the_reason_and_exits_1(hub_database: str) -> None:
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    error = hirehub("tenant", "create", "--name", "Again", "--domain", "contoso.example", expect=1)
    assert "already belongs" in error["error"]


def test_a_refusal_is_one_object_holding_only_the_reason(hub_database: str) -> None:
    hirehub("db", "upgrade")

    error = hirehub("company", "list", "--tenant", "fabrikam.example", expect=1)

    assert list(error) == ["error"]


def test_without_json_a_refusal_is_one_line_on_stderr_and_nothing_on_stdout(hub_database: str) -> None:
    hirehub("db", "upgrade")

    result = runner.invoke(app, ["company", "list", "--tenant", "fabrikam.example"])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "error: no tenant 'fabrikam.example'"


def test_companies_are_created_and_listed_per_tenant_by_guid_or_domain(hub_database: str) -> None:
    hirehub("db", "upgrade")
    tenant = hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    company = hirehub("company", "create", "--tenant", tenant["id"], "--code", "USMF", "--name", "Contoso USA")
    assert company["code"] == "USMF"
    listed = hirehub("company", "list", "--tenant", "contoso.example")
    assert [c["code"] for c in listed["companies"]] == ["USMF"]
    unknown = hirehub("company", "list", "--tenant", "fabrikam.example", expect=1)
    assert "no tenant" in unknown["error"]


def test_demo_seed_creates_the_demo_tenant_once(hub_database: str) -> None:
    hirehub("db", "upgrade")
    first = hirehub("demo", "seed")
    second = hirehub("demo", "seed")
    assert first["created"] is True
    assert second["created"] is False
    assert first["tenant_id"] == second["tenant_id"]


def test_db_downgrade_to_base_then_current_shows_no_revision(hub_database: str) -> None:
    hirehub("db", "upgrade")
    assert hirehub("db", "downgrade", "--revision", "base")["revision"] is None
    assert hirehub("db", "current")["revision"] is None


def test_the_installed_console_script_speaks_the_same_json(hub_database: str) -> None:
    env = {**os.environ, "HIREHUB_DATABASE_URL": hub_database, "HIREHUB_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "hirehub", "db", "upgrade", "--json"]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["revision"] is not None
