"""Keyset paging: ``@odata.nextLink`` carries the sort values of the last row sent, not an offset.

The next page starts strictly after that row in the request's order (with the record id as the final
tie-breaker), so rows inserted or deleted between pages never make a client skip or repeat a row
that existed throughout. NULLs sort first ascending and last descending on every engine, as in
Dataverse (SQL Server). The token is opaque to clients: base64url of a small JSON array, checked on
the way back in so that a tampered token is a 400, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_

from hirehub.odata import documents
from hirehub.odata.documents import holds_nul
from hirehub.odata.edm import INTEGERS, EdmType
from hirehub.odata.errors import bad_query

MAX_PAGE_SIZE = 5000


@dataclass(frozen=True)
class SortKey:
    expression: Any
    edm_type: str
    descending: bool
    nullable: bool = True
    """A key that is never NULL (the record id) sorts plainly, so the primary-key index serves the order."""

    def ordering(self) -> Any:
        if not self.nullable:
            return self.expression.desc() if self.descending else self.expression.asc()
        return self.expression.desc().nulls_last() if self.descending else self.expression.asc().nulls_first()


def encode_token(values: list[Any]) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, keys: list[SortKey]) -> list[Any]:
    """The sort values in ``token``, typed for ``keys``; a 400 if it does not fit this query."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = documents.parse(raw)
    except (binascii.Error, ValueError):
        raise bad_query("The $skiptoken is not one this service issued; follow @odata.nextLink as given.") from None
    if not isinstance(values, list) or len(values) != len(keys):
        raise bad_query("The $skiptoken does not belong to this query; follow @odata.nextLink as given.")
    try:
        return [_typed(value, key.edm_type) for value, key in zip(values, keys, strict=True)]
    except (TypeError, ValueError, ArithmeticError):
        raise bad_query("The $skiptoken does not belong to this query; follow @odata.nextLink as given.") from None


def after(keys: list[SortKey], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order of ``keys`` (lexicographic, NULL-aware)."""
    alternatives = []
    for index, key in enumerate(keys):
        earlier_equal = [_equal(k.expression, v) for k, v in zip(keys[:index], values[:index], strict=True)]
        alternatives.append(and_(*earlier_equal, _beyond(key, values[index])))
    return or_(*alternatives)


def _equal(expression: Any, value: Any) -> Any:
    return expression.is_(None) if value is None else expression == value


def _beyond(key: SortKey, value: Any) -> Any:
    if not key.nullable:
        return key.expression < value if key.descending else key.expression > value
    if key.descending:  # NULLs come last: nothing is beyond a NULL
        return false() if value is None else or_(key.expression < value, key.expression.is_(None))
    return key.expression.is_not(None) if value is None else key.expression > value


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | date | datetime | Decimal):
        return str(value) if not isinstance(value, datetime) else value.isoformat()
    return value


def _typed(value: Any, edm_type: str) -> Any:
    if value is None:
        return None
    if edm_type == EdmType.GUID:
        return uuid.UUID(str(value))
    if edm_type == EdmType.DATE:
        return date.fromisoformat(str(value))
    if edm_type == EdmType.DATE_TIME_OFFSET:
        parsed = datetime.fromisoformat(str(value))
        if parsed.tzinfo is None:
            raise ValueError("naive")
        return parsed
    if edm_type == EdmType.DECIMAL:
        return Decimal(str(value))
    if edm_type in INTEGERS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("not an integer")
        return value
    if edm_type == EdmType.BOOLEAN:
        if not isinstance(value, bool):
            raise TypeError("not a boolean")
        return value
    if not isinstance(value, str) or holds_nul(value):
        raise TypeError("not a string a column can hold")
    return value
