"""Microsoft Graph's error body, as an exception the connector can reason about."""

from __future__ import annotations

from typing import Any


class GraphError(Exception):
    """A Graph request failed: HTTP ``status``, Graph ``code`` (e.g. ``ObjectConflict``) and message."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    @property
    def is_conflict(self) -> bool:
        return self.code == "ObjectConflict" or (self.status == 400 and "already exists" in self.message)

    @property
    def conflicting_property(self) -> str | None:
        """The property Graph names in an ObjectConflict message (userPrincipalName, mail, proxyAddresses)."""
        for name in ("userPrincipalName", "mailNickname", "proxyAddresses", "mail"):
            if name in self.message:
                return name
        return None

    @classmethod
    def from_response(cls, status: int, body: Any, headers: dict[str, str] | None = None) -> GraphError:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        code = str(error.get("code", "UnknownError")) if isinstance(error, dict) else "UnknownError"
        message = str(error.get("message", "")) if isinstance(error, dict) else str(body)
        return cls(status, code, message, retry_after_seconds(headers or {}))


def retry_after_seconds(headers: dict[str, str]) -> float | None:
    """``Retry-After`` in seconds (Graph sends delta-seconds), case-insensitively."""
    for key, value in headers.items():
        if key.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None
