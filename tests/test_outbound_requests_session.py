"""MSAL's ``requests`` session: the CA bundle it is given holds even when the environment names another."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from hirehub.outbound import HostMap, requests_session


class _Recording(HTTPAdapter):
    """Answers every request itself and keeps the ``verify`` it was sent with."""

    def __init__(self) -> None:
        super().__init__()
        self.verify: list[Any] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.verify.append(kwargs.get("verify"))
        response = requests.Response()
        response.status_code, response.request, response.url = 200, request, str(request.url)
        return response


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_the_session_s_ca_bundle_wins_over_one_named_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "/etc/ssl/certs/ca-certificates.crt")
    session = requests_session(
        HostMap({"https://login.microsoftonline.com": "https://127.0.0.1:1"}), verify="/x/ca.pem"
    )
    adapter = _Recording()
    session.mount("https://", adapter)

    session.get("https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration")

    assert adapter.verify == ["/x/ca.pem"]


def test_without_a_bundle_of_its_own_the_session_still_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    session = requests_session(None)
    adapter = _Recording()
    session.mount("https://", adapter)

    session.get("https://graph.microsoft.com/v1.0/users")

    assert adapter.verify == ["/etc/ssl/certs/ca-certificates.crt"]
