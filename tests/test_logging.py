"""Structured logs: one JSON object per line, with the event name and its fields; an exception as its traceback.

Finding 12 of the red-team pass: a 500 was logged as ``"exc_info": [..., "<traceback object at 0x…>"]``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from hirehub.api.app import create_app
from hirehub.api.middleware import _fault_response
from hirehub.db.session import Database
from hirehub.logging import configure_logging, get_logger
from hirehub.settings import Settings


def test_a_log_call_becomes_one_json_line_with_its_fields(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=True)
    get_logger("test").info("tenant.created", tenant_id="abc", domain="contoso.example")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["event"] == "tenant.created"
    assert record["tenant_id"] == "abc"
    assert record["level"] == "info"
    assert "timestamp" in record


def test_standard_library_loggers_are_rendered_as_json_too(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=True)
    logging.getLogger("some.library").warning("disk %s", "full")
    record = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert record["event"] == "disk full"
    assert record["level"] == "warning"


def _records(captured: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in captured.strip().splitlines() if line.startswith("{")]


def test_an_exception_is_logged_as_its_formatted_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=True)
    try:
        raise ValueError("the payroll file is empty")
    except ValueError:
        get_logger("test").exception("import.failed")
    record = _records(capsys.readouterr().err)[-1]
    assert record["event"] == "import.failed"
    assert "Traceback (most recent call last)" in record["exception"]
    assert 'raise ValueError("the payroll file is empty")' in record["exception"]
    assert "exc_info" not in record


def test_a_server_logging_an_exception_through_the_standard_library_carries_the_traceback_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", json=True)
    try:
        raise KeyError("tenant")
    except KeyError as exc:  # as uvicorn logs "Exception in ASGI application"
        logging.getLogger("uvicorn.error").error("Exception in ASGI application", exc_info=exc)
    record = _records(capsys.readouterr().err)[-1]
    assert "KeyError: 'tenant'" in record["exception"]
    assert "traceback object" not in json.dumps(record)


async def test_a_500_is_logged_with_its_traceback_and_request_id(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(Settings(database_url=database.url, log_level="INFO"), database)

    @app.get("/test/fault")
    async def fault() -> None:  # a test-only route: a bug, not a refusal
        raise ZeroDivisionError("headcount is zero")

    configure_logging("INFO", json=True)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        response = await client.get("/test/fault")
    assert response.status_code == 500
    failed = [r for r in _records(capsys.readouterr().err) if r.get("path") == "/test/fault"]
    assert len(failed) == 1
    assert failed[0]["level"] == "error" and failed[0]["status"] == 500
    assert "ZeroDivisionError: headcount is zero" in failed[0]["exception"]
    assert 'raise ZeroDivisionError("headcount is zero")' in failed[0]["exception"]
    assert len(failed[0]["request_id"]) == 32


async def test_a_500_carries_the_security_headers_and_request_id(database: Database) -> None:
    app = create_app(Settings(database_url=database.url, log_level="INFO"), database)

    @app.get("/test/fault")
    async def fault() -> None:
        raise ZeroDivisionError("headcount is zero")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        answer = await client.get("/test/fault")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-request-id"] in answer.json()["detail"]
    assert "headcount" not in answer.text  # the traceback goes to the log, not to the caller


def test_a_500_on_the_web_api_is_in_dataverses_error_shape() -> None:
    answer = _fault_response("/contoso/api/data/v9.2/mshr_hcmworkerentities", "abc")
    body = json.loads(bytes(answer.body))
    assert answer.status_code == 500
    assert body == {"error": {"code": "0x80040216", "message": "An unexpected error occurred (request id abc)."}}
