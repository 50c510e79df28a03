"""``POST /linkedin/push/{token}``, signed with the customer app's secret and not: whatever LinkedIn or an attacker
delivers is acknowledged or refused as a problem document, never a 5xx, and a refused delivery stores and queues
nothing."""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from hirehub.linkedin.runtime import PUSH_PATH
from hirehub.linkedin.signatures import sign
from tests.fuzz.conftest import FUZZ
from tests.fuzz.hub import PUSH_SECRET, FuzzHub, Sent, unchanged_unless_accepted
from tests.fuzz.refusals import assert_problem
from tests.fuzz.strategies import encoded, hostile_numbers, hostile_text, json_values, raw_bodies

notifications = st.fixed_dictionaries(
    {},
    optional={
        "id": st.uuids().map(str) | hostile_text | json_values,
        "type": st.sampled_from(["INTEGRATION_STATUS_CHANGE", "OTHER"]) | hostile_text | json_values,
        "expiresAt": st.just(0) | st.integers(-(2**70), 2**70) | hostile_text | json_values,
    },
)
bodies = raw_bodies | notifications.map(lambda document: json.dumps(document).encode()) | st.builds(
    lambda number: f'{{"id": "n", "type": "INTEGRATION_STATUS_CHANGE", "expiresAt": {number}}}'.encode(),
    hostile_numbers,
)


def _deliver(hub: FuzzHub, path: str, body: bytes, signature: str | None) -> None:
    headers = (("Content-Type", "application/json"),) + (() if signature is None else (("X-LI-Signature", signature),))
    response = unchanged_unless_accepted(hub, Sent("POST", path, body, headers))
    assert_problem(response)


@FUZZ
@given(body=bodies, prefixed=st.booleans())
@example(b"[" * 30_000 + b"]" * 30_000, False)  # issue 18 finding 8: a signed wall of brackets
def test_a_correctly_signed_delivery_of_any_body_is_answered_without_a_5xx_and_a_refusal_changes_nothing(
    fuzz_hub: FuzzHub, body: bytes, prefixed: bool
) -> None:
    # given tenant A's callback URL and any body signed with A's customer-app secret
    signature = ("hmacsha256=" if prefixed else "") + sign(body, PUSH_SECRET)
    # when it is delivered, then it is acknowledged or refused as a problem, and a refusal changed nothing
    _deliver(fuzz_hub, fuzz_hub.push_path, body, signature)


@FUZZ
@given(
    body=bodies, signature=st.none() | st.just("another secret") | hostile_text,
    token=st.none() | hostile_text | st.text(max_size=70),
)  # fmt: skip
@example(b"{}", None, "\x00")  # a NUL in the callback URL's token
@example(b"{}", None, "\ud800")
@example(b"{}", None, "a" * 5000)
def test_an_unsigned_or_misrouted_delivery_is_refused_without_a_5xx_and_changes_nothing(
    fuzz_hub: FuzzHub, body: bytes, signature: str | None, token: str | None
) -> None:
    # given A's callback URL or any other token, and a body unsigned, signed with another secret or a junk header
    path = fuzz_hub.push_path if token is None else f"{PUSH_PATH}/{encoded(token)}"
    header = sign(body, signature) if signature == "another secret" else signature
    # when it is delivered, then it is refused as a problem and nothing changed
    _deliver(fuzz_hub, path, body, header)
