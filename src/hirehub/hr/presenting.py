"""The organisation and candidates to hire as plain JSON objects: what ``hirehub hr … --json`` prints.

The keys are an interface scripts rely on: ``id`` is always the GUID and the human code is under its own name
(``department_number``, ``position_id``, ``candidate_id``); a record another names is ``{"id", <code>}`` or null.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.hr import organisation
from hirehub.hr.as_of import tenant_today
from hirehub.hr.models import CandidateToHire, Department, Job, Position, ReasonCode, Title
from hirehub.hr.models.options import ApplicantIntegrationResult
from hirehub.hr.references import code_column

Json = dict[str, Any]


async def _ref(session: AsyncSession, model: type[Any], row_id: uuid.UUID | None, **extra: str) -> Json | None:
    """``{"id", <code>}`` of the record ``row_id`` names (plus ``extra`` columns), or None."""
    if row_id is None:
        return None
    row = await session.get(model, row_id)
    if row is None:
        return None
    code = code_column(model).key
    return {"id": str(row.id), code: getattr(row, code), **{key: getattr(row, key) for key in extra.values()}}


async def department_json(session: AsyncSession, department: Department) -> Json:
    return {
        "id": str(department.id),
        "name": department.name,
        "department_number": department.department_number,
        "parent": await _ref(session, Department, department.parent_department_id, name="name"),
        "retired": department.retired,
    }


async def title_json(session: AsyncSession, title: Title) -> Json:
    return {
        "id": str(title.id), "name": title.title_id, "title_id": title.title_id, "description": title.description,
        "retired": title.retired,
    }  # fmt: skip


async def job_json(session: AsyncSession, job: Job) -> Json:
    return {
        "id": str(job.id), "name": job.job_id, "job_id": job.job_id, "description": job.description,
        "title": await _ref(session, Title, job.title_id), "retired": job.retired,
    }  # fmt: skip


async def reason_json(session: AsyncSession, reason: ReasonCode) -> Json:
    return {
        "id": str(reason.id), "code": reason.reason_code_id, "reason_code_id": reason.reason_code_id,
        "description": reason.description, "retired": reason.retired,
    }  # fmt: skip


async def position_json(session: AsyncSession, position: Position) -> Json:
    return {
        "id": str(position.id),
        "position_id": position.position_id,
        "description": position.description,
        "job": await _ref(session, Job, position.job_id),
        "department": await _ref(session, Department, position.department_id, name="name"),
        "title": await _ref(session, Title, position.title_id),
        "reports_to": await _ref(session, Position, position.reports_to_id),
        "max_workers": position.max_workers,
        "activation": _iso(position.activation),
        "retirement": _iso(position.retirement),
        "retired": organisation.is_retired(position, await tenant_today(session)),
    }


async def positions_json(session: AsyncSession, open_on: date | None) -> list[Json]:
    """Every position, or (with ``open_on``) those open from that day, each with its ``free`` seats."""
    if open_on is None:
        return [await position_json(session, p) for p in await organisation.list_positions(session)]
    return [
        {**await position_json(session, o.position), "free": o.free}
        for o in await organisation.positions_open_on(session, open_on)
    ]


def candidate_status(candidate: CandidateToHire) -> str:
    """The applicant integration result in lower-case words (``not_processed``, ``hired``, …)."""
    return ApplicantIntegrationResult(candidate.applicant_integration_result).name.lower()


def candidate_json(candidate: CandidateToHire) -> Json:
    return {
        "id": str(candidate.id),
        "candidate_id": candidate.candidate_id,
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "email": candidate.email,
        "phone": candidate.phone,
        "job_title": candidate.job_title,
        "availability_date": _iso(candidate.availability_date),
        "status": candidate_status(candidate),
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None
