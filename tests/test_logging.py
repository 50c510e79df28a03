"""Structured logs: one JSON object per line, with the event name and its fields."""

from __future__ import annotations

import json
import logging

import pytest

from hirehub.logging import configure_logging, get_logger


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
