"""``$search`` and ``$orderby`` on directory objects, as Microsoft Graph answers them.

``$search`` is an advanced query: without ``ConsistencyLevel: eventual`` Graph refuses it. Its value is one or
more quoted ``"property:value"`` clauses joined by ``AND`` / ``OR``. On ``displayName`` and ``description`` the
match is tokenized (words split at spaces, punctuation, letter/digit changes and lower-to-upper case changes; each
word searched for must begin a word of the value: "abc" finds "zzzAbc", "Team-ABC" and "123abc" but not "aaabc");
on any other property it is a case-insensitive "starts with".

``$orderby`` works by default on a user's ``displayName`` and ``userPrincipalName`` and a group's ``displayName``;
on a few date properties only in advanced mode (the header and ``$count=true``); and ``$orderby`` together with
``$filter`` or ``$search`` only in advanced mode. Anything else is Graph's "Sorting not supported for current query."
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from hirehub.sandbox.entra.graph_query import Predicate, unsupported
from hirehub.sandbox.entra.graph_store import GraphProblem

SEARCH_NEEDS_EVENTUAL = (
    "Request with $search query parameter only works through MSGraph with a special request header: "
    "'ConsistencyLevel: eventual'"
)
TOKENIZED = frozenset({"displayName", "description"})
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_A-Za-z]+")
_CLAUSE = re.compile(r'\s*"([^"]*)"\s*')
_JOIN = re.compile(r"(AND|OR)\s*", re.IGNORECASE)

DEFAULT_ORDERBY: dict[str, frozenset[str]] = {
    "microsoft.graph.user": frozenset({"displayName", "userPrincipalName"}),
    "microsoft.graph.group": frozenset({"displayName"}),
}
ADVANCED_ORDERBY: dict[str, frozenset[str]] = {
    "microsoft.graph.user": frozenset({"createdDateTime", "deletedDateTime"}),
    "microsoft.graph.group": frozenset({"deletedDateTime"}),
    "microsoft.graph.servicePrincipal": frozenset({"displayName"}),
}
SORTING_NOT_SUPPORTED = "Sorting not supported for current query."
T = TypeVar("T")


def words(text: str) -> list[str]:
    """The words Graph's tokenized search indexes ``text`` as, lower-cased."""
    return [word.lower() for word in _WORDS.findall(text)]


def _syntax_error(text: str, position: int) -> GraphProblem:
    character = text[position] if position < len(text) else ""
    return GraphProblem(
        400, "BadRequest", f"Syntax error: character '{character}' is not valid at position {position} in '{text}'."
    )


def _unquoted_error(text: str, position: int) -> GraphProblem:
    """A clause without its double quotes: Graph's URI parser stops at the first character a bare word cannot
    hold (the colon of ``displayName:ada``); a bare word is parsed, and then refused for naming no property."""
    for offset, character in enumerate(text[position:], start=position):
        if not (character.isalnum() or character in " _"):
            return _syntax_error(text, offset)
    return _no_property(text[position:].strip())


def _no_property(clause: str) -> GraphProblem:
    return unsupported(f"Invalid search clause '{clause}': a clause names its property, as \"displayName:{clause}\".")


def _matches(value: Any, wanted: str, *, tokenized: bool) -> bool:
    values = value if isinstance(value, list) else [value]
    needle = wanted.strip().lower()
    for item in values:
        if not isinstance(item, str):
            continue
        if not tokenized:
            if item.lower().startswith(needle):
                return True
            continue
        have = words(item)
        if all(any(word.startswith(term) for word in have) for term in words(wanted)):
            return True
    return False


def _clause(clause: str, properties: frozenset[str], type_name: str) -> Predicate:
    prop, colon, wanted = clause.partition(":")
    prop = prop.strip()
    if not colon or not prop:
        raise _no_property(clause)
    if prop not in properties:
        raise GraphProblem(
            400, "Request_BadRequest", f"Could not find a property named '{prop}' on type '{type_name}'."
        )
    tokenized = prop in TOKENIZED
    return lambda row: _matches(row.get(prop), wanted, tokenized=tokenized)


def parse_search(text: str, properties: frozenset[str], type_name: str) -> Predicate:
    """A predicate for a ``$search`` value (``"displayName:ada" OR "mail:ada"``); Graph's 400s for what it refuses."""
    alternatives: list[list[Predicate]] = [[]]
    position = 0
    expect_clause = True
    while position < len(text) or expect_clause:
        if expect_clause:
            if position >= len(text) or text[position:].strip() == "":
                raise _syntax_error(text, len(text)) if text.strip() else _no_property("")
            quoted = _CLAUSE.match(text, position)
            if quoted is None:
                start = len(text) - len(text[position:].lstrip())
                if text[start] == '"':
                    raise _syntax_error(text, start)
                raise _unquoted_error(text, start)
            alternatives[-1].append(_clause(quoted.group(1), properties, type_name))
            position, expect_clause = quoted.end(), False
            continue
        joined = _JOIN.match(text, position)
        if joined is None:
            raise _syntax_error(text, position)
        if joined.group(1).upper() == "OR":
            alternatives.append([])
        position, expect_clause = joined.end(), True
    return lambda row: any(all(p(row) for p in clauses) for clauses in alternatives)


@dataclass(frozen=True)
class Ordering:
    prop: str
    descending: bool

    def sort(self, items: Iterable[T], props: Callable[[T], dict[str, Any]]) -> list[T]:
        """``items`` in this order (``props`` gives an item's properties); those without the property last."""
        present = [i for i in items if props(i).get(self.prop) is not None]
        missing = [i for i in items if props(i).get(self.prop) is None]
        ordered = sorted(present, key=lambda i: str(props(i)[self.prop]).lower(), reverse=self.descending)
        return ordered + missing


def parse_orderby(text: str, properties: frozenset[str], type_name: str, *, advanced: bool, narrowed: bool) -> Ordering:
    """The ordering ``$orderby`` asks for, if Graph sorts this query: ``narrowed`` is a query that also has
    ``$filter`` or ``$search``, sortable only in advanced mode."""
    parts = text.split()
    if "," in text or not 1 <= len(parts) <= 2 or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
        raise unsupported(SORTING_NOT_SUPPORTED)
    prop = parts[0]
    if prop not in properties:
        raise GraphProblem(
            400, "Request_BadRequest", f"Could not find a property named '{prop}' on type '{type_name}'."
        )
    by_default = prop in DEFAULT_ORDERBY.get(type_name, frozenset())
    in_advanced = by_default or prop in ADVANCED_ORDERBY.get(type_name, frozenset())
    if not in_advanced or (not advanced and (narrowed or not by_default)):
        raise unsupported(SORTING_NOT_SUPPORTED)
    return Ordering(prop, descending=len(parts) == 2 and parts[1].lower() == "desc")
