"""What ``hirehub demo run`` prints once the group runs: plain lines a person can copy from, never a dict."""

from __future__ import annotations

import pytest

from hirehub.cli.demo import _announce
from hirehub.cli.demo_group import Started
from hirehub.demo import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, SandboxIdentity

IDENTITY = SandboxIdentity(
    tenant_id="t-1", default_domain="contoso.onmicrosoft.com", client_id="app-1", client_secret="s",
    admin="admin@contoso.onmicrosoft.com", admin_password="pw", linkedin_client_id="li-1", linkedin_client_secret="ls",
)  # fmt: skip
STARTED = Started("http://127.0.0.1:8000/console/", IDENTITY, "http://127.0.0.1:9", "http://127.0.0.1:10")


def test_the_sign_in_is_printed_on_lines_of_its_own(capsys: pytest.CaptureFixture[str]) -> None:
    _announce(STARTED, {})

    lines = capsys.readouterr().out.splitlines()
    assert "Console:   http://127.0.0.1:8000/console/" in lines
    assert f"E-mail:    {DEMO_ADMIN_EMAIL}" in lines
    assert f"Password:  {DEMO_ADMIN_PASSWORD}" in lines
    assert not any("{" in line for line in lines)
    assert not any(line.startswith("ATS app") for line in lines)


def test_the_ats_apps_credentials_are_printed_when_the_seed_made_one(capsys: pytest.CaptureFixture[str]) -> None:
    _announce(STARTED, {"ats_app": {"client_id": "ats-1", "client_secret": "ats-secret"}})

    out = capsys.readouterr().out
    assert "client ID ats-1" in out
    assert "client secret: ats-secret" in out
