"""What the console's hand-written forms share: reading posted text into typed values, and who did it.

A form re-renders with the error next to the field that caused it, so parsing never raises: each reader
returns the value or records a message under the field's id in :class:`FieldErrors`, and the page decides
whether to go on. Nothing here touches the database.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hirehub.web.accounts import SignedIn


class FieldErrors(dict[str, str]):
    """Messages by field id (the id the template gives the control, so the message sits next to it)."""

    def date(self, field: str, raw: str, label: str, *, required: bool = False) -> date | None:
        text = raw.strip()
        if not text:
            if required:
                self[field] = f"{label} is required"
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self[field] = f"{label} '{text}' is not a date (YYYY-MM-DD)"
            return None

    def choice(self, field: str, raw: str, label: str, *, required: bool = False) -> uuid.UUID | None:
        """The id a ``<select>`` posted; an id the page never offered is reported, not trusted."""
        text = raw.strip()
        if not text:
            if required:
                self[field] = f"choose a {label.lower()}"
            return None
        try:
            return uuid.UUID(text)
        except ValueError:
            self[field] = f"'{text}' is not one of the {label.lower()} choices"
            return None


def actor(admin: SignedIn) -> str:
    """Who, for the audit log: the same form the admin API uses for a console session."""
    return f"console:{admin.email}"


def today_in(time_zone: str) -> date:
    """Today where the tenant is: a last day or a start date is a calendar day in the tenant's time zone."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.now(UTC).astimezone(zone).date()


def with_message(path: str, *, notice: str = "", error: str = "") -> str:
    """Where to send the browser after a change (POST, redirect, GET), with the outcome to show there."""
    query = {key: value for key, value in (("notice", notice), ("error", error)) if value}
    return f"{path}?{urlencode(query)}" if query else path
