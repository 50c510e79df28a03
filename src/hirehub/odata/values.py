"""Values from JSON bodies to the database, by EDM type (reading, :mod:`hirehub.odata.responses` encodes).

A value of the wrong type or shape is refused with a
payload error that names the property and the type it expects; nothing is coerced silently.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from hirehub.odata.documents import holds_nul
from hirehub.odata.edm import EdmType
from hirehub.odata.errors import DataverseError, bad_payload
from hirehub.odata.model import Property

INT32 = (-(2**31), 2**31 - 1)


def _refuse(prop: Property, raw: Any) -> DataverseError:
    shown = repr(raw)[:80]
    return bad_payload(f"Cannot convert the literal {shown} to the expected type '{prop.edm_type}' of '{prop.name}'.")


def from_json(prop: Property, raw: Any) -> Any:
    """The database value for ``raw`` written to ``prop``; a payload error if it does not fit."""
    if raw is None:
        return None
    parsers = {
        EdmType.STRING: _string, EdmType.INT32: _int32, EdmType.INT64: _int32, EdmType.BOOLEAN: _boolean,
        EdmType.DATE: _date, EdmType.DATE_TIME_OFFSET: _datetime, EdmType.DECIMAL: _decimal, EdmType.GUID: _guid,
    }  # fmt: skip
    return parsers[prop.edm_type](prop, raw)


def _string(prop: Property, raw: Any) -> str:
    if not isinstance(raw, str):
        raise _refuse(prop, raw)
    if holds_nul(raw):
        raise bad_payload(f"A value for '{prop.name}' holds the NUL character, which no text column stores.")
    if prop.max_length is not None and len(raw) > prop.max_length:
        raise bad_payload(
            f"A value for '{prop.name}' is {len(raw)} characters long; the column allows {prop.max_length}."
        )
    return raw


def _int32(prop: Property, raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not INT32[0] <= raw <= INT32[1]:
        raise _refuse(prop, raw)
    if prop.option_set is not None and raw not in {int(o) for o in prop.option_set}:
        allowed = ", ".join(str(int(o)) for o in prop.option_set)
        raise bad_payload(f"{raw} is not a valid value for the choice '{prop.name}' (allowed: {allowed}).")
    return raw


def _boolean(prop: Property, raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise _refuse(prop, raw)
    return raw


def _date(prop: Property, raw: Any) -> date:
    if not isinstance(raw, str) or len(raw) != 10:
        raise _refuse(prop, raw)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _refuse(prop, raw) from None


def _datetime(prop: Property, raw: Any) -> datetime:
    if not isinstance(raw, str):
        raise _refuse(prop, raw)
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _refuse(prop, raw) from None
    if parsed.tzinfo is None:
        raise bad_payload(f"'{prop.name}' needs a time zone offset (e.g. 2026-01-31T09:00:00Z).")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-01:00, which is in the year 10000 in UTC
        raise _refuse(prop, raw) from None


def _decimal(prop: Property, raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise _refuse(prop, raw)
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise _refuse(prop, raw) from None
    if not value.is_finite() or abs(value) >= Decimal(10) ** 12:
        raise _refuse(prop, raw)
    return value


def _guid(prop: Property, raw: Any) -> uuid.UUID:
    if not isinstance(raw, str):
        raise _refuse(prop, raw)
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise _refuse(prop, raw) from None
