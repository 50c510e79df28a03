"""Errors in the Dataverse Web API's shape: ``{"error": {"code": "0x…", "message": "…"}}``.

Dataverse clients (and people reading their logs) look for the hexadecimal code and the message; a
refusal for a missing privilege names the privilege, as Dataverse does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import JSONResponse

# The codes hirehub answers with (Dataverse's own numbers where one exists).
NOT_AUTHENTICATED = "0x80072553"
NOT_A_MEMBER = "0x80072560"  # "The user is not a member of the organization."
MISSING_PRIVILEGE = "0x80040220"  # SecLib::AccessCheck / missing privilege
HR_SETUP_MISSING = "0x80072561"


@dataclass
class DataverseError(Exception):
    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


async def handle_dataverse_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DataverseError)
    return JSONResponse(
        {"error": {"code": exc.code, "message": exc.message}},
        status_code=exc.status,
        headers={"OData-Version": "4.0", **exc.headers},
    )
