"""One-Click Export: a member a recruiter exported from LinkedIn Recruiter becomes a candidate to hire.

LinkedIn pushes an ``EXPORT_CANDIDATE_PROFILE`` notification to the customer's ``CALLBACK_URL``; the hub then reads
``GET /v2/exportedCandidates?q=request&requestId=…`` with the customer app's token (see
:func:`hirehub.linkedin.notifications.notification_job`). Each element holds the ``integrationContext`` the export was
made for and the member's limited ("stub") profile under ``candidate``. LinkedIn asks the receiver to check that the
context is the customer's own — callback URLs are per customer, so an export for another organization arriving here
is refused, never imported.

An export lands exactly where a Talent Hub *Export to HRIS* lands: a
:class:`~hirehub.hr.models.LinkedInExportedCandidate` keyed by the member's person URN, turned into (or
updating) a candidate to hire by :func:`hirehub.hr.services.import_linkedin_export`. Exporting the same member
again therefore updates the candidate made before instead of adding a second one. When the recruiter picked one of
the customer's synced jobs (``externalJobPostingId``: the hub's recruiting request id), a new candidate is linked to
that recruiting request.

:func:`parse_exports` is pure (the wire format to values); :func:`take_export` writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.audit import log as audit
from hirehub.errors import Invalid
from hirehub.hr import services as hr_services
from hirehub.hr.models import CandidateToHire, LinkedInExportedCandidate, RecruitingRequest
from hirehub.hr.organisation import clean, required, snapshot

EXPORT_INTEGRATION_TYPE = "ONE_CLICK_EXPORT"
PERSON_URN_PREFIX = "urn:li:person:"
ACTOR = "linkedin:one-click-export"


class ExportRefused(Invalid):
    """An exported element the hub cannot take (another customer's, or without the member's identity)."""


@dataclass(frozen=True)
class ExportedMember:
    """What one export says about the member, as plain values (not yet checked against the HR columns)."""

    integration_context: str
    person_urn: str
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    location: str | None
    profile_url: str | None
    job_posting_id: str | None


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _first(values: Any, key: str | None = None) -> str | None:
    """The first usable value of a list of strings, or of objects holding it under ``key``."""
    if not isinstance(values, list):
        return None
    for value in values:
        found = _text(value.get(key) if key is not None and isinstance(value, Mapping) else value)
        if found is not None:
            return found
    return None


def _location(value: Any) -> str | None:
    """A location as LinkedIn writes it: a display string, or an object with a city and a country."""
    if isinstance(value, Mapping):
        parts = [_text(value.get(name)) for name in ("city", "country", "countryCode")]
        return ", ".join(part for part in parts[:2] if part) or _text(value.get("countryCode"))
    return _text(value)


def parse_export(element: Mapping[str, Any], *, contexts: Iterable[str]) -> ExportedMember:
    """One ``exportedCandidates`` element, refused when it was made for an organization not among ``contexts``
    (the customer's own integration contexts) or names no member."""
    context = _text(element.get("integrationContext"))
    if context is None or context not in set(contexts):
        raise ExportRefused(f"an export for {context or 'no organization'} reached this customer's callback")
    profile = element.get("candidate")
    if not isinstance(profile, Mapping):
        raise ExportRefused("the export holds no candidate profile")
    person = _text(profile.get("person"))
    if person is None or not person.startswith(PERSON_URN_PREFIX):
        raise ExportRefused("the exported profile names no member (urn:li:person:…)")
    return ExportedMember(
        integration_context=context,
        person_urn=person,
        first_name=_text(profile.get("firstName")),
        last_name=_text(profile.get("lastName")),
        email=_text(profile.get("emailAddress")) or _first(profile.get("emailAddresses")),
        phone=_text(profile.get("phoneNumber")) or _first(profile.get("phoneNumbers"), "number"),
        location=_location(profile.get("location")),
        profile_url=_text(profile.get("linkedInProfileUrl")),
        job_posting_id=_text(element.get("externalJobPostingId")),
    )


@dataclass(frozen=True)
class ExportOutcome:
    """What became of one element: the candidate made or updated, or why the element was refused."""

    person_urn: str | None
    candidate_id: str | None = None
    created: bool = False
    refused: str | None = None


def parse_exports(
    elements: Sequence[Mapping[str, Any]], *, contexts: Iterable[str]
) -> list[ExportedMember | ExportOutcome]:
    """Every element parsed, or the refusal that stands in its place (one bad element never hides the others)."""
    allowed = frozenset(contexts)
    parsed: list[ExportedMember | ExportOutcome] = []
    for element in elements:
        try:
            parsed.append(parse_export(element, contexts=allowed))
        except ExportRefused as exc:
            profile = element.get("candidate")
            person = _text(profile.get("person")) if isinstance(profile, Mapping) else None
            parsed.append(ExportOutcome(person, refused=str(exc)))
    return parsed


async def take_export(session: AsyncSession, member: ExportedMember) -> ExportOutcome:
    """The member as a candidate to hire: made, or the one made by an earlier export of the same member updated.
    Values that do not fit the HR columns refuse the export (:class:`~hirehub.errors.Invalid`), changing nothing."""
    model = LinkedInExportedCandidate
    first_name = required(model, "first_name", member.first_name, label="first name")
    values = {
        "first_name": first_name,
        "last_name": clean(model, "last_name", member.last_name, label="last name"),
        "email": clean(model, "email", member.email, label="e-mail"),
        "phone": clean(model, "phone", member.phone, label="phone"),
        "location": clean(model, "location", member.location, label="location"),
        "linkedin_profile_url": clean(model, "linkedin_profile_url", member.profile_url, label="profile URL"),
    }
    urn = required(model, "linkedin_candidate_urn", member.person_urn, label="member")
    export: LinkedInExportedCandidate | None = await session.scalar(
        select(model).where(model.linkedin_candidate_urn == urn)
    )
    created = export is None or export.candidate_ref_id is None
    before = snapshot(export) if export is not None else None
    if export is None:
        export = model(linkedin_candidate_urn=urn, first_name=first_name)
        session.add(export)
    for attribute, value in values.items():
        setattr(export, attribute, value)
    export.linkedin_member_urn = urn
    await session.flush()
    candidate = await hr_services.import_linkedin_export(session, export)
    if created and member.job_posting_id is not None:
        await _link_recruiting_request(session, candidate, member.job_posting_id)
    audit.record(
        session, actor=ACTOR, action="candidate.exported" if created else "candidate.export_updated",
        subject_type="candidate", subject_id=candidate.candidate_id, before=before, after=snapshot(export),
    )  # fmt: skip
    return ExportOutcome(urn, candidate.candidate_id, created)


async def _link_recruiting_request(session: AsyncSession, candidate: CandidateToHire, request_id: str) -> None:
    """The job the recruiter exported the member for, when it is one of the customer's recruiting requests."""
    request: RecruitingRequest | None = await session.scalar(
        select(RecruitingRequest).where(RecruitingRequest.recruiting_request_id == request_id)
    )
    if request is not None and candidate.recruiting_request_ref_id is None:
        candidate.recruiting_request_ref_id = request.id
        candidate.recruiting_request_id = request.recruiting_request_id
        await session.flush()
