"""The EDM primitive types the API speaks: the closed set a property, a parameter or a literal can have."""

from __future__ import annotations

from enum import StrEnum


class EdmType(StrEnum):
    """An OData primitive type, by its CSDL name (``Edm.String``…); compares equal to that name."""

    STRING = "Edm.String"
    INT32 = "Edm.Int32"
    INT64 = "Edm.Int64"
    BOOLEAN = "Edm.Boolean"
    DATE = "Edm.Date"
    DATE_TIME_OFFSET = "Edm.DateTimeOffset"
    DECIMAL = "Edm.Decimal"
    GUID = "Edm.Guid"


INTEGERS = frozenset({EdmType.INT32, EdmType.INT64})
NUMBERS = INTEGERS | {EdmType.DECIMAL}
