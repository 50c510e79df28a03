"""Rest.li key syntax, 1.0 and 2.0: what LinkedIn's samples write, and round trips for any key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hirehub.restli import (
    Protocol,
    RestliSyntaxError,
    decode_key,
    encode_key,
    freeze_key,
    ids_query,
    parse_batch_response,
    parse_ids_query,
    protocol_from_header,
)

KEY = {
    "integrationContext": "urn:li:organization:4gX03uw",
    "integrationType": "ONE_CLICK_EXPORT",
    "tenantType": "RECRUITER",
    "dataProvider": "ATS",
}

names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
compound_keys = st.dictionaries(names, values, min_size=1, max_size=5)
protocols = st.sampled_from(list(Protocol))


def test_an_absent_protocol_header_means_1_0_and_2_0_0_means_2_0() -> None:
    assert protocol_from_header(None) is Protocol.V1
    assert protocol_from_header("2.0.0") is Protocol.V2
    with pytest.raises(RestliSyntaxError):
        protocol_from_header("3.0.0")


def test_a_1_0_body_key_decodes_from_the_seeds_raw_form_and_its_encoded_reordered_answer() -> None:
    sent = (
        "integrationContext=urn:li:organization:4gX03uw&integrationType=ONE_CLICK_EXPORT"
        "&tenantType=RECRUITER&dataProvider=ATS"
    )
    answered = (
        "integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS"
        "&integrationContext=urn%3Ali%3Aorganization%3A4gX03uw"
    )
    assert decode_key(sent, Protocol.V1) == KEY
    assert freeze_key(decode_key(answered, Protocol.V1)) == freeze_key(KEY)


def test_a_2_0_body_key_escapes_the_urns_colons() -> None:
    assert encode_key(KEY, Protocol.V2) == (
        "(integrationContext:urn%3Ali%3Aorganization%3A4gX03uw,integrationType:ONE_CLICK_EXPORT,"
        "tenantType:RECRUITER,dataProvider:ATS)"
    )


def test_1_0_batch_ids_are_indexed_query_parameters() -> None:
    assert ids_query([KEY], Protocol.V1) == (
        "ids[0].integrationContext=urn%3Ali%3Aorganization%3A4gX03uw&ids[0].integrationType=ONE_CLICK_EXPORT"
        "&ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS"
    )


def test_the_seeds_unencoded_1_0_query_parses() -> None:
    raw = (
        "ids[0].integrationContext=urn:li:organization:4gX03uw&ids[0].integrationType=ONE_CLICK_EXPORT"
        "&ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS"
    )
    assert parse_ids_query(raw, Protocol.V1) == [KEY]


def test_simple_ids_in_both_protocols() -> None:
    assert parse_ids_query("ids=CALLBACK_URL&ids=APPLICATION_VIEWERS", Protocol.V1) == [
        "CALLBACK_URL",
        "APPLICATION_VIEWERS",
    ]
    assert parse_ids_query("ids=List(CALLBACK_URL,APPLICATION_VIEWERS)", Protocol.V2) == [
        "CALLBACK_URL",
        "APPLICATION_VIEWERS",
    ]


def test_an_unescaped_reserved_character_in_a_2_0_value_is_refused() -> None:
    with pytest.raises(RestliSyntaxError):
        decode_key("(integrationContext:urn:li:organization:1)", Protocol.V2)


def test_gapped_1_0_indexes_are_refused() -> None:
    with pytest.raises(RestliSyntaxError):
        parse_ids_query("ids[0].a=1&ids[2].a=2", Protocol.V1)


def test_batch_answers_are_matched_by_decoded_parts() -> None:
    body = {"results": {encode_key(dict(reversed(list(KEY.items()))), Protocol.V1): {"status": 204}}, "errors": {}}
    results, errors = parse_batch_response(body, Protocol.V1)
    assert results == {freeze_key(KEY): {"status": 204}}
    assert errors == {}


@given(compound_keys, protocols)
def test_any_compound_key_survives_encoding_as_a_body_key(key: dict[str, str], protocol: Protocol) -> None:
    assert decode_key(encode_key(key, protocol), protocol, compound=True) == key


@given(values, protocols)
def test_any_simple_key_survives_encoding_as_a_body_key(key: str, protocol: Protocol) -> None:
    assert decode_key(encode_key(key, protocol), protocol, compound=False) == key


@given(st.lists(compound_keys, min_size=1, max_size=4), protocols)
def test_any_list_of_compound_keys_survives_the_ids_query(keys: list[dict[str, str]], protocol: Protocol) -> None:
    assert parse_ids_query(ids_query(keys, protocol), protocol) == keys


@given(st.lists(values.filter(lambda v: "=" not in v), min_size=1, max_size=4), protocols)
def test_any_list_of_simple_keys_survives_the_ids_query(keys: list[str], protocol: Protocol) -> None:
    assert parse_ids_query(ids_query(keys, protocol), protocol) == keys
