"""The three outcomes of mapping one HR record for LinkedIn, and the time format every record uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ORGANIZATION_PREFIX = "urn:li:organization:"
DATA_PROVIDER = "ATS"


@dataclass(frozen=True)
class Problem:
    """Why one LinkedIn field cannot be filled correctly from the HR record."""

    field: str
    """The LinkedIn field (``companyApplyUrl``, ``lastName``…)."""
    reason: str


@dataclass(frozen=True)
class Mapped:
    """A record ready to send: its Rest.li key (compound, or the element's own id for job postings) and payload."""

    record: str
    """The HR record it came from, as people name it (``recruiting request REQ-1``)."""
    key: Mapping[str, str]
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class Refused:
    """A record that cannot be sent correctly: every problem at once, so one fix round is enough."""

    record: str
    problems: tuple[Problem, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Skipped:
    """A record that is not LinkedIn's business (yet): a request not approved, a candidate without a request."""

    record: str
    reason: str


Outcome = Mapped | Refused | Skipped


def epoch_millis(moment: datetime) -> int:
    """LinkedIn's "UTC Epoch Milliseconds"; a naive datetime is UTC (the hub stores UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


def organization_urn(organization_id: str) -> str:
    """``urn:li:organization:{id}`` from an id or from the URN itself (the plugin hands over the URN)."""
    if organization_id.startswith(ORGANIZATION_PREFIX):
        return organization_id
    return f"{ORGANIZATION_PREFIX}{organization_id}"
