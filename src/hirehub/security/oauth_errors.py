"""OAuth errors in the shape Microsoft's identity platform answers with, which MSAL and azure-identity parse.

``error_description`` starts with the AADSTS code, and carries the trace and correlation ids and the
timestamp on their own lines, exactly as Entra does; the same values are also top-level members.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass
class OAuthError(Exception):
    status: int
    error: str
    code: int
    message: str
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __str__(self) -> str:
        return f"AADSTS{self.code}: {self.message}"

    def body(self, now: datetime | None = None) -> dict[str, Any]:
        stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%SZ")
        trace_id = str(uuid.uuid4())
        description = (
            f"AADSTS{self.code}: {self.message} Trace ID: {trace_id} Correlation ID: {self.correlation_id} "
            f"Timestamp: {stamp}"
        )
        return {
            "error": self.error,
            "error_description": description,
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": self.correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={self.code}",
        }


def invalid_request(code: int, message: str) -> OAuthError:
    return OAuthError(400, "invalid_request", code, message)


def invalid_client(code: int, message: str) -> OAuthError:
    return OAuthError(401, "invalid_client", code, message)


def missing_parameter(name: str) -> OAuthError:
    return invalid_request(900144, f"The request body must contain the following parameter: '{name}'.")


def tenant_not_found(tenant: str) -> OAuthError:
    return OAuthError(
        400, "invalid_request", 90002,
        f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the "
        "correct cloud.",
    )  # fmt: skip


def unknown_application(client_id: str, tenant: str) -> OAuthError:
    return OAuthError(
        400, "unauthorized_client", 700016,
        f"Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if "
        "the application has not been installed by the administrator of the tenant or consented to by any user in "
        "the tenant.",
    )  # fmt: skip
