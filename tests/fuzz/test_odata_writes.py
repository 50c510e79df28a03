"""Write bodies on the Web API: records with any fields and values, JSON nested past the parser's limits, numbers
of thousands of digits, NUL and lone surrogates, bytes that are not JSON. Each is accepted or refused in
Dataverse's shape, never a 5xx, and a refused write changes nothing in either tenant."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ
from tests.fuzz.hub import FuzzHub, Sent, unchanged_unless_accepted
from tests.fuzz.refusals import assert_dataverse_refusal
from tests.fuzz.strategies import ENTITY_SETS, encoded, keys, raw_bodies
from tests.odata.conftest import API

writes = st.sampled_from(["POST", "PATCH", "DELETE"])
targets = st.builds(
    lambda entity_set, key: entity_set if key is None else f"{entity_set}({encoded(key)})",
    st.sampled_from(ENTITY_SETS[:3]) | st.sampled_from(ENTITY_SETS),
    st.none() | keys,
)
content_types = st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", ""])


@FUZZ
@given(
    caller=st.sampled_from(["ats", "hr"]), method=writes, target=targets, body=raw_bodies, content_type=content_types,
    if_match=st.none() | st.sampled_from(["*", 'W/"1"', 'W/"' + "9" * 5000 + '"', "\x00"]),
)  # fmt: skip
# issue 18 finding 8's writes, replayed on every run
@example("ats", "POST", ENTITY_SETS[0], b"[" * 100_000 + b"]" * 100_000, "application/json", None)
@example("ats", "POST", ENTITY_SETS[0], b'{"mshr_firstname": "\\ud800"}', "application/json", None)
@example("ats", "POST", ENTITY_SETS[0], b'{"mshr_firstname": "a\\u0000b"}', "application/json", None)
@example("ats", "POST", ENTITY_SETS[0], b'{"mshr_lastname": ' + b"9" * 5000 + b"}", "application/json", None)
@example("hr", "POST", ENTITY_SETS[0], b'{"mshr_birthdate": "10000-01-01"}', "application/json", None)
@example("hr", "POST", ENTITY_SETS[0], b'{"mshr_firstname": "' + b"a" * 5000 + b'"}', "application/json", None)
@example("hr", "PATCH", f"{ENTITY_SETS[0]}(mshr_candidateid='CAND-000001')", b'{"mshr_email": "\\u0000"}',
         "application/json", 'W/"' + "9" * 5000 + '"')  # fmt: skip
def test_a_write_with_any_body_is_answered_without_a_5xx_and_a_refusal_changes_nothing(
    fuzz_hub: FuzzHub, caller: str, method: str, target: str, body: bytes, content_type: str, if_match: str | None
) -> None:
    # given a tenant's data and any write
    headers = dict(fuzz_hub.ats_headers if caller == "ats" else fuzz_hub.hr_headers)
    headers["Content-Type"] = content_type
    if if_match is not None:
        headers["If-Match"] = if_match
    # when it is sent, then it is accepted or refused in Dataverse's shape, and a refusal changed nothing
    response = unchanged_unless_accepted(fuzz_hub, Sent(method, f"{API}/{target}", body, tuple(headers.items())))
    assert_dataverse_refusal(response)
