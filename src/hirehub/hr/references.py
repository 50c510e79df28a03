"""Finding the record a person names: by its GUID ``id`` or by the human code people actually type.

Every place a caller names an HR record (a CLI option, a console field, a script) accepts either form, so a
person can paste the GUID the API showed them or type ``D0042``. The lookup runs in the caller's tenant
session, which filters every query by tenant: another tenant's record is "not found", exactly as an unknown
one, and the message never says which.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from hirehub import errors
from hirehub.hr.models import (
    CandidateToHire,
    Department,
    Job,
    JobFunction,
    JobType,
    Position,
    PositionType,
    ReasonCode,
    Title,
    Worker,
)
from hirehub.tenancy.models import Company

M = TypeVar("M")

CODES: dict[type[Any], tuple[InstrumentedAttribute[str], str]] = {
    Department: (Department.department_number, "department"),
    Job: (Job.job_id, "job"),
    Title: (Title.title_id, "title"),
    ReasonCode: (ReasonCode.reason_code_id, "reason"),
    Position: (Position.position_id, "position"),
    CandidateToHire: (CandidateToHire.candidate_id, "candidate"),
    Worker: (Worker.personnel_number, "worker"),
    Company: (Company.code, "company"),
    JobFunction: (getattr(JobFunction, "job_function_id"), "job function"),  # noqa: B009 - made by Coded
    JobType: (getattr(JobType, "job_type_id"), "job type"),  # noqa: B009
    PositionType: (getattr(PositionType, "position_type_id"), "position type"),  # noqa: B009
}
"""For each table a person can name: the column holding its human code, and what the record is called."""


def code_column(model: type[Any]) -> InstrumentedAttribute[str]:
    """The column of ``model`` that holds its human code (``department_number`` for a department)."""
    return CODES[model][0]


def noun(model: type[Any]) -> str:
    """What a record of ``model`` is called in a message (``"department"``)."""
    return CODES[model][1]


def _as_guid(value: str) -> uuid.UUID | None:
    text = value.strip().strip("{}")
    if len(text) not in (32, 36):
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


async def resolve(session: AsyncSession, model: type[M], value: str, *, field: str) -> M:
    """The ``model`` record ``value`` names in the session's tenant: its GUID ``id`` or its human code.

    A code is matched exactly first, then regardless of case (codes are case-insensitive in Dynamics 365 HR)
    when that finds exactly one record. Raises :class:`~hirehub.errors.Invalid` for an empty value or one
    too long to be a code, and :class:`~hirehub.errors.NotFound` (naming what was looked for) when no record
    in this tenant matches; both carry ``field`` so a form puts the message beside the right box.
    """
    column, what = CODES[model]
    text = (value or "").strip()
    if not text:
        raise errors.Invalid(f"{what} is required: give its id or its code", field=field)
    guid = _as_guid(text)
    if guid is not None:
        found = await session.get(model, guid)
        if found is None:
            raise errors.NotFound(f"no {what} with id {guid}", field=field)
        return found
    length = getattr(column.type, "length", None)
    if length is not None and len(text) > length:
        raise errors.Invalid(
            f"{text!r} is neither a {what} id (a GUID) nor a {what} code (at most {length} characters)", field=field
        )
    exact = (await session.scalars(select(model).where(column == text))).first()
    if exact is not None:
        return exact
    loose = list((await session.scalars(select(model).where(func.lower(column) == text.lower()).limit(2))).all())
    if len(loose) == 1:
        return loose[0]
    raise errors.NotFound(f"no {what} {text!r}", field=field)
