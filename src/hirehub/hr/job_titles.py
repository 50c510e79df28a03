"""The job title a candidate was recruited as, carried to the worker as a Title.

An ATS exports the title as text (``Data Engineer``); the HR model holds titles as records that workers and
positions name. At the hire the text becomes the tenant's Title of that name (matched regardless of case), made
the first time a title is used, so a title typed in the ATS is never shown on the hire form and then lost.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.hr import organisation
from hirehub.hr.models import CandidateToHire, LinkedInExportedCandidate, Title


async def title_named(session: AsyncSession, name: str | None, *, actor: str) -> Title | None:
    """The tenant's Title called ``name``, made (and audited as made by ``actor``) if there is none; None for no
    name. A name no Title can hold is refused as creating it would be."""
    text = (name or "").strip()
    if not text:
        return None
    found: Title | None = await session.scalar(select(Title).where(func.lower(Title.title_id) == text.lower()))
    if found is not None:
        return found
    return await organisation.create_title(session, name=text, actor=actor)


async def proposed_title(session: AsyncSession, candidate: CandidateToHire) -> str | None:
    """The title the hire proposes: the candidate's own, else the one its ATS export carried."""
    if candidate.job_title:
        return candidate.job_title
    exported: str | None = await session.scalar(
        select(LinkedInExportedCandidate.job_title).where(LinkedInExportedCandidate.candidate_ref_id == candidate.id)
    )
    return exported


async def title_without_position(
    session: AsyncSession, candidate: CandidateToHire, *, position_given: bool, actor: str
) -> Title | None:
    """The title a hire gives when nothing else does: with a position (given, or the candidate's), the
    position's title applies; without one, the title the candidate was recruited as."""
    if position_given or candidate.position_ref_id is not None:
        return None
    return await title_named(session, await proposed_title(session, candidate), actor=actor)
