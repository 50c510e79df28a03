"""Issue 18, finding 8: inputs that used to reach a 500 answer 400 in Dataverse's shape and change nothing, on
SQLite and PostgreSQL alike (run the file with each ``HIREHUB_TEST_ENGINE``)."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import httpx
import pytest

from hirehub.odata.batch_codec import BatchResponse, ChangeSetResponse, parse_batch_response
from hirehub.odata.errors import BAD_PAYLOAD, QUERY_SYNTAX
from tests.odata.conftest import API, CANDIDATES, Caller

pytestmark = pytest.mark.usefixtures("hub")


def assert_dataverse_400(response: httpx.Response, code: str | None = None) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message"}
    if code is not None:
        assert error["code"] == code


async def _count(caller: Caller) -> int:
    return int((await caller.get(f"{CANDIDATES}/$count")).text)


async def _post_raw(caller: Caller, body: bytes) -> httpx.Response:
    return await caller.client.post(CANDIDATES, content=body,
                                    headers={**caller.headers, "Content-Type": "application/json"})  # fmt: skip


# --- query options -------------------------------------------------------------------------------------------


async def test_a_top_of_4301_digits_is_a_400(hr: Caller) -> None:
    assert_dataverse_400(await hr.get(f"{CANDIDATES}?$top={'9' * 4301}"), QUERY_SYNTAX)


async def test_a_top_written_with_a_superscript_digit_is_a_400(hr: Caller) -> None:
    assert_dataverse_400(await hr.get(f"{CANDIDATES}?$top=\u00b2"), QUERY_SYNTAX)


async def test_a_huge_maxpagesize_is_capped_as_dataverse_caps_any_page_size(hr: Caller) -> None:
    """Not a refusal: Dataverse applies its maximum to any larger preference, and says so."""
    response = await hr.get(CANDIDATES, Prefer=f"odata.maxpagesize={'9' * 5000}")

    assert response.status_code == 200
    assert response.headers["Preference-Applied"] == "odata.maxpagesize=5000"


async def test_a_key_of_5000_digits_is_a_400(hr: Caller) -> None:
    assert_dataverse_400(await hr.get(f"{CANDIDATES}(mshr_candidateid={'9' * 5000})"), QUERY_SYNTAX)


async def test_a_nul_in_a_filter_is_a_400(hr: Caller) -> None:
    condition = quote("mshr_firstname eq 'a\x00b'")

    assert_dataverse_400(await hr.get(f"{CANDIDATES}?$filter={condition}"), QUERY_SYNTAX)


async def test_a_nul_in_an_alternate_key_is_a_400(hr: Caller) -> None:
    assert_dataverse_400(await hr.get(f"{CANDIDATES}(mshr_candidateid='a%00b')"), QUERY_SYNTAX)


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
async def test_a_datetime_literal_outside_what_a_column_holds_is_a_400(hr: Caller, moment: str) -> None:
    """Both are valid offsets of instants in the years 10000 and 0 in UTC, which no database column holds."""
    assert_dataverse_400(await hr.get(f"{CANDIDATES}?$filter=createdon gt {quote(moment)}"), QUERY_SYNTAX)


async def test_an_orderby_longer_than_a_row_can_be_is_a_400(hr: Caller) -> None:
    keys = ",".join(["mshr_firstname"] * 3000)

    assert_dataverse_400(await hr.get(f"{CANDIDATES}?$orderby={keys}"), QUERY_SYNTAX)


async def test_a_skiptoken_nested_too_deep_is_a_400(hr: Caller) -> None:
    token = base64.urlsafe_b64encode(b"[" * 5_000 + b"]" * 5_000).decode().rstrip("=")

    assert_dataverse_400(await hr.get(f"{CANDIDATES}?$skiptoken={token}"), QUERY_SYNTAX)


# --- bodies --------------------------------------------------------------------------------------------------


async def test_a_body_nested_too_deep_is_a_400_and_creates_nothing(hr: Caller) -> None:
    body = b'{"mshr_firstname": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    assert_dataverse_400(await _post_raw(hr, body), BAD_PAYLOAD)
    assert await _count(hr) == 0


async def test_a_lone_surrogate_is_a_400_and_creates_nothing(hr: Caller) -> None:
    body = json.dumps({"mshr_firstname": "a\ud800", "mshr_lastname": "Lee"}).encode()

    assert_dataverse_400(await _post_raw(hr, body), BAD_PAYLOAD)
    assert await _count(hr) == 0


async def test_a_nul_in_a_written_value_is_a_400_and_creates_nothing(hr: Caller) -> None:
    assert_dataverse_400(await hr.post(CANDIDATES, {"mshr_firstname": "a\x00b", "mshr_lastname": "Lee"}), BAD_PAYLOAD)
    assert await _count(hr) == 0


async def test_a_nul_in_an_update_is_a_400_and_changes_nothing(hr: Caller) -> None:
    record = await hr.create(CANDIDATES, {"mshr_firstname": "Ann", "mshr_lastname": "Lee"})

    assert_dataverse_400(await hr.patch(f"{CANDIDATES}({record})", {"mshr_lastname": "L\x00"}), BAD_PAYLOAD)
    assert (await hr.get(f"{CANDIDATES}({record})")).json()["mshr_lastname"] == "Lee"


async def test_a_string_longer_than_its_column_is_a_400_on_both_engines(hr: Caller) -> None:
    assert_dataverse_400(await hr.post(CANDIDATES, {"mshr_firstname": "a" * 26, "mshr_lastname": "Lee"}), BAD_PAYLOAD)
    assert await _count(hr) == 0


async def test_a_batch_part_nested_too_deep_is_answered_with_a_400_part(hr: Caller) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    body = "\r\n".join([
        "--b", "Content-Type: multipart/mixed; boundary=c", "",
        "--c", "Content-Type: application/http", "Content-Transfer-Encoding: binary", "Content-ID: 1", "",
        f"POST {CANDIDATES} HTTP/1.1", "Content-Type: application/json", "", '{"mshr_firstname": ' + nested + "}",
        "--c--", "--b--", "",
    ]).encode()  # fmt: skip

    response = await hr.client.post(f"{API}/$batch", content=body,
                                    headers={**hr.headers, "Content-Type": "multipart/mixed; boundary=b"})  # fmt: skip

    assert response.status_code == 200
    (change_set,) = parse_batch_response(response.content, response.headers["content-type"])
    assert isinstance(change_set, ChangeSetResponse)
    (part,) = change_set.responses
    assert isinstance(part, BatchResponse) and part.status == 400
    assert json.loads(part.body)["error"]["code"] == BAD_PAYLOAD
    assert await _count(hr) == 0
