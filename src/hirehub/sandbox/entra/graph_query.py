"""The part of OData ``$filter`` that Microsoft Graph accepts on directory objects, parsed into predicates.

Graph supports a deliberately small grammar on users, groups and service principals: ``eq``/``ne``/``in``
(and ``ge``/``le`` on a few properties), ``startswith``, ``endswith``, lambda ``any`` over collections such as
``proxyAddresses``, ``and``/``or``/``not`` and parentheses. String comparisons are case-insensitive. Some of it
(``ne``, ``not``, ``endswith``) is an *advanced query*, answered only with ``ConsistencyLevel: eventual`` and
``$count=true``; the emulator refuses those without, as Graph does, so a client that forgets the header fails
here and not only in production.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from hirehub.sandbox.entra.graph_store import GraphProblem

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<punct>[(),:])|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<word>[A-Za-z_$][\w$.]*(?:/[A-Za-z_$][\w$.]*)*))"
)
COMPARISONS = frozenset({"eq", "ne", "ge", "le", "gt", "lt", "in"})
ADVANCED = frozenset({"ne", "not", "endswith"})
OPERATOR_NAMES = {"ne": "ne", "not": "not", "endswith": "endsWith"}
ENDSWITH_PROPERTIES = frozenset({"mail", "otherMails", "userPrincipalName", "proxyAddresses"})
"""The only properties ``endsWith`` works on, even in advanced mode."""
ADVANCED_QUERIES_DOCS = "https://aka.ms/graph-docs/advanced-queries"


def unsupported(message: str = "Unsupported Query.") -> GraphProblem:
    return GraphProblem(400, "Request_UnsupportedQuery", message)


@dataclass
class _Token:
    kind: str
    text: str


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise GraphProblem(400, "BadRequest", f"Invalid filter clause: syntax error at position {position}.")
        kind = match.lastgroup or "word"
        found.append(_Token(kind, match.group(kind)))
        position = match.end()
    return found


class FilterParser:
    """Recursive descent over Graph's filter grammar; checks property names against the resource's schema."""

    def __init__(self, text: str, properties: frozenset[str], type_name: str, *, advanced: bool) -> None:
        self._tokens = _tokens(text)
        self._position = 0
        self._properties = properties
        self._type_name = type_name
        self._advanced = advanced

    def parse(self) -> Predicate:
        predicate = self._or()
        if self._position != len(self._tokens):
            raise GraphProblem(400, "BadRequest", f"Invalid filter clause: unexpected '{self._peek()}'.")
        return predicate

    # helpers -----------------------------------------------------------------------------------------
    def _peek(self) -> str:
        return self._tokens[self._position].text if self._position < len(self._tokens) else ""

    def _take(self, expected: str | None = None) -> _Token:
        if self._position >= len(self._tokens):
            raise GraphProblem(400, "BadRequest", "Invalid filter clause: the expression ends too early.")
        token = self._tokens[self._position]
        if expected is not None and token.text.lower() != expected:
            raise GraphProblem(
                400, "BadRequest", f"Invalid filter clause: expected '{expected}', found '{token.text}'."
            )
        self._position += 1
        return token

    def _property(self, name: str) -> str:
        if name not in self._properties:
            raise GraphProblem(
                400, "Request_BadRequest", f"Could not find a property named '{name}' on type '{self._type_name}'."
            )
        return name

    def _require_advanced(self, what: str, prop: str) -> None:
        """``ne``, ``not`` and ``endsWith`` only in advanced mode, and ``endsWith`` only on the properties indexed
        for it; each refused in Graph's words."""
        if what in ADVANCED and not self._advanced:
            raise unsupported(
                f"Operator '{OPERATOR_NAMES[what]}' is not supported because the required parameters might be "
                "missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. "
                f"Refer to {ADVANCED_QUERIES_DOCS} for more information"
            )
        if what == "endswith" and prop not in ENDSWITH_PROPERTIES:
            resource = self._type_name.rsplit(".", 1)[-1].capitalize()
            raise unsupported(
                f"Unsupported or invalid query filter clause specified for property '{prop}' of resource '{resource}'."
            )

    # grammar -----------------------------------------------------------------------------------------
    def _or(self) -> Predicate:
        return self._joined("or", self._and, any)

    def _and(self) -> Predicate:
        return self._joined("and", self._unary, all)

    def _joined(
        self, word: str, operand: Callable[[], Predicate], combine: Callable[[Iterable[bool]], bool]
    ) -> Predicate:
        """Operands joined by ``word`` (``and`` binds tighter than ``or``: each level parses the next)."""
        parts = [operand()]
        while self._peek().lower() == word:
            self._take()
            parts.append(operand())
        return parts[0] if len(parts) == 1 else (lambda row: combine(p(row) for p in parts))

    def _unary(self) -> Predicate:
        if self._peek().lower() == "not":
            self._take()
            self._require_advanced("not", "not")
            inner = self._unary()
            return lambda row: not inner(row)
        if self._peek() == "(":
            self._take("(")
            inner = self._or()
            self._take(")")
            return inner
        return self._primary()

    def _primary(self) -> Predicate:
        word = self._take()
        if word.kind != "word":
            raise GraphProblem(400, "BadRequest", f"Invalid filter clause: unexpected '{word.text}'.")
        function = word.text.lower()
        if function in ("startswith", "endswith") and self._peek() == "(":
            self._take("(")
            prop = self._property(self._take().text)
            self._require_advanced(function, prop)
            self._take(",")
            prefix = _text(self._literal())
            self._take(")")
            return _string_match(prop, prefix, function)
        if word.text.lower().endswith("/any"):
            return self._lambda(word.text[: -len("/any")])
        prop = self._property(word.text)
        operator = self._take().text.lower()
        if operator not in COMPARISONS:
            raise unsupported(f"Unsupported operator '{operator}'.")
        self._require_advanced(operator, prop)
        if operator == "in":
            values = self._list()
            return lambda row: any(_equal(row.get(prop), v) for v in values)
        value = self._literal()
        return _compare(prop, operator, value)

    def _lambda(self, collection: str) -> Predicate:
        prop = self._property(collection)
        self._take("(")
        variable = self._take().text
        self._take(":")
        head = self._take().text
        if head.lower() in ("startswith", "endswith"):
            self._take("(")
            self._take(variable.lower())
            self._take(",")
            prefix = _text(self._literal())
            self._take(")")
            self._take(")")
            if head.lower() == "endswith":
                self._require_advanced("endswith", prop)
            wanted = prefix.lower()
            if head.lower() == "startswith":
                return lambda row: any(str(v).lower().startswith(wanted) for v in row.get(prop) or [])
            return lambda row: any(str(v).lower().endswith(wanted) for v in row.get(prop) or [])
        if head != variable:
            raise unsupported()
        operator = self._take().text.lower()
        if operator != "eq":
            raise unsupported(f"Unsupported operator '{operator}' in a lambda expression.")
        value = self._literal()
        self._take(")")
        return lambda row: any(_equal(v, value) for v in row.get(prop) or [])

    def _list(self) -> list[Any]:
        self._take("(")
        values = [self._literal()]
        while self._peek() == ",":
            self._take(",")
            values.append(self._literal())
        self._take(")")
        return values

    def _literal(self) -> Any:
        token = self._take()
        if token.kind == "string":
            return token.text[1:-1].replace("''", "'")
        if token.kind == "number":
            return float(token.text) if "." in token.text else int(token.text)
        lowered = token.text.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered == "null":
            return None
        raise GraphProblem(400, "BadRequest", f"Invalid filter clause: '{token.text}' is not a literal.")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise GraphProblem(400, "BadRequest", "Invalid filter clause: a string literal is expected.")
    return value


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    return bool(left == right)


def _string_match(prop: str, wanted: str, function: str) -> Predicate:
    needle = wanted.lower()
    if function == "startswith":
        return lambda row: isinstance(row.get(prop), str) and str(row[prop]).lower().startswith(needle)
    return lambda row: isinstance(row.get(prop), str) and str(row[prop]).lower().endswith(needle)


def _compare(prop: str, operator: str, value: Any) -> Predicate:
    if operator == "eq":
        return lambda row: _equal(row.get(prop), value)
    if operator == "ne":
        return lambda row: not _equal(row.get(prop), value)

    def ordered(row: dict[str, Any]) -> bool:
        left = row.get(prop)
        if left is None or value is None:
            return False
        left_key = left.lower() if isinstance(left, str) else left
        right_key = value.lower() if isinstance(value, str) else value
        try:
            return bool(
                {"ge": left_key >= right_key, "le": left_key <= right_key, "gt": left_key > right_key}.get(
                    operator, left_key < right_key
                )
            )
        except TypeError:
            return False

    return ordered


def parse_filter(text: str, properties: frozenset[str], type_name: str, *, advanced: bool) -> Predicate:
    """A predicate over an object's properties; 400s in Graph's words for what Graph would refuse."""
    return FilterParser(text, properties, type_name, advanced=advanced).parse()
