"""The organisation a hire needs: departments, jobs, titles, positions and termination reasons.

Each is created, edited and retired here, whichever way an administrator asks (console, CLI), so the rules hold
once: a human code unique in the tenant and never changed after creation (history and other systems quote it),
lengths as the columns allow, and a record that is *retired* rather than deleted — it stays readable and keeps
the history that names it, but is no longer offered for new assignments. A position follows Dynamics 365 HR's
position duration: it can be filled from its ``activation`` day and no longer from its ``retirement`` day.
Every change is written to the audit log in the caller's transaction; a refusal is raised before anything changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, inspect, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.audit import log as audit
from hirehub.db.sequences import NumberSequence, SequenceFormat, take_numbers
from hirehub.db.session import TENANT_KEY
from hirehub.errors import AlreadyExists, Conflict, Invalid
from hirehub.hr.as_of import tenant_today
from hirehub.hr.models import Department, Job, Position, PositionWorkerAssignment, ReasonCode, Title
from hirehub.hr.models.options import ReasonCategory
from hirehub.hr.references import code_column, noun, resolve

M = TypeVar("M")

DEPARTMENT_NUMBER = SequenceFormat("department", "DEP", 6)
POSITION_ID = SequenceFormat("position", "POS", 6)
NUMBERED: dict[type[Any], SequenceFormat] = {Department: DEPARTMENT_NUMBER, Position: POSITION_ID}
"""The records whose code is drawn from a number sequence when the administrator gives none."""

MAX_WORKERS_LIMIT = 10_000


# --- checks shared by every kind --------------------------------------------------------------------------------


def _length(model: type[Any], attribute: str) -> int | None:
    return getattr(getattr(model, attribute).type, "length", None)


def clean(model: type[Any], attribute: str, value: str | None, *, label: str, required: bool = False) -> str | None:
    """``value`` stripped, None when empty; refused when required and missing or longer than its column."""
    text = (value or "").strip()
    if not text:
        if required:
            raise Invalid(f"{label} is required", field=attribute)
        return None
    limit = _length(model, attribute)
    if limit is not None and len(text) > limit:
        raise Invalid(f"{label} is {len(text)} characters long; at most {limit} are allowed", field=attribute)
    if any(ord(ch) < 32 for ch in text):
        raise Invalid(f"{label} cannot contain control characters", field=attribute)
    return text


def required(model: type[Any], attribute: str, value: str | None, *, label: str) -> str:
    """``value`` stripped; refused when missing or longer than its column."""
    text = clean(model, attribute, value, label=label, required=True)
    assert text is not None  # clean refuses an empty required value
    return text


def _looks_like_guid(text: str) -> bool:
    try:
        uuid.UUID(text.strip("{}"))
    except ValueError:
        return False
    return True


async def _new_code(session: AsyncSession, model: type[Any], value: str | None, *, label: str) -> str:
    """The code a new record gets: the one given (checked and unique in the tenant) or the next free number."""
    column = code_column(model)
    attribute = column.key
    given = clean(model, attribute, value, label=label, required=model not in NUMBERED)
    if given is None:
        return await _next_number(session, model)
    if _looks_like_guid(given):
        raise Invalid(f"{label} cannot look like a GUID: records are named by GUID or by code", field=attribute)
    clash = await session.scalar(select(model).where(func.lower(column) == given.lower()))
    if clash is not None:
        raise AlreadyExists(f"a {noun(model)} with {label} '{getattr(clash, attribute)}' exists", field=attribute)
    return given


async def _next_number(session: AsyncSession, model: type[Any]) -> str:
    """The next number of the model's sequence that no record holds (one typed by hand may have taken it)."""
    sequence = NUMBERED[model]
    exists = await session.scalar(select(NumberSequence.id).where(NumberSequence.code == sequence.code))
    if exists is None:  # a tenant made before the organisation was numbered
        tenant_id = session.info[TENANT_KEY]
        session.add(
            NumberSequence(tenant_id=tenant_id, code=sequence.code, prefix=sequence.prefix, width=sequence.width)
        )
        await session.flush()
    column = code_column(model)
    while True:
        (number,) = await take_numbers(session, sequence.code)
        if await session.scalar(select(func.count()).select_from(model).where(column == number)) == 0:
            return number


def refuse_retired(record: Any, *, field: str, on: date | None = None) -> None:
    """Refuse a retired record for a new assignment (it stays readable for the history that names it); a position
    counts as retired from its retirement day (``on``; any retirement date when None)."""
    if _retired(record, on):
        code = getattr(record, code_column(type(record)).key)
        raise Conflict(
            f"the {noun(type(record))} '{code}' is retired and cannot be used for new assignments", field=field
        )


def _retired(record: Any, on: date | None = None) -> bool:
    if isinstance(record, Position):
        return record.retirement is not None and (on is None or record.retirement <= on)
    return bool(record.retired)


async def _optional(session: AsyncSession, model: type[M], value: str | None, *, field: str) -> M | None:
    """The record ``value`` names, usable for a new assignment; None for an empty value."""
    if value is None or not value.strip():
        return None
    found = await resolve(session, model, value, field=field)
    refuse_retired(found, field=field, on=await tenant_today(session) if model is Position else None)
    return found


def _record(session: AsyncSession, *, actor: str, action: str, subject: Any, before: dict[str, Any] | None) -> None:
    model = type(subject)
    audit.record(
        session, actor=actor, action=f"{noun(model).replace(' ', '_')}.{action}", subject_type=noun(model),
        subject_id=getattr(subject, code_column(model).key), before=before, after=snapshot(subject),
    )  # fmt: skip


def snapshot(record: Any) -> dict[str, Any]:
    """A record's own columns as plain values: what the audit log keeps before and after a change."""
    values: dict[str, Any] = {}
    for attribute in inspect(type(record)).column_attrs:
        if attribute.key in ("id", "version", "created_at", "modified_at", "tenant_id"):
            continue
        value = getattr(record, attribute.key)
        plain = value is None or isinstance(value, bool | int | str)
        values[attribute.key] = value if plain else (value.isoformat() if isinstance(value, date) else str(value))
    return values


async def _listed(session: AsyncSession, model: type[M], *where: ColumnElement[bool]) -> list[M]:
    return list(await session.scalars(select(model).where(*where).order_by(code_column(model))))


# --- departments ------------------------------------------------------------------------------------------------


async def list_departments(session: AsyncSession) -> list[Department]:
    """Every department of the tenant, by number, retired ones included (``retired`` tells them apart)."""
    return await _listed(session, Department)


async def create_department(
    session: AsyncSession, *, name: str, actor: str, number: str | None = None, parent: str | None = None
) -> Department:
    """A department; its number is drawn from the tenant's sequence when none is given."""
    department = Department(
        id=uuid.uuid4(),
        name=required(Department, "name", name, label="name"),
        department_number=await _new_code(session, Department, number, label="department number"),
    )
    parent_row = await _optional(session, Department, parent, field="parent")
    department.parent_department_id = parent_row.id if parent_row else None
    session.add(department)
    await session.flush()
    _record(session, actor=actor, action="created", subject=department, before=None)
    return department


async def update_department(
    session: AsyncSession, department: str, *, actor: str, name: str | None = None, parent: str | None = None
) -> Department:
    """Rename a department or move it under another (``parent=""`` makes it top-level; None leaves either as is)."""
    row = await resolve(session, Department, department, field="department")
    before = snapshot(row)
    if name is not None:
        row.name = required(Department, "name", name, label="name")
    if parent is not None:
        parent_row = await _optional(session, Department, parent, field="parent")
        if parent_row is not None:
            await _refuse_cycle(session, Department, row.id, parent_row, link="parent_department_id", field="parent")
        row.parent_department_id = parent_row.id if parent_row else None
    await session.flush()
    _record(session, actor=actor, action="updated", subject=row, before=before)
    return row


# --- jobs and titles --------------------------------------------------------------------------------------------


async def list_jobs(session: AsyncSession) -> list[Job]:
    return await _listed(session, Job)


async def create_job(
    session: AsyncSession, *, name: str, actor: str, description: str | None = None, title: str | None = None
) -> Job:
    """A job named by its code (``name``), with an optional description and the title its positions carry."""
    title_row = await _optional(session, Title, title, field="title")
    job = Job(
        id=uuid.uuid4(),
        job_id=await _new_code(session, Job, name, label="job"),
        description=clean(Job, "description", description, label="description"),
        title_id=title_row.id if title_row else None,
    )
    session.add(job)
    await session.flush()
    _record(session, actor=actor, action="created", subject=job, before=None)
    return job


async def update_job(
    session: AsyncSession, job: str, *, actor: str, description: str | None = None, title: str | None = None
) -> Job:
    """Change a job's description or title (``""`` clears either; None leaves it); its code never changes."""
    row = await resolve(session, Job, job, field="job")
    before = snapshot(row)
    if description is not None:
        row.description = clean(Job, "description", description, label="description")
    if title is not None:
        title_row = await _optional(session, Title, title, field="title")
        row.title_id = title_row.id if title_row else None
    await session.flush()
    _record(session, actor=actor, action="updated", subject=row, before=before)
    return row


async def list_titles(session: AsyncSession) -> list[Title]:
    return await _listed(session, Title)


async def create_title(session: AsyncSession, *, name: str, actor: str, description: str | None = None) -> Title:
    """A title, named by its code as workers carry it (``Data Engineer``)."""
    title = Title(
        id=uuid.uuid4(),
        title_id=await _new_code(session, Title, name, label="title"),
        description=clean(Title, "description", description, label="description"),
    )
    session.add(title)
    await session.flush()
    _record(session, actor=actor, action="created", subject=title, before=None)
    return title


async def update_title(session: AsyncSession, title: str, *, actor: str, description: str | None = None) -> Title:
    """Change a title's description; the title itself is its code and never changes (retire it instead)."""
    row = await resolve(session, Title, title, field="title")
    before = snapshot(row)
    if description is not None:
        row.description = clean(Title, "description", description, label="description")
    await session.flush()
    _record(session, actor=actor, action="updated", subject=row, before=before)
    return row


# --- termination reasons ----------------------------------------------------------------------------------------


async def list_reasons(session: AsyncSession) -> list[ReasonCode]:
    return await _listed(session, ReasonCode)


async def termination_reasons(session: AsyncSession) -> list[ReasonCode]:
    """The reasons *Terminate* offers: not retired, and for terminations (or for no category in particular)."""
    category = or_(ReasonCode.category.is_(None), ReasonCode.category == ReasonCategory.TERMINATION)
    return await _listed(session, ReasonCode, ReasonCode.retired.is_(False), category)


async def create_reason(session: AsyncSession, *, code: str, description: str, actor: str) -> ReasonCode:
    """A termination reason: its code (what leavers carry) and a description people read."""
    reason = ReasonCode(
        id=uuid.uuid4(),
        reason_code_id=await _new_code(session, ReasonCode, code, label="reason code"),
        description=required(ReasonCode, "description", description, label="description"),
        category=ReasonCategory.TERMINATION,
    )
    session.add(reason)
    await session.flush()
    _record(session, actor=actor, action="created", subject=reason, before=None)
    return reason


async def update_reason(session: AsyncSession, reason: str, *, description: str, actor: str) -> ReasonCode:
    row = await resolve(session, ReasonCode, reason, field="reason")
    before = snapshot(row)
    row.description = required(ReasonCode, "description", description, label="description")
    await session.flush()
    _record(session, actor=actor, action="updated", subject=row, before=before)
    return row


# --- positions --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PositionFields:
    """What an administrator says about a position; each record is named by GUID or code.

    For an edit, None leaves a value as it is and ``""`` clears an optional one (a position always keeps a job and
    a department).
    """

    job: str | None = None
    department: str | None = None
    title: str | None = None
    reports_to: str | None = None
    description: str | None = None
    max_workers: int | None = None
    activation: date | None = None


@dataclass(frozen=True)
class OpenPosition:
    """A position that can be filled on a day, with how many of its seats are free from that day on."""

    position: Position
    free: int


async def list_positions(session: AsyncSession) -> list[Position]:
    return await _listed(session, Position)


async def create_position(
    session: AsyncSession, fields: PositionFields, *, actor: str, position_id: str | None = None
) -> Position:
    """A position in a department for a job; its title defaults to the job's, its id to the tenant's next number."""
    job = await _required(session, Job, fields.job, field="job")
    department = await _required(session, Department, fields.department, field="department")
    title = await _optional(session, Title, fields.title, field="title")
    reports_to = await _optional(session, Position, fields.reports_to, field="reports_to")
    position = Position(
        id=uuid.uuid4(),
        position_id=await _new_code(session, Position, position_id, label="position id"),
        description=clean(Position, "description", fields.description, label="description"),
        max_workers=_seats(fields.max_workers if fields.max_workers is not None else 1),
        job_id=job.id,
        department_id=department.id,
        title_id=title.id if title else job.title_id,
        reports_to_id=reports_to.id if reports_to else None,
        activation=fields.activation,
    )
    session.add(position)
    await session.flush()
    _record(session, actor=actor, action="created", subject=position, before=None)
    return position


async def update_position(session: AsyncSession, position: str, fields: PositionFields, *, actor: str) -> Position:
    """Change what a position is (its id never changes); a reports-to that would lead back to it is refused."""
    row = await resolve(session, Position, position, field="position")
    before = snapshot(row)
    if fields.job is not None:
        row.job_id = (await _required(session, Job, fields.job, field="job")).id
    if fields.department is not None:
        row.department_id = (await _required(session, Department, fields.department, field="department")).id
    if fields.title is not None:
        title = await _optional(session, Title, fields.title, field="title")
        row.title_id = title.id if title else None
    if fields.reports_to is not None:
        reports_to = await _optional(session, Position, fields.reports_to, field="reports_to")
        if reports_to is not None:
            await _refuse_cycle(session, Position, row.id, reports_to, link="reports_to_id", field="reports_to")
        row.reports_to_id = reports_to.id if reports_to else None
    if fields.description is not None:
        row.description = clean(Position, "description", fields.description, label="description")
    if fields.max_workers is not None:
        row.max_workers = _seats(fields.max_workers)
    if fields.activation is not None:
        row.activation = fields.activation
    if row.activation is not None and row.retirement is not None and row.retirement <= row.activation:
        raise Invalid("a position cannot be activated on or after its retirement", field="activation")
    await session.flush()
    _record(session, actor=actor, action="updated", subject=row, before=before)
    return row


async def positions_open_on(session: AsyncSession, day: date, *, keep: uuid.UUID | None = None) -> list[OpenPosition]:
    """Positions a worker can be assigned to from ``day``: active then, not retired, with a free seat from then on
    (an assignment holds its seat from its first day to its inclusive ``valid_to``). ``keep`` is listed anyway
    (with no free seat when it has none), so a form can show a proposal the service is about to refuse."""
    held = dict(
        (
            await session.execute(
                select(PositionWorkerAssignment.position_id, func.count())
                .where(or_(PositionWorkerAssignment.valid_to.is_(None), PositionWorkerAssignment.valid_to >= day))
                .group_by(PositionWorkerAssignment.position_id)
            )
        ).all()
    )
    found = []
    for position in await _listed(session, Position):
        free = position.max_workers - int(held.get(position.id, 0))
        active = (position.activation is None or position.activation <= day) and not _retired(position, day)
        if (active and free > 0) or position.id == keep:
            found.append(OpenPosition(position, max(free, 0) if active else 0))
    return found


async def _required(session: AsyncSession, model: type[M], value: str | None, *, field: str) -> M:
    found = await _optional(session, model, value, field=field)
    if found is None:
        raise Invalid(f"a {noun(model)} is required", field=field)
    return found


def _seats(value: int) -> int:
    if not 1 <= value <= MAX_WORKERS_LIMIT:
        raise Invalid(f"a position has from 1 to {MAX_WORKERS_LIMIT} seats", field="max_workers")
    return value


async def _refuse_cycle(
    session: AsyncSession, model: type[Any], own_id: uuid.UUID, above: Any, *, link: str, field: str
) -> None:
    """Refuse to put ``own_id`` under ``above`` when ``above`` is it, or is (transitively) under it."""
    seen: set[uuid.UUID] = set()
    current: Any = above
    while current is not None and current.id not in seen:
        if current.id == own_id:
            raise Invalid(f"that would make the {noun(model)} report to itself", field=field)
        seen.add(current.id)
        next_id = getattr(current, link)
        current = await session.get(model, next_id) if next_id is not None else None


# --- retiring ---------------------------------------------------------------------------------------------------


RETIRABLE: tuple[type[Any], ...] = (Department, Job, Title, ReasonCode, Position)


async def retire(session: AsyncSession, model: type[M], value: str, *, actor: str, on: date) -> M:
    """Stop offering a record for new assignments; it stays readable, with the history that names it.

    A position is retired from the day ``on`` (its D365 retirement date) and only once no worker holds it then
    or later; the other records are retired at once.
    """
    if model not in RETIRABLE:
        raise TypeError(f"{model.__name__} cannot be retired")
    row: Any = await resolve(session, model, value, field=noun(model).replace(" ", "_"))
    before = snapshot(row)
    if _retired(row):
        raise Conflict(f"the {noun(model)} '{getattr(row, code_column(model).key)}' is retired already")
    if isinstance(row, Position):
        await _refuse_held(session, row, on)
        if row.activation is not None and on <= row.activation:
            raise Invalid("a position cannot be retired on or before its activation", field="on")
        row.retirement = on
    else:
        row.retired = True
    await session.flush()
    _record(session, actor=actor, action="retired", subject=row, before=before)
    return row


async def reinstate(session: AsyncSession, model: type[M], value: str, *, actor: str) -> M:
    """Offer a retired record for new assignments again."""
    if model not in RETIRABLE:
        raise TypeError(f"{model.__name__} cannot be reinstated")
    row: Any = await resolve(session, model, value, field=noun(model).replace(" ", "_"))
    before = snapshot(row)
    if not _retired(row):
        raise Conflict(f"the {noun(model)} '{getattr(row, code_column(model).key)}' is not retired")
    if isinstance(row, Position):
        row.retirement = None
    else:
        row.retired = False
    await session.flush()
    _record(session, actor=actor, action="reinstated", subject=row, before=before)
    return row


async def _refuse_held(session: AsyncSession, position: Position, on: date) -> None:
    """Refuse to retire a position that a worker holds on ``on`` or later (assignments end on ``valid_to``)."""
    held = await session.scalar(
        select(func.count())
        .select_from(PositionWorkerAssignment)
        .where(
            PositionWorkerAssignment.position_id == position.id,
            or_(PositionWorkerAssignment.valid_to.is_(None), PositionWorkerAssignment.valid_to >= on),
        )
    )
    if held:
        raise Conflict(
            f"the position '{position.position_id}' has a worker on {on.isoformat()} or later: transfer or "
            "terminate them first, or retire it after their last day",
            field="on",
        )


def is_retired(record: Any, on: date | None = None) -> bool:
    """Whether ``record`` is retired (a position: by the day ``on``, or at all when None)."""
    return _retired(record, on)


def partition(records: Sequence[M], *, on: date | None = None) -> tuple[list[M], list[M]]:
    """``records`` split into those in use and those retired, in their order (for lists that show retired apart)."""
    active = [r for r in records if not _retired(r, on)]
    return active, [r for r in records if _retired(r, on)]
