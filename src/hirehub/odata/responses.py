"""The OData response helpers: JSON with ``odata.metadata=minimal`` and ``OData-Version: 4.0``."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

ODATA_HEADERS = {"OData-Version": "4.0"}
JSON_METADATA = "application/json; odata.metadata=minimal"


def odata_json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        body, status_code=status, headers={**ODATA_HEADERS, **(headers or {})}, media_type=JSON_METADATA
    )
