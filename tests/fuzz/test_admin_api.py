"""The admin API, fuzzed from its own OpenAPI document (schemathesis draws each operation's path, query and body,
valid and not), with issue 18's hostile strings put into the string fields: every answer is a result or a problem
document, never a 5xx, and a refused change changes nothing in either tenant.

The cases are drawn by schemathesis and sent by the suite's client, so they run on the test's database and engine
(and event loop) like every other fuzz test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.fuzz.conftest import FUZZ
from tests.fuzz.hub import FuzzHub, Sent, unchanged_unless_accepted
from tests.fuzz.refusals import assert_problem
from tests.fuzz.strategies import hostile_text
from tests.odata.conftest import BASE

ADMIN = "^/admin/"


@pytest.fixture
def admin_cases(fuzz_hub: FuzzHub) -> Iterator[st.SearchStrategy[Any]]:
    """Every admin operation of the hub's OpenAPI document, as schemathesis cases valid and not."""
    schema = schemathesis.openapi.from_dict(fuzz_hub.app.openapi()).include(path_regex=ADMIN)
    operations = [result.ok() for result in schema.get_all_operations()]
    yield st.one_of([
        operation.as_strategy(generation_mode=mode)
        for operation in operations for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ])  # fmt: skip


def _hostile(value: Any, data: st.DataObject) -> Any:
    """``value`` with some of its strings, at any depth, replaced by hostile ones."""
    if isinstance(value, str) and data.draw(st.booleans()):
        return data.draw(hostile_text)
    if isinstance(value, dict):
        return {key: _hostile(item, data) for key, item in value.items()}
    if isinstance(value, list):
        return [_hostile(item, data) for item in value]
    return value


def _request(hub: FuzzHub, case: Any, data: st.DataObject) -> Sent:
    kwargs = case.as_transport_kwargs(base_url=BASE)
    url = httpx.URL(kwargs["url"], params=kwargs.get("params") or {})
    headers = {"Content-Type": "application/json", **hub.hr_headers}
    if "json" in kwargs:
        content: bytes | None = json.dumps(_hostile(kwargs["json"], data)).encode()
    else:
        content = kwargs.get("data") or kwargs.get("content")
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogatepass")
        if content is not None and not isinstance(content, bytes):
            content = json.dumps(content).encode()
    return Sent(kwargs["method"], f"{url.raw_path.decode()}", content, tuple(headers.items()))


@FUZZ
@given(data=st.data())
def test_any_admin_operation_is_answered_without_a_5xx_and_a_refusal_changes_nothing(
    fuzz_hub: FuzzHub, admin_cases: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    # given tenant A's administrator and any admin operation, its strings sometimes hostile
    case = data.draw(admin_cases)
    request = _request(fuzz_hub, case, data)
    # when it is sent, then it is a result or a problem document, and a refusal changed nothing
    response = unchanged_unless_accepted(fuzz_hub, request)
    assert_problem(response)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/admin/v1/roles", b'{"name": "a\\u0000b"}'),
        ("POST", "/admin/v1/roles", b'{"name": "\\udfff"}'),
        ("POST", "/admin/v1/application-users", b'{"client_id": "x", "roles": ["\\ud800"]}'),
        ("POST", "/admin/v1/hr-users", b'{"user_id": "\\u0000", "name": "n", "roles": ["r"]}'),
        ("POST", "/admin/v1/roles/a%00b/privileges", b'{"table": "t", "privilege": "Read"}'),
    ],
)
def test_text_no_column_can_hold_is_refused_by_the_admin_api_on_both_engines_and_changes_nothing(
    fuzz_hub: FuzzHub, method: str, path: str, body: bytes
) -> None:
    # given issue 18 finding 8's NUL and lone surrogates, in a body or a path
    headers = tuple({"Content-Type": "application/json", **fuzz_hub.hr_headers}.items())
    # when an administrator sends them, then a 400 problem document, and nothing changed
    response = unchanged_unless_accepted(fuzz_hub, Sent(method, path, body, headers))
    assert response.status_code == 400, response.text
    assert_problem(response)
