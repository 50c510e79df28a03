"""``$batch`` bodies: well-formed multipart batches whose parts carry any path, options and body (alone or in change
sets that refer to each other), JSON batches, and multipart that is broken anywhere. Each is answered without a
5xx, refusals in Dataverse's shape, and a refused batch (or a refused change set inside one) changes nothing."""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ
from tests.fuzz.hub import FuzzHub, Sent, unchanged_unless_accepted
from tests.fuzz.refusals import assert_dataverse_refusal
from tests.fuzz.strategies import json_texts, paths, query, query_options, raw_bodies
from tests.odata.conftest import API

BATCH, CHANGES = "batch_fuzz", "changeset_fuzz"
MULTIPART = f"multipart/mixed; boundary={BATCH}"
CANDIDATES = "mshr_hcmcandidatetohireentities"


def _request(method: str, path: str, body: str | None, content_id: int | None) -> str:
    lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id is not None:
        lines.append(f"Content-ID: {content_id}")
    lines += ["", f"{method} {API}/{path} HTTP/1.1", "Content-Type: application/json; type=entry", ""]
    return "\r\n".join(lines) + "\r\n" + (body or "") + "\r\n"


reads = st.builds(lambda path, options: _request("GET", f"{path}?{query(options)}", None, None), paths, query_options)
changes = st.builds(
    _request,
    st.sampled_from(["POST", "PATCH", "DELETE", "PUT", "GET"]),
    st.sampled_from(["mshr_hcmcandidatetohireentities", "$1", "$1/mshr_FK_Person_id", "$9"]) | paths,
    st.none() | json_texts,
    st.none() | st.integers(1, 3),
)


def _change_set(members: list[str]) -> str:
    body = "".join(f"--{CHANGES}\r\n{member}" for member in members) + f"--{CHANGES}--\r\n"
    return f"Content-Type: multipart/mixed; boundary={CHANGES}\r\n\r\n{body}"


parts = reads | changes | st.lists(changes, min_size=1, max_size=3).map(_change_set)
batches = st.lists(parts, max_size=5).map(
    lambda items: ("".join(f"--{BATCH}\r\n{item}" for item in items) + f"--{BATCH}--\r\n").encode(
        "utf-8", "surrogatepass"
    )
)


def _send(hub: FuzzHub, body: bytes, content_type: str) -> None:
    headers = {**hub.hr_headers, "Content-Type": content_type}
    response = unchanged_unless_accepted(hub, Sent("POST", f"{API}/$batch", body, tuple(headers.items())))
    assert_dataverse_refusal(response)


@FUZZ
@given(body=batches)
@example(f"--{BATCH}\r\n{_request('POST', CANDIDATES, '[' * 100_000, None)}--{BATCH}--\r\n".encode())  # finding 8
def test_a_multipart_batch_of_any_parts_is_answered_without_a_5xx_and_a_refusal_changes_nothing(
    fuzz_hub: FuzzHub, body: bytes
) -> None:
    _send(fuzz_hub, body, MULTIPART)


@FUZZ
@given(body=batches | raw_bodies, cut=st.integers(0, 400), junk=raw_bodies, content_type=st.sampled_from([
    MULTIPART, "multipart/mixed", "multipart/mixed; boundary=", 'multipart/mixed; boundary="' + "b" * 80 + '"',
    "multipart/mixed; boundary=\x00", "application/json", "text/plain", "",
]))  # fmt: skip
def test_a_broken_batch_is_refused_without_a_5xx_and_changes_nothing(
    fuzz_hub: FuzzHub, body: bytes, cut: int, junk: bytes, content_type: str
) -> None:
    _send(fuzz_hub, body[:cut] + junk + body[cut:], content_type)


json_requests = st.fixed_dictionaries(
    {"id": st.integers(-1, 3).map(str), "method": st.sampled_from(["GET", "POST", "PATCH"]),
     "url": paths.map(lambda path: f"{API}/{path}")},
    optional={"body": st.just({"mshr_firstname": "Eve"}), "dependsOn": st.just(["1"]), "atomicityGroup": st.just("g")},
)  # fmt: skip


@FUZZ
@given(requests=st.lists(json_requests, max_size=4))
def test_a_json_batch_is_answered_without_a_5xx_and_a_refusal_changes_nothing(
    fuzz_hub: FuzzHub, requests: list[dict[str, object]]
) -> None:
    _send(fuzz_hub, json.dumps({"requests": requests}).encode(), "application/json")

