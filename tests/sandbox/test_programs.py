"""The sandboxes as programs a person runs: ``python -m hirehub.sandbox.entra`` and ``python -m
hirehub.sandbox.linkedin`` explain themselves in plain text with their defaults, and each serves on its own."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hirehub.sandbox.serving import free_port

pytestmark = pytest.mark.slow


def _help(module: str) -> str:
    result = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=True)
    return result.stdout


@pytest.mark.parametrize("module", ["hirehub.sandbox.entra", "hirehub.sandbox.linkedin"])
def test_help_is_plain_text_without_markup(module: str) -> None:
    text = _help(module)

    assert "``" not in text
    assert ":func:" not in text and ":class:" not in text and ":mod:" not in text
    assert f"usage: python -m {module}" in text


@pytest.mark.parametrize(("module", "port"), [("hirehub.sandbox.entra", 8443), ("hirehub.sandbox.linkedin", 8444)])
def test_help_shows_the_defaults(module: str, port: int) -> None:
    text = " ".join(_help(module).split())

    assert f"(default: {port})" in text
    assert "(default: 127.0.0.1)" in text
    assert "(default: None)" not in text


def _started(command: list[str], details_file: Path) -> Iterator[dict[str, Any]]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not details_file.exists():
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the sandbox did not start"
            time.sleep(0.1)
        yield json.loads(details_file.read_text())
    finally:
        process.terminate()
        process.wait(timeout=20)


def _answering(url: str, **options: Any) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(url, timeout=2, **options)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_the_linkedin_sandbox_serves_standalone_with_the_partner_credentials_it_was_given(tmp_path: Path) -> None:
    port = free_port()
    command = [
        sys.executable, "-m", "hirehub.sandbox.linkedin", "--port", str(port), "--client-id", "partner-1",
        "--client-secret", "s3cret", "--details-file", str(tmp_path / "details.json"), "--log-level", "warning",
    ]  # fmt: skip
    for details in _started(command, tmp_path / "details.json"):
        _answering(f"http://127.0.0.1:{port}/")
        token = httpx.post(
            f"http://127.0.0.1:{port}/oauth/v2/accessToken",
            data={"grant_type": "client_credentials", "client_id": "partner-1", "client_secret": "s3cret"},
        )

        assert details["client_id"] == "partner-1"
        assert details["host_map"] == {
            "https://www.linkedin.com": f"http://127.0.0.1:{port}",
            "https://api.linkedin.com": f"http://127.0.0.1:{port}",
        }
        assert token.status_code == 200, token.text
        assert token.json()["access_token"]


def test_the_entra_sandbox_serves_tls_with_its_own_ca_and_plain_http_for_browsers(tmp_path: Path) -> None:
    port, browser_port = free_port(), free_port()
    command = [
        sys.executable, "-m", "hirehub.sandbox.entra", "--port", str(port), "--tls-dir", str(tmp_path / "tls"),
        "--browser-port", str(browser_port), "--redirect-uri", "http://127.0.0.1:8000/connections/entra/callback",
        "--details-file", str(tmp_path / "details.json"), "--log-level", "warning",
    ]  # fmt: skip
    for details in _started(command, tmp_path / "details.json"):
        path = f"/{details['tenant_id']}/v2.0/.well-known/openid-configuration"
        over_tls = _answering(
            f"https://127.0.0.1:{port}{path}", verify=ssl.create_default_context(cafile=details["ca_bundle"])
        )
        for_browsers = _answering(f"http://127.0.0.1:{browser_port}{path}")

        assert details["host_map"]["https://login.microsoftonline.com"] == f"https://127.0.0.1:{port}"
        assert details["browser_base_url"] == f"http://127.0.0.1:{browser_port}"
        assert over_tls.status_code == 200, over_tls.text
        assert for_browsers.status_code == 200, for_browsers.text
        assert over_tls.json()["issuer"].endswith(f"/{details['tenant_id']}/v2.0")
