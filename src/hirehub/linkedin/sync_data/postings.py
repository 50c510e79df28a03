"""A recruiting request (with its positions and locations) → one ``simpleJobPostings`` element.

RSC's *Required Fields* for *Sync Jobs*: ``integrationContext``, ``externalJobPostingId``, ``title`` (at most 200
characters), ``description``, ``location`` as ``CITY,STATE`` or ``CITY,COUNTRY`` (or ``countryCode`` and
``postalCode`` instead), ``state`` (``LISTED`` or ``CLOSED``) and ``companyApplyUrl``. The RSC Postman collection's
jobs also carry ``listedAt`` and ``availability``; a job sent for RSC only is ``PRIVATE_TO_ATS_INTEGRATION``.

Where each comes from, and where the HR model falls short:

- ``externalJobPostingId``: the request's ``recruiting_request_id`` (unique in the tenant).
- ``title``: the request's title, else its first position's title, else its job's name.
- ``description``: the request's description, else its job's description. Neither is a posting text by intent
  (the request's is 200 characters); the HR model has no job-posting description.
- ``location``: the first of the request's locations written ``City, Region``; failing that, the first location
  with a postal code and a country (ISO alpha-2) is sent as ``postalCode`` + ``countryCode`` instead. A request
  with neither is refused.
- ``state``: APPROVED and STARTED requests are LISTED, CLOSED and CANCELLED ones CLOSED; a CREATED request is not
  a job yet and is skipped.
- ``companyApplyUrl``: the HR model has none. It comes from the customer's apply-URL template
  (:attr:`PostingSettings.apply_url_template`, ``{id}`` standing for the request's id); without one, refused.
- ``listedAt``: when the request was recorded in the hub (the HR model keeps no approval or posting date).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote, urlsplit

from hirehub.hr.models.options import RecruitingRequestStatus
from hirehub.linkedin.sync_data.outcomes import Mapped, Outcome, Problem, Refused, Skipped, epoch_millis

MAX_TITLE_LENGTH = 200
AVAILABILITY = "PRIVATE_TO_ATS_INTEGRATION"
LISTED_STATUSES = frozenset({RecruitingRequestStatus.APPROVED, RecruitingRequestStatus.STARTED})
CLOSED_STATUSES = frozenset({RecruitingRequestStatus.CLOSED, RecruitingRequestStatus.CANCELLED})


class PostingOperation(StrEnum):
    """``jobPostingOperationType``: CREATE the first time, UPDATE afterwards, CLOSE to take it down."""

    CREATE = "CREATE"
    UPDATE = "UPDATE"
    CLOSE = "CLOSE"


@dataclass(frozen=True)
class PostingSettings:
    """What the customer's integration adds to its requests: its organization and where candidates apply."""

    integration_context: str
    """``urn:li:organization:{id}``."""
    apply_url_template: str | None
    """An absolute http(s) URL with ``{id}`` for the request's id (``https://careers.contoso.example/jobs/{id}``)."""


@dataclass(frozen=True)
class RequestLocation:
    location: str
    country_iso_code: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True)
class RequestSnapshot:
    """The recruiting request as the mapping needs it (the sync fills it from the request and its lookups)."""

    recruiting_request_id: str
    status: RecruitingRequestStatus
    created_at: datetime
    description: str | None = None
    title: str | None = None
    """The name of the request's title."""
    job_name: str | None = None
    job_description: str | None = None
    position_titles: Sequence[str] = field(default_factory=tuple)
    """The names of the titles of the request's positions, in the request's order."""
    locations: Sequence[RequestLocation] = field(default_factory=tuple)

    @property
    def record(self) -> str:
        return f"recruiting request {self.recruiting_request_id}"


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def posting_title(request: RequestSnapshot) -> str | None:
    """The posting's title: the request's title, its first position's, or its job's name."""
    candidates = [request.title, *request.position_titles, request.job_name]
    return next((t for t in (_text(c) for c in candidates) if t), None)


def is_city_and_region(location: str) -> bool:
    """LinkedIn's ``CITY,STATE`` / ``CITY,COUNTRY``: exactly two non-empty parts around one comma."""
    parts = [part.strip() for part in location.split(",")]
    return len(parts) == 2 and all(parts)


def where(locations: Sequence[RequestLocation]) -> dict[str, str] | None:
    """Where the job is, as LinkedIn takes it: ``location`` (``City, Region``) from the first location written so,
    else ``postalCode`` + ``countryCode`` from the first with both; None when no location gives either."""
    written = next((loc.location.strip() for loc in locations if is_city_and_region(loc.location)), None)
    if written is not None:
        return {"location": written}
    for loc in locations:
        postal, country = _text(loc.postal_code), _text(loc.country_iso_code)
        if postal is not None and country is not None and len(country) == 2:
            return {"postalCode": postal, "countryCode": country.lower()}
    return None


def apply_url(settings: PostingSettings, recruiting_request_id: str) -> str | None:
    """The customer's apply URL for one request, or None when there is no usable template."""
    template = settings.apply_url_template
    if not template:
        return None
    url = template.replace("{id}", quote(recruiting_request_id, safe=""))
    parts = urlsplit(url)
    return url if parts.scheme in {"http", "https"} and parts.netloc else None


def closing(integration_context: str, external_job_posting_id: str, record: str) -> Mapped:
    """The CLOSE of a posting: it names the posting only (its organization and id), so it can be sent for a request
    whatever it lacks, or no longer has (a deleted request's posting is closed, not left listed)."""
    key = {"integrationContext": integration_context, "externalJobPostingId": external_job_posting_id}
    return Mapped(record, key, {**key, "jobPostingOperationType": str(PostingOperation.CLOSE)})


def job_posting(
    request: RequestSnapshot, settings: PostingSettings, operation: PostingOperation = PostingOperation.CREATE
) -> Outcome:
    """The ``simpleJobPostings`` element for ``request``, or why it is not sent.

    A CLOSE names the posting only (its organization and id), whatever else the request lacks.
    """
    if operation is PostingOperation.CLOSE:
        return closing(settings.integration_context, request.recruiting_request_id, request.record)
    key = {"integrationContext": settings.integration_context, "externalJobPostingId": request.recruiting_request_id}
    if request.status in LISTED_STATUSES:
        state = "LISTED"
    elif request.status in CLOSED_STATUSES:
        state = "CLOSED"
    else:
        return Skipped(request.record, "the request is not approved: it is no job posting yet")
    problems: list[Problem] = []
    title = posting_title(request)
    if title is None:
        problems.append(Problem("title", "the request has no title, no position with a title and no job"))
    elif len(title) > MAX_TITLE_LENGTH:
        problems.append(Problem("title", f"{len(title)} characters; LinkedIn takes at most {MAX_TITLE_LENGTH}"))
    description = _text(request.description) or _text(request.job_description)
    if description is None:
        problems.append(Problem("description", "neither the request nor its job has a description"))
    location = where(request.locations)
    if location is None:
        problems.append(
            Problem(
                "location",
                'no location written "City, State" or "City, Country", and none with a postal code and a '
                "two-letter country code",
            )
        )
    url = apply_url(settings, request.recruiting_request_id)
    if url is None:
        problems.append(Problem("companyApplyUrl", "the customer has no apply URL template (absolute, with {id})"))
    if problems or location is None:
        return Refused(request.record, tuple(problems))
    return Mapped(
        request.record,
        key,
        {
            **key,
            "jobPostingOperationType": str(operation),
            "title": title,
            "description": description,
            **location,
            "state": state,
            "companyApplyUrl": url,
            "listedAt": epoch_millis(request.created_at),
            "availability": AVAILABILITY,
        },
    )
