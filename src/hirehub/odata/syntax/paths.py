"""Property paths outside ``$filter``: ``$orderby``, ``$apply`` and names in ``$select``/``$expand``.

These positions accept only plain properties and lookups (``a/b``): no functions, lambdas, type
casts or ``$it``. Checking that here, segment by segment, gives each mistake a precise message rather
than a generic "unexpected token" further on.
"""

from __future__ import annotations

from hirehub.odata.syntax.ast import Path
from hirehub.odata.syntax.cursor import Cursor
from hirehub.odata.syntax.lexer import Token, TokenKind
from hirehub.odata.syntax.values import resolve_alias


def check_segment(cursor: Cursor, token: Token, what: str) -> str:
    """The name in ``token`` if it is a plain OData identifier, else a syntax error describing it."""
    if token.kind is not TokenKind.IDENTIFIER:
        cursor.fail(token, f"expected {what}, found {token.describe()}")
    if "." in token.text:
        cursor.fail(token, f"qualified names and type casts are not supported here: {token.describe()}")
    if token.text.startswith("$"):
        cursor.fail(token, f"{token.describe()} is not allowed here; expected {what}")
    return token.text


def parse_property_name(cursor: Cursor, what: str = "a property name") -> str:
    return check_segment(cursor, cursor.advance(), what)


def parse_property_path(cursor: Cursor) -> Path:
    """``name`` or ``lookup/name``; segments are separated by ``/``."""
    segments = [parse_property_name(cursor)]
    while cursor.accept_punctuation("/"):
        segments.append(parse_property_name(cursor, "a property name after /"))
    return Path(tuple(segments))


def parse_path_or_alias(cursor: Cursor) -> Path:
    """A property path written inline or passed as a parameter alias (``$orderby=@o&@o=name``)."""
    token = cursor.peek()
    if token.kind is TokenKind.ALIAS:
        cursor.advance()
        return resolve_alias(cursor, token, parse_property_path)
    return parse_property_path(cursor)
