"""What HR adds to a generic OData write: numbers from the tenant's sequences, a person for every candidate to
hire, and a LinkedIn export that becomes (or updates) a candidate to hire.

Each hook calls the domain service the console uses for the same thing, so the API cannot create a
candidate or import an export differently from the console.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper

from hirehub.dataverse.coded_lookups import CodedLookup, in_step
from hirehub.db.sequences import CANDIDATE_ID, PARTY_NUMBER, PERSONNEL_NUMBER, take_numbers
from hirehub.hr.models import CandidateToHire, Job, LinkedInExportedCandidate, Person, RecruitingRequest, Title
from hirehub.hr.services import import_linkedin_export, new_person
from hirehub.odata.binding import RowHook, WriteHooks

NUMBERED = {
    "party_number": PARTY_NUMBER.code,
    "candidate_id": CANDIDATE_ID.code,
    "personnel_number": PERSONNEL_NUMBER.code,
}
"""System columns filled from a number sequence when a client creates a row (by ORM attribute)."""

REQUEST_CODES = (
    CodedLookup("job_id", "job_ref_id", Job, "job_id", field="mshr_jobid"),
    CodedLookup("title_id", "title_ref_id", Title, "title_id", field="mshr_titleid"),
)
"""The recruiting request's ``mshr_jobid`` and ``mshr_titleid`` beside its job and title lookups."""


def numbering(model: type) -> RowHook | None:
    """A hook that gives ``model``'s system-generated number columns their next numbers; None if it has none."""
    mapper: Mapper[Any] = inspect(model)
    columns = mapper.columns
    numbered = {
        attribute: code
        for attribute, code in NUMBERED.items()
        if attribute in columns and columns[attribute].info.get("system")
    }
    if not numbered:
        return None

    async def number(session: AsyncSession, row: Any) -> None:
        for attribute, code in numbered.items():
            if getattr(row, attribute, None) is None:
                (value,) = await take_numbers(session, code)
                setattr(row, attribute, value)

    return number


async def complete_candidate(session: AsyncSession, candidate: CandidateToHire) -> None:
    """Every candidate to hire has a person (as ``create_candidate`` guarantees) and carries its party number."""
    if candidate.person_ref_id is None:
        person = await new_person(
            session, first_name=candidate.first_name, middle_name=candidate.middle_name,
            last_name=candidate.last_name, email=candidate.email, phone=candidate.phone,
        )  # fmt: skip
        candidate.person_ref_id = person.id
    if candidate.party_number is None:
        candidate.party_number = await session.scalar(
            select(Person.party_number).where(Person.id == candidate.person_ref_id)
        )


async def resent_export(session: AsyncSession, body: Mapping[str, Any]) -> LinkedInExportedCandidate | None:
    """Exporting the same LinkedIn candidate again (same URN) updates the export made before."""
    urn = body.get("mshr_linkedincandidateurn")
    if not isinstance(urn, str):
        return None
    found: LinkedInExportedCandidate | None = await session.scalar(
        select(LinkedInExportedCandidate).where(LinkedInExportedCandidate.linkedin_candidate_urn == urn)
    )
    return found


async def import_export(session: AsyncSession, export: LinkedInExportedCandidate) -> None:
    """*Export to HRIS*: the export becomes a candidate to hire, or updates the one it made before."""
    await import_linkedin_export(session, export)


def hooks_for(model: type) -> WriteHooks:
    """The write hooks of one HR table."""
    number = numbering(model)
    if model is CandidateToHire:
        return WriteHooks(before_insert=_then(number, complete_candidate))
    if model is LinkedInExportedCandidate:
        return WriteHooks(existing=resent_export, before_insert=number, after_write=import_export)
    if model is RecruitingRequest:
        codes = in_step(REQUEST_CODES)
        return WriteHooks(before_insert=_then(number, codes), before_update=codes)
    return WriteHooks(before_insert=number)


def _then(first: RowHook | None, second: RowHook) -> RowHook:
    if first is None:
        return second

    async def both(session: AsyncSession, row: Any) -> None:
        await first(session, row)
        await second(session, row)

    return both
