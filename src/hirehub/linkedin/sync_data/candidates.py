"""A candidate to hire and the person behind it → one ``atsCandidates`` record.

*Sync Candidates* requires ``addresses`` and ``phoneNumbers`` (each may be an empty array), ``atsCreatedAt`` and
``atsLastModifiedAt`` (UTC epoch milliseconds, greater than 0), ``firstName`` (since March 2024), and — as the
sandbox holds it — ``lastName`` and ``emailAddresses`` (possibly empty). For the best match LinkedIn asks for
phones, ``linkedInProfileUrl``, the current company and title with the names and e-mail addresses.

From the HR model: names, e-mail and phone from the candidate (and its person's primary contacts and party
contacts, without repeats), addresses from the person's addresses, ``linkedInProfileUrl`` from a URL contact on
linkedin.com. A ``batch_update`` replaces the record, so everything available is always sent.

Not in the HR model, so never sent: ``currentCompanyName`` and ``currentJobTitle`` (the candidate's *job title*
is the job they were recruited for, not their current one), ``prefix``, ``suffix``, ``doNotContact``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from hirehub.linkedin.sync_data.outcomes import DATA_PROVIDER, Mapped, Outcome, Problem, Refused, epoch_millis


@dataclass(frozen=True)
class AddressSnapshot:
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None
    country_iso_code: str | None = None
    """ISO 3166 alpha-2 (LinkedIn's samples send ``"us"``); an alpha-3 code is left out, not guessed."""


@dataclass(frozen=True)
class PersonSnapshot:
    modified_at: datetime
    primary_email: str | None = None
    primary_phone: str | None = None
    emails: Sequence[str] = field(default_factory=tuple)
    phones: Sequence[str] = field(default_factory=tuple)
    urls: Sequence[str] = field(default_factory=tuple)
    addresses: Sequence[AddressSnapshot] = field(default_factory=tuple)


@dataclass(frozen=True)
class CandidateSnapshot:
    """A candidate to hire as the mapping needs it (the sync fills it from the row and its person)."""

    candidate_id: str
    first_name: str | None
    created_at: datetime
    modified_at: datetime
    middle_name: str | None = None
    last_name_prefix: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    person: PersonSnapshot | None = None

    @property
    def record(self) -> str:
        return f"candidate {self.candidate_id}"


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _unique(values: Iterable[str | None], *, fold: bool = False) -> list[str]:
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        text = _text(value)
        if text is None or (text.lower() if fold else text) in seen:
            continue
        seen.add(text.lower() if fold else text)
        kept.append(text)
    return kept


def last_name(candidate: CandidateSnapshot) -> str | None:
    """The family name as people write it: the prefix (``van``, ``de``) and the last name."""
    parts = [p for p in (_text(candidate.last_name_prefix), _text(candidate.last_name)) if p]
    return " ".join(parts) or None


def linkedin_profile_url(urls: Iterable[str]) -> str | None:
    """The first URL on linkedin.com (any subdomain) among a person's URL contacts."""
    for url in urls:
        host = urlsplit(url.strip()).netloc.lower()
        if host == "linkedin.com" or host.endswith(".linkedin.com"):
            return url.strip()
    return None


def address(snapshot: AddressSnapshot) -> dict[str, str] | None:
    """LinkedIn's Address record, or None when nothing of it is known."""
    fields = {
        "line1": _text(snapshot.street),
        "city": _text(snapshot.city),
        "geographicArea": _text(snapshot.state),
        "postalCode": _text(snapshot.zip_code),
    }
    country = _text(snapshot.country_iso_code)
    if country is not None and len(country) == 2:
        fields["country"] = country.lower()
    kept = {name: value for name, value in fields.items() if value is not None}
    return kept or None


def candidate_key(integration_context: str, candidate_id: str) -> dict[str, str]:
    return {"atsCandidateId": candidate_id, "dataProvider": DATA_PROVIDER, "integrationContext": integration_context}


def ats_candidate(candidate: CandidateSnapshot, integration_context: str) -> Outcome:
    """The ``atsCandidates`` record for ``candidate``, or why it cannot be sent."""
    problems: list[Problem] = []
    first = _text(candidate.first_name)
    if first is None:
        problems.append(Problem("firstName", "the candidate has no first name"))
    last = last_name(candidate)
    if last is None:
        problems.append(Problem("lastName", "the candidate has no last name"))
    if problems:
        return Refused(candidate.record, tuple(problems))
    person = candidate.person
    emails = _unique(
        [candidate.email, *((person.primary_email, *person.emails) if person else ())],
        fold=True,
    )
    phones = _unique([candidate.phone, *((person.primary_phone, *person.phones) if person else ())])
    addresses = [a for a in (address(s) for s in (person.addresses if person else ())) if a is not None]
    modified = max([candidate.modified_at, *([person.modified_at] if person else [])])
    payload: dict[str, Any] = {
        "atsCreatedAt": epoch_millis(candidate.created_at),
        "atsLastModifiedAt": epoch_millis(modified),
        "firstName": first,
        "lastName": last,
        "emailAddresses": emails,
        "phoneNumbers": [{"number": number} for number in phones],
        "addresses": addresses,
    }
    middle = _text(candidate.middle_name)
    if middle is not None:
        payload["middleInitial"] = middle[0]
    profile = linkedin_profile_url(person.urls) if person else None
    if profile is not None:
        payload["linkedInProfileUrl"] = profile
    return Mapped(candidate.record, candidate_key(integration_context, candidate.candidate_id), payload)
