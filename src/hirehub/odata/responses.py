"""The OData response helpers: JSON with ``odata.metadata=minimal`` and ``OData-Version: 4.0``.

Bodies are encoded with orjson, which writes GUIDs, dates and UTC timestamps (``…Z``, whole seconds, as
Dataverse writes them) itself, so a page of 5,000 records needs no per-value conversion in Python.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import orjson
from fastapi import Response

ODATA_HEADERS = {"OData-Version": "4.0"}
JSON_METADATA = "application/json; odata.metadata=minimal"
_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, uuid.UUID) or type(value).__name__ == "UUID":  # asyncpg's own UUID, as some rows carry
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode(body: Any) -> bytes:
    return orjson.dumps(body, default=_default, option=_OPTIONS)


def odata_json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(encode(body), status_code=status, headers={**ODATA_HEADERS, **(headers or {})},
                    media_type=JSON_METADATA)  # fmt: skip
