"""The resource path of a request, after ``/api/data/v9.x/``: an entity set, a record by its GUID or
by an alternate key, and what follows (``$count``, a navigation, a bound action).

``mshr_hcmcandidatetohireentities(7c1…)``, ``…(mshr_candidateid='C-001')``,
``mshr_dirpersonentities(mshr_partynumber='000123')/mshr_FK_HcmPersonSkillEntity_Person``,
``mshr_hcmcandidatetohireentities(7c1…)/Microsoft.Dynamics.CRM.mshr_Hire`` (or ``…mshr_Hire()``: see
:mod:`hirehub.odata.operations` for the forms an operation segment takes).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from urllib.parse import unquote

from hirehub.odata.documents import holds_nul
from hirehub.odata.errors import bad_query
from hirehub.odata.operations import OperationSegment, operation_segment

KeyValue = uuid.UUID | str | int


@dataclass(frozen=True)
class ResourcePath:
    entity_set: str
    key: uuid.UUID | dict[str, KeyValue] | None = None
    navigation: str | None = None
    action: str | None = None
    """The name of the bound operation the path calls, namespace-qualified or not (see ``operation``)."""
    count: bool = False
    ref: bool = False
    operation: OperationSegment | None = None


_SEGMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\((?P<key>.*)\))?$", re.DOTALL)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_KEY_NAME = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*")
_KEY_LITERAL = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|-?[0-9]+(?![\w-])"
)
INT64_DIGITS = 19
"""A whole-number key longer than this is out of every integer column's range: refused without converting it."""


def parse_resource_path(path: str) -> ResourcePath:
    """Parse the path below the service root; a malformed path is a 400 in Dataverse's shape."""
    segments = [unquote(s) for s in path.strip("/").split("/")]
    if any(holds_nul(segment) for segment in segments):
        raise bad_query("The path holds the NUL character, which no key can contain.")
    if not segments or not segments[0]:
        raise bad_query("The request names no entity set.")
    head = _SEGMENT.match(segments[0])
    if head is None:
        raise bad_query(f"Bad Request - Error in query syntax: the segment '{segments[0]}' is not valid.")
    key = _parse_key(head.group("key")) if head.group("key") is not None else None
    rest = segments[1:]
    result = ResourcePath(head.group("name"), key)
    if not rest:
        return result
    if rest == ["$count"] and key is None:
        return ResourcePath(result.entity_set, count=True)
    if key is None:
        raise bad_query(f"The segment '{rest[0]}' needs a record: address one by its key first.")
    first = rest[0]
    operation = operation_segment(first, qualified_only=not first.endswith(")"))
    if operation is not None and len(rest) == 1:
        return ResourcePath(result.entity_set, key, action=operation.name, operation=operation)
    if not _NAME.match(first):
        raise bad_query(f"Bad Request - Error in query syntax: the segment '{first}' is not valid.")
    if len(rest) == 1:
        return ResourcePath(result.entity_set, key, navigation=first)
    if rest[1:] == ["$ref"]:
        return ResourcePath(result.entity_set, key, navigation=first, ref=True)
    if rest[1:] == ["$count"]:
        return ResourcePath(result.entity_set, key, navigation=first, count=True)
    raise bad_query(f"The path '{path}' goes deeper than this service supports (set, record, navigation).")


def _parse_key(text: str) -> uuid.UUID | dict[str, KeyValue]:
    text = text.strip()
    if not text:
        raise bad_query("An empty key '()' addresses no record.")
    if "=" not in text:
        try:
            return uuid.UUID(text)
        except ValueError:
            raise bad_query(f"The key '{text}' is not a GUID; use an alternate key as (name='value').") from None
    parts: dict[str, KeyValue] = {}
    for name, value in _key_pairs(text):
        if name in parts:
            raise bad_query(f"The key names '{name}' twice.")
        parts[name] = value
    return parts


def _key_pairs(text: str) -> list[tuple[str, KeyValue]]:
    pairs: list[tuple[str, KeyValue]] = []
    position = 0
    while position < len(text):
        match = _KEY_NAME.match(text, position)
        if match is None:
            raise bad_query(f"The key '{text}' is not of the form name='value',name2=123.")
        position = match.end()
        value, position = _key_value(text, position)
        pairs.append((match.group(1), value))
        rest = text[position:].lstrip()
        if not rest:
            break
        if not rest.startswith(","):
            raise bad_query(f"The key '{text}' is not of the form name='value',name2=123.")
        position = len(text) - len(rest) + 1
    return pairs


def _key_value(text: str, position: int) -> tuple[KeyValue, int]:
    if text.startswith("'", position):
        chars: list[str] = []
        index = position + 1
        while index < len(text):
            if text[index] == "'":
                if text.startswith("''", index):
                    chars.append("'")
                    index += 2
                    continue
                return "".join(chars), index + 1
            chars.append(text[index])
            index += 1
        raise bad_query(f"The key '{text}' has an unterminated string.")
    match = _KEY_LITERAL.match(text, position)
    if match is None:
        raise bad_query(f"The key '{text}' has a value that is neither a quoted string, a number nor a GUID.")
    token = match.group(0)
    if "-" in token[1:]:
        return uuid.UUID(token), match.end()
    if len(token.lstrip("-")) > INT64_DIGITS:
        raise bad_query(f"The key value '{token[:40]}…' is out of range for a whole number.")
    return int(token), match.end()
