"""The parameters of a function call in a resource path: ``fn(Name='x',Other=@p)`` with ``?@p=…``.

OData lets a client write each value inline or move it into a parameter alias; a collection value is a JSON
array (``["a","b"]``). Values are read with the same literal rules as ``$filter``'s, so ``'O''Neil'``, a GUID
or a date mean the same in both places.
"""

from __future__ import annotations

from collections.abc import Mapping

from hirehub.odata.syntax.ast import Literal
from hirehub.odata.syntax.cursor import Cursor
from hirehub.odata.syntax.errors import quote
from hirehub.odata.syntax.lexer import TokenKind
from hirehub.odata.syntax.values import parse_value, parse_value_list, resolve_alias

ParameterValue = Literal | tuple[Literal, ...]
"""One value, or the items of a collection."""


def _value_or_collection(cursor: Cursor) -> ParameterValue:
    if cursor.at_punctuation("["):
        return parse_value_list(cursor)
    return parse_value(cursor)


def _parameter_value(cursor: Cursor) -> ParameterValue:
    token = cursor.peek()
    if token.kind is TokenKind.ALIAS:
        cursor.advance()
        return resolve_alias(cursor, token, _value_or_collection)
    return _value_or_collection(cursor)


def parse_parameters(text: str, aliases: Mapping[str, str] | None = None) -> dict[str, ParameterValue]:
    """``Name=value,Name2=@alias`` (the text between a function's parentheses) as values by name; empty text
    is no parameters. Raises :class:`~hirehub.odata.syntax.errors.ODataSyntaxError` for malformed text, a name
    given twice, or an alias without a value."""
    cursor = Cursor(text, aliases)
    found: dict[str, ParameterValue] = {}
    if cursor.at_end():
        return found
    while True:
        name = cursor.expect_identifier("a parameter name")
        if "." in name.text or name.text.startswith("$"):
            cursor.fail(name, f"{quote(name.text)} is not a parameter name")
        if name.text in found:
            cursor.fail(name, f"the parameter {quote(name.text)} is given twice")
        cursor.expect_punctuation("=", f" after the parameter name {quote(name.text)}")
        found[name.text] = _parameter_value(cursor)
        if not cursor.accept_punctuation(","):
            break
    cursor.expect_end("the function's parameters")
    return found
