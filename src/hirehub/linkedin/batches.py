"""Splitting integrations into LinkedIn's batches and reading each entity's fate out of a batch answer.

Pure: the sync job feeds it keys and the decoded answer; it says which keys LinkedIn accepted, which are worth
sending again (a 5xx or 429 for that entity, or no word at all) and which it refused for good (another 4xx).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hirehub.restli import KeyId

MAX_BATCH = 100
"""LinkedIn's RSC onboarding guide: "batch calls grouped with no more than 100 records"."""

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = MAX_BATCH) -> Iterator[list[T]]:
    if not 1 <= size <= MAX_BATCH:
        raise ValueError(f"a batch holds 1 to {MAX_BATCH} entities")
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


@dataclass
class BatchOutcome:
    accepted: list[KeyId] = field(default_factory=list)
    retry: dict[KeyId, str] = field(default_factory=dict)
    refused: dict[KeyId, str] = field(default_factory=dict)


def _transient(status: int) -> bool:
    return status >= 500 or status in (408, 429)


def classify(
    sent: Sequence[KeyId], results: Mapping[KeyId, Mapping[str, Any]], errors: Mapping[KeyId, Mapping[str, Any]]
) -> BatchOutcome:
    """Each sent key's fate: a 2xx result is accepted; an error (or a non-2xx result) is retried or refused by its
    status; a key the answer does not mention at all is retried, since LinkedIn did not say it took it."""
    outcome = BatchOutcome()
    for key in sent:
        if key in errors:
            error = errors[key]
            status = int(error.get("status") or 500)
            message = f"{status}: {error.get('message') or 'refused'}"
        elif key in results:
            status = int(results[key].get("status") or 200)
            message = f"{status}"
        else:
            outcome.retry[key] = "LinkedIn's answer did not mention this entity"
            continue
        if 200 <= status < 300:
            outcome.accepted.append(key)
        elif _transient(status):
            outcome.retry[key] = message
        else:
            outcome.refused[key] = message
    return outcome
