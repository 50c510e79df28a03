"""A generic row factory: a valid row of any mapped table, with every row it must reference.

The isolation tests walk every tenant-owned table; writing a hand-made example of each would drift
as tables are added. This builds one from the table's own definition instead: every column that is
required and has no default gets a value of its type, and every required foreign key gets a row of
its own (made the same way, in the same tenant).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import Base


def model_for_table(name: str) -> type[Any]:
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == name:
            return mapper.class_
    raise LookupError(f"no mapped class for table {name}")


def _value_for(column: Column[Any]) -> Any:
    option_set = column.info.get("option_set")
    if option_set is not None:
        return int(next(iter(option_set)))
    choices = column.info.get("choices")  # a closed set of strings, kept by a CHECK constraint
    if choices:
        return choices[0]
    if isinstance(column.type, JSON):
        return {}
    python_type = column.type.python_type
    if python_type is str:
        length = getattr(column.type, "length", None) or 32
        return uuid.uuid4().hex[: min(length, 32)]
    if python_type is bool:
        return False
    if python_type is int:
        return 1
    if python_type is Decimal:
        return Decimal(1)
    if python_type is datetime:
        return datetime.now(UTC)
    if python_type is date:
        return date(2026, 1, 1)
    if python_type is uuid.UUID:
        return uuid.uuid4()
    if python_type is dict:
        return {}
    if python_type is bytes:
        return b"x"
    raise TypeError(f"no example value for {column} of type {python_type}")


def _needs_value(column: Column[Any]) -> bool:
    if column.name == "tenant_id" or column.nullable:
        return False
    if column.default is not None or column.server_default is not None or column.identity is not None:
        return False
    return not (column.primary_key and column.autoincrement is True and not column.foreign_keys)


async def make_row(session: AsyncSession, model: type[Any], **values: Any) -> Any:
    """Add (and flush) a valid ``model`` row in the session's tenant, creating what it references."""
    for column in model.__table__.columns:
        if column.key in values or not _needs_value(column):
            continue
        foreign_keys = list(column.foreign_keys)
        if foreign_keys:
            target = foreign_keys[0].column.table.name
            if target == "tenant":
                continue
            referenced = await make_row(session, model_for_table(target))
            values[column.key] = referenced.id
        else:
            values[column.key] = _value_for(column)
    row = model(**values)
    session.add(row)
    await session.flush()
    return row
