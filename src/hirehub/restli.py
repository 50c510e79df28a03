"""Rest.li keys on the wire, protocol 1.0 and 2.0: the syntax LinkedIn's APIs (and so its emulator) speak.

LinkedIn's Middleware Platform identifies an integration by a *compound key* (``integrationContext``,
``integrationType``, ``tenantType``, ``dataProvider``) and a configuration by a *simple key* (``CALLBACK_URL``).
Rest.li writes such keys in four places, and each protocol version has its own syntax for each:

===================  ============================================  ===============================================
where                protocol 1.0 (no ``X-RestLi-Protocol-Version``) protocol 2.0 (``X-RestLi-Protocol-Version: 2.0.0``)
===================  ============================================  ===============================================
batch ids, query     ``ids[0].k1=v1&ids[0].k2=v2&ids[1].k1=…``     ``ids=List((k1:v1,k2:v2),(k1:…))``
                     simple: ``ids=A&ids=B``                       simple: ``ids=List(A,B)``
map key, JSON body   ``k1=v1&k2=v2``                               ``(k1:v1,k2:v2)``
entity key, path     ``/atsIntegrations/k1=v1&k2=v2/…``            ``/atsIntegrations/(k1:v1,k2:v2)/…``
===================  ============================================  ===============================================

Values are percent-encoded: ``urn:li:organization:123`` is written ``urn%3Ali%3Aorganization%3A123`` (LinkedIn's
own 1.0 samples send the colons raw and answer them encoded, so decoding accepts both). In 2.0 the characters
``( ) , : '`` are structure, so inside a value they are always escaped; the empty string is ``''``.

Since the product (``hirehub.linkedin``) and the emulator (``hirehub.sandbox.linkedin``) must agree byte for byte,
this codec lives here, at the top of the package, and both import it. It is pure: no I/O.

API (stable):

- ``Protocol`` (``V1`` = ``"1.0.0"``, ``V2`` = ``"2.0.0"``); ``protocol_from_header(value)`` — absent means 1.0.
- ``Key`` = ``str`` (simple) or ``Mapping[str, str]`` (compound); ``KeyId`` = ``freeze_key(key)``, hashable,
  order-insensitive, for matching a response's keys to the ones sent (LinkedIn may reorder the parts).
- ``encode_key(key, protocol) -> str`` / ``decode_key(text, protocol, compound=None) -> str | dict`` — the form
  used for JSON map keys (batch request and response bodies) and path segments.
- ``ids_query(keys, protocol) -> str`` / ``parse_ids_query(raw_query, protocol) -> list[str | dict]`` — the
  ``ids`` query parameters of batch methods; ``ids_query`` returns a raw, already URL-safe query fragment to append
  after ``?`` (do not pass it through ``params=``, which would encode the ``%`` again).
- ``error_response(status, message, service_error_code=…)``, ``batch_response(results, errors)``,
  ``parse_batch_response(body, protocol)`` — the JSON shapes of batch answers and ``ErrorResponse``.
- Header names: ``PROTOCOL_VERSION_HEADER``, ``METHOD_HEADER``, ``ERROR_RESPONSE_HEADER``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote, unquote_plus

from hirehub.errors import Invalid

PROTOCOL_VERSION_HEADER = "X-RestLi-Protocol-Version"
METHOD_HEADER = "X-RestLi-Method"
ERROR_RESPONSE_HEADER = "X-RestLi-Error-Response"

Key = str | Mapping[str, str]
KeyId = str | tuple[tuple[str, str], ...]

_V2_RESERVED = "%(),:'"
_ID_PART = re.compile(r"^ids\[(\d+)\]\.(.+)$", re.DOTALL)


class RestliSyntaxError(Invalid):
    """A key or ``ids`` parameter that is not valid Rest.li syntax (the server answers 400)."""


class Protocol(enum.StrEnum):
    """A Rest.li protocol version, as ``X-RestLi-Protocol-Version`` spells it."""

    V1 = "1.0.0"
    V2 = "2.0.0"


def protocol_from_header(value: str | None) -> Protocol:
    """The protocol a request speaks: 2.0 only when it says so, since Rest.li servers default to 1.0."""
    if value is None or not value.strip():
        return Protocol.V1
    major = value.strip().split(".", 1)[0]
    if major == "2":
        return Protocol.V2
    if major == "1":
        return Protocol.V1
    raise RestliSyntaxError(f"unsupported Rest.li protocol version {value!r}")


def freeze_key(key: Key) -> KeyId:
    """A hashable identity for a key that ignores the order of a compound key's parts."""
    if isinstance(key, str):
        return key
    return tuple(sorted((str(k), str(v)) for k, v in key.items()))


# values -------------------------------------------------------------------------------------------------------
def _encode_v1(value: str) -> str:
    return quote(value, safe="")


def _encode_v2(value: str) -> str:
    """2.0 value escaping: structure characters always, and everything not URL-safe, so one form serves URLs and
    bodies alike (Rest.li decodes both the same way)."""
    if value == "":
        return "''"
    return quote(value, safe="-._~")


def _decode_v2(text: str) -> str:
    if text == "''":
        return ""
    if any(ch in text for ch in "(),:'"):
        raise RestliSyntaxError(f"unescaped Rest.li 2.0 reserved character in {text!r}")
    return unquote(text)


# map keys and path keys ---------------------------------------------------------------------------------------
def encode_key(key: Key, protocol: Protocol) -> str:
    """A key as a JSON map key or path segment: 1.0 ``k1=v1&k2=v2``, 2.0 ``(k1:v1,k2:v2)``; the parts keep the
    mapping's order."""
    if isinstance(key, str):
        return _encode_v2(key) if protocol is Protocol.V2 else _encode_v1(key)
    if not key:
        raise RestliSyntaxError("a compound key needs at least one part")
    if protocol is Protocol.V2:
        return "(" + ",".join(f"{_encode_v2(k)}:{_encode_v2(v)}" for k, v in key.items()) + ")"
    return "&".join(f"{_encode_v1(k)}={_encode_v1(v)}" for k, v in key.items())


def decode_key(text: str, protocol: Protocol, *, compound: bool | None = None) -> str | dict[str, str]:
    """The key written by :func:`encode_key` (or by LinkedIn, whose 1.0 samples leave colons unencoded).

    ``compound=None`` guesses from the syntax (``=`` in 1.0, a leading ``(`` in 2.0); pass it when a simple key
    could contain those characters.
    """
    if protocol is Protocol.V2:
        is_compound = text.startswith("(") if compound is None else compound
        if not is_compound:
            return _decode_v2(text)
        if not (text.startswith("(") and text.endswith(")")):
            raise RestliSyntaxError(f"a Rest.li 2.0 compound key is written (k:v,...), not {text!r}")
        if text == "()":
            raise RestliSyntaxError("a compound key needs at least one part")
        return _decode_parts(text, text[1:-1].split(","), ":", _decode_v2)
    is_compound = ("=" in text) if compound is None else compound
    if not is_compound:
        return unquote(text)
    return _decode_parts(text, text.split("&"), "=", unquote)


def _decode_parts(text: str, pairs: list[str], separator: str, decode: Callable[[str], str]) -> dict[str, str]:
    """A compound key's ``name<separator>value`` parts, each name and value decoded as its protocol writes them."""
    parts: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition(separator)
        if not sep or not name:
            raise RestliSyntaxError(f"expected name{separator}value in the Rest.li key {text!r}, got {pair!r}")
        parts[decode(name)] = decode(value)
    return parts


# ids in the query ---------------------------------------------------------------------------------------------
def ids_query(keys: Sequence[Key], protocol: Protocol) -> str:
    """The ``ids`` parameters of a batch call (a raw query fragment: append it after ``?``)."""
    if not keys:
        raise RestliSyntaxError("a batch call names at least one key")
    if protocol is Protocol.V2:
        return "ids=List(" + ",".join(encode_key(k, Protocol.V2) for k in keys) + ")"
    fragments: list[str] = []
    for index, key in enumerate(keys):
        if isinstance(key, str):
            fragments.append(f"ids={_encode_v1(key)}")
        else:
            fragments.extend(f"ids[{index}].{_encode_v1(k)}={_encode_v1(v)}" for k, v in key.items())
    return "&".join(fragments)


def _query_pairs(raw_query: str) -> Iterable[tuple[str, str]]:
    """Name/value pairs with the *names* decoded and the values left raw (2.0 parses structure before decoding)."""
    for pair in raw_query.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            yield unquote_plus(name), value


def parse_ids_query(raw_query: str, protocol: Protocol) -> list[str | dict[str, str]]:
    """The keys named by the ``ids`` parameters of a raw (still percent-encoded) query string, in order.

    1.0 accepts ``ids=A&ids=B`` (simple), ``ids[0].k=v&…`` (compound) and the older ``ids=k1%3Dv1%26k2%3Dv2``;
    2.0 accepts ``ids=List(…)``. Other parameters are ignored. No ``ids`` at all gives an empty list.
    """
    pairs = list(_query_pairs(raw_query))
    if protocol is Protocol.V2:
        values = [value for name, value in pairs if name == "ids"]
        if not values:
            return []
        if len(values) > 1:
            raise RestliSyntaxError("Rest.li 2.0 names the keys of a batch call in one ids=List(...)")
        return _parse_v2_list(values[0])
    simple: list[str | dict[str, str]] = []
    indexed: dict[int, dict[str, str]] = {}
    for name, value in pairs:
        if name == "ids":
            decoded = unquote_plus(value)
            simple.append(decode_key(decoded, Protocol.V1) if "=" in decoded else decoded)
            continue
        match = _ID_PART.match(name)
        if match:
            indexed.setdefault(int(match.group(1)), {})[match.group(2)] = unquote_plus(value)
    if simple and indexed:
        raise RestliSyntaxError("ids=… and ids[i].…=… cannot be mixed in one call")
    if indexed:
        if sorted(indexed) != list(range(len(indexed))):
            raise RestliSyntaxError("ids[i] indexes must run 0, 1, 2, … without gaps")
        return [indexed[i] for i in range(len(indexed))]
    return simple


def _parse_v2_list(text: str) -> list[str | dict[str, str]]:
    text = unquote(text) if text.lower().startswith("list%28") else text
    if not (text.startswith("List(") and text.endswith(")")):
        raise RestliSyntaxError(f"Rest.li 2.0 batch ids are written ids=List(...), not {text!r}")
    inner = text[5:-1]
    if inner == "":
        return []
    items: list[str | dict[str, str]] = []
    depth = 0
    start = 0
    for position, char in enumerate(inner + ","):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise RestliSyntaxError(f"unbalanced parentheses in {text!r}")
        elif char == "," and depth == 0:
            item = inner[start:position]
            items.append(decode_key(item, Protocol.V2, compound=item.startswith("(")))
            start = position + 1
    if depth != 0:
        raise RestliSyntaxError(f"unbalanced parentheses in {text!r}")
    return items


# response bodies ----------------------------------------------------------------------------------------------
def error_response(status: int, message: str, service_error_code: int | None = None) -> dict[str, Any]:
    """Rest.li's ``ErrorResponse`` as LinkedIn fills it (sent with ``X-RestLi-Error-Response: true``)."""
    return {
        "status": status,
        "serviceErrorCode": service_error_code if service_error_code is not None else 0,
        "message": message,
    }


def batch_response(
    results: Mapping[str, Mapping[str, Any]], errors: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """A batch method's answer: per-entity results (``{"status": 204}`` for updates) and per-entity errors, both
    keyed by the encoded key."""
    return {"results": dict(results), "errors": dict(errors or {})}


def parse_batch_response(
    body: Mapping[str, Any], protocol: Protocol
) -> tuple[dict[KeyId, dict[str, Any]], dict[KeyId, dict[str, Any]]]:
    """A batch answer's results and errors keyed by :func:`freeze_key` of each decoded key, so a caller can match
    them to the keys it sent whatever order or escaping the server chose."""
    results = {freeze_key(decode_key(k, protocol)): dict(v) for k, v in (body.get("results") or {}).items()}
    errors = {freeze_key(decode_key(k, protocol)): dict(v) for k, v in (body.get("errors") or {}).items()}
    return results, errors
