"""What the fuzz suite sends: issue 18's hostile inputs mixed with the OData vocabulary of tests/odata/test_fuzzing.py.

Hostile means what broke the hub before: thousands of digits, digits that are not ASCII (``²``), values past a
database column's range or length, NUL, lone surrogates, JSON nested past the parser's recursion limit, and
bodies that are not what their ``Content-Type`` says.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from tests.odata.test_fuzzing import NAMES, TOKENS, json_values

ENTITY_SETS = (
    "mshr_hcmcandidatetohireentities", "mshr_dirpersonentities", "mshr_hcmworkerentities", "mshr_hcmjobentities",
    "mshr_hcmpositionv2entities", "mshr_omdepartmententities", "mshr_hcmpersonskillentities",
    "mshr_hcmrecruitingrequestentities", "mshr_hcmemploymententities", "cdm_companies", "nope",
)  # fmt: skip
HOSTILE_TEXT = (
    "\x00", "a\x00b", "\ud800", "\udfff", "\u202e", "\ufeff", "²", "٣", "𝟗", "Ⅻ", "İ", "e\u0301", "🙂", "'", "''", "\\",
    "%00", "%", "1e400", "-1e400", "-0", "NaN", "Infinity",
    "9999-12-31T23:59:59Z", "10000-01-01", "0000-00-00", "2026-02-30", "0001-01-01T00:00:00Z", "1969-12-31",
    "-271821-04-20", "2026-01-31T25:61:61Z", "00000000-0000-0000-0000-000000000000", "{", "[", "]]", "\r\n", " ",
)  # fmt: skip
QUERY_OPTIONS = (
    "$filter", "$select", "$orderby", "$top", "$skip", "$expand", "$apply", "$count", "$skiptoken", "$search",
    "$format", "@p1", "@p2", "unknown",
)  # fmt: skip

LENGTHS = (41, 65, 101, 201, 256, 401, 1001, 4301, 5000)
"""Past the columns' lengths (20 to 1000 characters), and past Python's 4,300-digit limit for numbers."""


def _digits(sign: str, count: int) -> str:
    return sign + "9" * count


long_text = st.builds(lambda letter, length: letter * length, st.sampled_from("a9é\x00"), st.sampled_from(LENGTHS))
hostile_text = st.sampled_from(HOSTILE_TEXT) | long_text | st.text(max_size=8)
hostile_numbers = st.integers(-(2**70), 2**70).map(str) | st.builds(
    _digits, st.sampled_from(["", "-"]), st.sampled_from(LENGTHS)
)
"""Numbers as text: a Python int of 4,300+ digits cannot even be written by the test."""
fragments = st.lists(st.sampled_from(TOKENS) | hostile_text | hostile_numbers, max_size=10).map("".join)


def encoded(value: str) -> str:
    """``value`` percent-encoded as UTF-8, lone surrogates included (an attacker's bytes, not valid text)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def query(options: list[tuple[str, str]]) -> str:
    return "&".join(f"{name}={encoded(value)}" for name, value in options)


query_options = st.lists(st.tuples(st.sampled_from(QUERY_OPTIONS), fragments), max_size=4)
keys = st.one_of(
    hostile_numbers,
    st.sampled_from(["²", "1", "-1", "'CAND-000001'", "mshr_candidateid='CAND-000001'", "()", "''"]),
    st.uuids().map(str),
    hostile_text.map(lambda text: f"mshr_candidateid='{text}'"),
    fragments,
)
paths = st.builds(
    lambda entity_set, key, tail: entity_set + ("" if key is None else f"({encoded(key)})") + tail,
    st.sampled_from(ENTITY_SETS),
    st.none() | keys,
    st.sampled_from(["", "", "/$count", "/mshr_FK_Person_id", "/$ref", "/Microsoft.Dynamics.CRM.nope"]),
)
page_sizes = st.one_of(
    hostile_numbers, hostile_text, st.sampled_from(["0", "-5", "5000", "1" * 30, "5, odata.maxpagesize=6"])
)
prefer = st.none() | page_sizes.map(lambda size: f"odata.maxpagesize={size}") | st.sampled_from(
    ['return=representation', 'odata.include-annotations="*"', "odata.track-changes", "respond-async"]
)


def _nested(depth: int, *, inside: str = "") -> str:
    return '{"mshr_firstname":' * depth + json.dumps(inside) + "}" * depth


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True)


field_values = json_values | hostile_text | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True)
record_bodies = st.dictionaries(
    st.sampled_from([*NAMES, "mshr_FK_Person_id@odata.bind", "@odata.type", "mshr_hcmcandidatetohireentityid"])
    | hostile_text,
    field_values,
    max_size=5,
)
json_texts = st.one_of(
    record_bodies.map(_dumps),
    json_values.map(_dumps),
    st.integers(1, 100_000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(1, 100_000).map(_nested),
    st.builds(lambda name, number: f'{{"{name}": {number}}}', st.sampled_from(NAMES), hostile_numbers),
    st.sampled_from(['{"mshr_firstname": NaN}', '{"a": 1, "a": 2}', '{"mshr_firstname": "\\ud800"}', '{"x": 1e999}']),
)
"""JSON documents as text: the encoder alone cannot write the deepest or the longest ones."""
raw_bodies = json_texts.map(lambda text: text.encode("utf-8", "surrogatepass")) | st.binary(max_size=300)
