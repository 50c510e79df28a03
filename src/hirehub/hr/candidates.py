"""Adding a candidate to hire by hand, and listing candidates to hire.

A recruiter who hires without an ATS export (a referral, a rehire agreed on the phone) adds the candidate here;
the candidate is then hired exactly as an exported one is. The record is made by
:func:`hirehub.hr.services.create_candidate`, the same service the Web API's writes use, so numbering and the
person behind the candidate cannot differ by the way a candidate came in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.audit import log as audit
from hirehub.errors import Invalid
from hirehub.hr import services
from hirehub.hr.models import CandidateToHire
from hirehub.hr.organisation import clean, required, snapshot


@dataclass(frozen=True)
class HandEntered:
    """What a recruiter types for a candidate: a name, how to reach them, what they were recruited as."""

    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None
    availability_date: date | None = None


async def add_candidate(session: AsyncSession, new: HandEntered, *, actor: str) -> CandidateToHire:
    """A candidate to hire, waiting for the Hire step; refused (nothing made) when a value does not fit."""
    first_name = required(CandidateToHire, "first_name", new.first_name, label="first name")
    last_name = required(CandidateToHire, "last_name", new.last_name, label="last name")
    email = clean(CandidateToHire, "email", new.email, label="e-mail")
    if email is not None and ("@" not in email or " " in email or email.startswith("@") or email.endswith("@")):
        raise Invalid(f"'{email}' is not an e-mail address", field="email")
    phone = clean(CandidateToHire, "phone", new.phone, label="phone")
    job_title = clean(CandidateToHire, "job_title", new.job_title, label="job title")
    candidate = await services.create_candidate(
        session,
        services.NewCandidate(
            first_name=first_name, last_name=last_name, email=email, phone=phone,
            availability_date=new.availability_date,
        ),
    )  # fmt: skip
    candidate.job_title = job_title
    await session.flush()
    audit.record(
        session, actor=actor, action="candidate.added", subject_type="candidate", subject_id=candidate.candidate_id,
        after=snapshot(candidate),
    )  # fmt: skip
    return candidate


async def list_candidates(session: AsyncSession) -> list[CandidateToHire]:
    """Every candidate to hire of the tenant, hired or not, by candidate id."""
    return list(await session.scalars(select(CandidateToHire).order_by(CandidateToHire.candidate_id)))
