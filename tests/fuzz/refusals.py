"""The shape of a refusal in each protocol the suite attacks: a refusal is an answer, not just a status."""

from __future__ import annotations

import httpx


def assert_dataverse_refusal(response: httpx.Response) -> None:
    """A 4xx from the Web API carries Dataverse's error body (``{"error": {"code": "0x…", "message": …}}``)."""
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["code"].startswith("0x") and error["message"], response.text


def assert_problem(response: httpx.Response) -> None:
    """A 4xx from the admin API or the push endpoint is an RFC 9457 problem document."""
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), response.text
        assert response.json()["status"] == response.status_code, response.text
