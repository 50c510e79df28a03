"""Splitting a query option into tokens, in one left-to-right pass.

Tokenising is where OData is subtle: a GUID, a date, a date-time and a number can all start with
digits (and a GUID with letters), so the longest literal shapes are tried first and every literal
must end at a delimiter (``2026-01-31x`` is an error, not a date followed by a name). Keywords stay
plain identifiers except ``true``/``false``/``null``, which are literals everywhere; whether
``and`` is an operator depends on where the parser meets it. Every pattern is anchored and
backtracking-free, so tokenising is linear in the input length.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass

from hirehub.odata.syntax.ast import Literal
from hirehub.odata.syntax.errors import ODataSyntaxError, quote
from hirehub.odata.syntax.literals import (
    DATE_PATTERN,
    DATETIME_PATTERN,
    GUID_PATTERN,
    KEYWORD_LITERALS,
    NUMBER_PATTERN,
    LiteralValueError,
    date_literal,
    datetime_literal,
    guid_literal,
    number_literal,
    string_literal,
)

MAX_IDENTIFIER_LENGTH = 128
PUNCTUATION = frozenset("(),/:;=[]")

_WHITESPACE = re.compile(r"[ \t]+")
_IDENTIFIER = re.compile(r"\$[A-Za-z_]\w*|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*", re.ASCII)
_ALIAS = re.compile(r"@[A-Za-z_]\w*", re.ASCII)
_AFTER_LITERAL = re.compile(r"[\w.:+-]+", re.ASCII)
_HEX = frozenset("0123456789abcdefABCDEF")
_DIGITS = frozenset("0123456789")


class TokenKind(enum.Enum):
    IDENTIFIER = "identifier"  # names, keywords, ``$it``/``$select``, qualified ``Microsoft.Dynamics.CRM.In``
    LITERAL = "literal"  # single-quoted strings, numbers, dates, GUIDs, true/false/null
    JSON_STRING = "JSON string"  # "double-quoted", accepted only inside [...] value lists
    ALIAS = "alias"  # @p1
    PUNCTUATION = "punctuation"
    END = "end"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    position: int
    literal: Literal | None = None

    def is_punctuation(self, char: str) -> bool:
        return self.kind is TokenKind.PUNCTUATION and self.text == char

    def is_word(self, *words: str) -> bool:
        return self.kind is TokenKind.IDENTIFIER and self.text in words

    def describe(self) -> str:
        return "the end of the input" if self.kind is TokenKind.END else quote(self.text)


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text`` followed by one END token; raises :class:`ODataSyntaxError` on bad input."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        blank = _WHITESPACE.match(text, position)
        if blank is not None:
            position = blank.end()
            continue
        token = _scan(text, position)
        tokens.append(token)
        position += len(token.text)
    tokens.append(Token(TokenKind.END, "", len(text)))
    return tokens


def _scan(text: str, position: int) -> Token:
    for scanner in _SCANNERS:
        token = scanner(text, position)
        if token is not None:
            return token
    raise ODataSyntaxError(f"unexpected character {quote(text[position])}", position)


def _scan_punctuation(text: str, position: int) -> Token | None:
    if text[position] in PUNCTUATION:
        return Token(TokenKind.PUNCTUATION, text[position], position)
    return None


def _scan_string(text: str, position: int) -> Token | None:
    if text[position] != "'":
        return None
    cursor = position + 1
    while True:
        close = text.find("'", cursor)
        if close < 0:
            raise ODataSyntaxError(f"unterminated string {quote(text[position:])}", position)
        if text.startswith("''", close):
            cursor = close + 2
            continue
        lexeme = text[position : close + 1]
        return Token(TokenKind.LITERAL, lexeme, position, string_literal(lexeme[1:-1]))


def _scan_json_string(text: str, position: int) -> Token | None:
    if text[position] != '"':
        return None
    chars: list[str] = []
    cursor = position + 1
    while cursor < len(text) and text[cursor] != '"':
        if text[cursor] == "\\":
            cursor, char = _json_escape(text, cursor)
        else:
            cursor, char = cursor + 1, text[cursor]
        chars.append(char)
    if cursor >= len(text):
        raise ODataSyntaxError(f"unterminated string {quote(text[position:])}", position)
    lexeme = text[position : cursor + 1]
    return Token(TokenKind.JSON_STRING, lexeme, position, Literal("".join(chars), "string"))


_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _json_escape(text: str, backslash: int) -> tuple[int, str]:
    """One escape sequence; ``\\uD83D\\uDE00`` surrogate pairs combine, lone surrogates are refused."""
    code = text[backslash + 1 : backslash + 2]
    if code in _JSON_ESCAPES:
        return backslash + 2, _JSON_ESCAPES[code]
    high = _unicode_escape(text, backslash)
    if high is not None and 0xD800 <= high < 0xDC00:
        low = _unicode_escape(text, backslash + 6)
        if low is not None and 0xDC00 <= low < 0xE000:
            return backslash + 12, chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    elif high is not None and not 0xDC00 <= high < 0xE000:
        return backslash + 6, chr(high)
    raise ODataSyntaxError(f"invalid escape {quote(text[backslash : backslash + 6])} in string", backslash)


def _unicode_escape(text: str, backslash: int) -> int | None:
    digits = text[backslash + 2 : backslash + 6]
    if text[backslash : backslash + 2] == "\\u" and len(digits) == 4 and all(char in _HEX for char in digits):
        return int(digits, 16)
    return None


def _scan_literal_shape(text: str, position: int) -> Token | None:
    """GUIDs, date-times, dates and numbers, longest shape first."""
    first = text[position]
    if first in _HEX and (guid := GUID_PATTERN.match(text, position)) is not None:
        return _literal_token(text, guid, guid_literal)
    if first in _DIGITS and (stamp := DATETIME_PATTERN.match(text, position)) is not None:
        return _literal_token(text, stamp, datetime_literal)
    if first in _DIGITS and (day := DATE_PATTERN.match(text, position)) is not None:
        return _literal_token(text, day, date_literal)
    signed = first in "+-" and text[position + 1 : position + 2] in _DIGITS
    if (first in _DIGITS or signed) and (number := NUMBER_PATTERN.match(text, position)) is not None:
        return _literal_token(text, number, number_literal)
    return None


def _literal_token(text: str, match: re.Match[str], build: Callable[[re.Match[str]], Literal]) -> Token:
    position, end = match.span()
    trailing = _AFTER_LITERAL.match(text, end)
    if trailing is not None:
        raise ODataSyntaxError(f"malformed literal {quote(text[position : trailing.end()])}", position)
    try:
        literal = build(match)
    except LiteralValueError as error:
        raise ODataSyntaxError(f"{error} in {quote(match.group(0))}", position) from None
    return Token(TokenKind.LITERAL, match.group(0), position, literal)


def _scan_alias(text: str, position: int) -> Token | None:
    if text[position] != "@":
        return None
    alias = _ALIAS.match(text, position)
    if alias is None:
        raise ODataSyntaxError(f"malformed parameter alias {quote(text[position : position + 2])}", position)
    return Token(TokenKind.ALIAS, alias.group(0), position)


def _scan_identifier(text: str, position: int) -> Token | None:
    name = _IDENTIFIER.match(text, position)
    if name is None:
        return None
    lexeme = name.group(0)
    if any(len(part) > MAX_IDENTIFIER_LENGTH for part in lexeme.split(".")):
        raise ODataSyntaxError(f"identifier longer than {MAX_IDENTIFIER_LENGTH} characters {quote(lexeme)}", position)
    keyword = KEYWORD_LITERALS.get(lexeme)
    if keyword is not None:
        return Token(TokenKind.LITERAL, lexeme, position, keyword)
    return Token(TokenKind.IDENTIFIER, lexeme, position)


_SCANNERS: tuple[Callable[[str, int], Token | None], ...] = (
    _scan_punctuation,
    _scan_string,
    _scan_json_string,
    _scan_literal_shape,
    _scan_alias,
    _scan_identifier,
)
