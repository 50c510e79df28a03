"""Literal values and lists of them, written inline or passed through parameter aliases.

A parameter alias (``@p1``) lets a client move a value out of the expression into its own query
parameter; its text is an ordinary literal (or a list) and is parsed with the same rules as inline
values. Resolution happens at parse time so the tree never contains aliases and the compiler never
sees the raw query string. Errors inside an alias's value are reported at the alias's position in
the expression, naming the alias, because that is the text the caller can point to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from hirehub.odata.syntax.ast import Literal
from hirehub.odata.syntax.cursor import Cursor
from hirehub.odata.syntax.errors import ODataSyntaxError, quote
from hirehub.odata.syntax.lexer import Token, TokenKind

_T = TypeVar("_T")
_CLOSERS = {"(": ")", "[": "]"}


def parse_value(cursor: Cursor) -> Literal:
    """One literal, or an alias standing for one."""
    token = cursor.peek()
    if token.kind is TokenKind.ALIAS:
        cursor.advance()
        return resolve_alias(cursor, token, parse_value)
    if token.kind is TokenKind.JSON_STRING:
        cursor.fail(token, f"strings are enclosed in single quotes, found {token.describe()}")
    if token.kind is not TokenKind.LITERAL or token.literal is None:
        cursor.fail(token, f"expected a literal value, found {token.describe()}")
    cursor.advance()
    return token.literal


def parse_value_list(cursor: Cursor) -> tuple[Literal, ...]:
    """``(v1,v2)`` or ``[v1,v2]`` (where JSON ``"strings"`` are accepted too), or an alias standing for one."""
    opener = cursor.peek()
    if opener.kind is TokenKind.ALIAS:
        cursor.advance()
        return resolve_alias(cursor, opener, parse_value_list)
    if not (opener.is_punctuation("(") or opener.is_punctuation("[")):
        cursor.fail(opener, f'expected a list of values in "(...)" or "[...]", found {opener.describe()}')
    cursor.advance()
    closer = _CLOSERS[opener.text]
    values = [_list_item(cursor, json_strings=closer == "]")]
    while cursor.accept_punctuation(","):
        values.append(_list_item(cursor, json_strings=closer == "]"))
    cursor.expect_punctuation(closer, f" to close the list opened at position {opener.position}")
    return tuple(values)


def _list_item(cursor: Cursor, *, json_strings: bool) -> Literal:
    token = cursor.peek()
    if json_strings and token.kind is TokenKind.JSON_STRING and token.literal is not None:
        cursor.advance()
        return token.literal
    return parse_value(cursor)


def alias_text(cursor: Cursor, token: Token) -> str:
    """The raw value of the alias ``token``; aliases may be given with or without their ``@``."""
    for key in (token.text, token.text[1:]):
        if key in cursor.aliases:
            return cursor.aliases[key]
    cursor.fail(token, f"unknown parameter alias {quote(token.text)}: no value was given for it")


def resolve_alias(cursor: Cursor, token: Token, parse: Callable[[Cursor], _T]) -> _T:
    """Parse the alias's value with ``parse``; the value may not refer to further aliases."""
    text = alias_text(cursor, token)
    try:
        inner = Cursor(text)
        result = parse(inner)
        inner.expect_end(f"the value of {token.text}")
    except ODataSyntaxError as error:
        message = f"invalid value {quote(text)} for parameter alias {quote(token.text)}: {error.message}"
        raise ODataSyntaxError(message, token.position) from None
    return result
