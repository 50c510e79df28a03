"""Turning literal lexemes into typed :class:`Literal` values.

The lexer decides *which* kind of literal a piece of text is; this module decides what value it has
and refuses values the types cannot hold (30 February, an offset of 25 hours, an exponent that
overflows), so such mistakes are syntax errors at the right position instead of surprises in SQL.
Integers beyond Edm.Int64 become decimals, as the OData ABNF reads them.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
import uuid

from hirehub.odata.syntax.ast import Literal

INT64_DIGITS = 19
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_MICROSECOND_DIGITS = 6

DATETIME_PATTERN = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
DATE_PATTERN = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
GUID_PATTERN = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}", re.ASCII)
NUMBER_PATTERN = re.compile(r"[+-]?\d+(?P<fraction>\.\d+)?(?P<exponent>[eE][+-]?\d+)?", re.ASCII)

KEYWORD_LITERALS = {"true": Literal(True, "bool"), "false": Literal(False, "bool"), "null": Literal(None, "null")}


class LiteralValueError(ValueError):
    """The lexeme has literal shape but no valid value; the lexer adds the position."""


def string_literal(body: str) -> Literal:
    """``body`` is the text between the quotes, with ``''`` still doubled."""
    return Literal(body.replace("''", "'"), "string")


def number_literal(match: re.Match[str]) -> Literal:
    text = match.group(0)
    if match.group("exponent") is not None:
        value = float(text)
        if not math.isfinite(value):
            raise LiteralValueError("number out of range")
        return Literal(value, "float")
    digits = text.lstrip("+-")
    if match.group("fraction") is None and len(digits) <= INT64_DIGITS:
        number = int(text)
        if INT64_MIN <= number <= INT64_MAX:
            return Literal(number, "int")
    return Literal(decimal.Decimal(text), "decimal")


def date_literal(match: re.Match[str]) -> Literal:
    year, month, day = (int(part) for part in match.group(1, 2, 3))
    try:
        return Literal(datetime.date(year, month, day), "date")
    except ValueError as error:
        raise LiteralValueError(f"invalid date: {error}") from None


def datetime_literal(match: re.Match[str]) -> Literal:
    year, month, day, hour, minute = (int(part) for part in match.group(1, 2, 3, 4, 5))
    second = int(match.group(6) or 0)
    fraction = (match.group(7) or "")[:_MICROSECOND_DIGITS]
    microsecond = int(fraction.ljust(_MICROSECOND_DIGITS, "0"))
    try:
        zone = _timezone(match.group(8))
        value = datetime.datetime(year, month, day, hour, minute, second, microsecond, tzinfo=zone)
    except ValueError as error:
        raise LiteralValueError(f"invalid date/time: {error}") from None
    return Literal(value, "datetimeoffset")


def guid_literal(match: re.Match[str]) -> Literal:
    return Literal(uuid.UUID(match.group(0)), "guid")


def _timezone(text: str) -> datetime.timezone:
    if text in ("Z", "z"):
        return datetime.UTC
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 23 or minutes > 59:
        raise ValueError(f"offset {text} out of range")
    offset = datetime.timedelta(hours=hours, minutes=minutes)
    return datetime.timezone(-offset if text[0] == "-" else offset)
