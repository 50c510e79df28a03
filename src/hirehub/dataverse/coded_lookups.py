"""A column holding a record's human code beside the lookup to the same record, kept in step on every write.

Dynamics 365 HR's entities carry both: the recruiting request has ``mshr_jobid`` (the job's code, what an ATS
knows and sends) and the ``mshr_FK_Job_id`` lookup (what ``$expand`` and ``@odata.bind`` use). A client sets
either; the other follows, so a read never shows a code that names one job and a lookup that names another.
Giving both, naming different records, is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub import errors
from hirehub.odata.binding import RowHook


@dataclass(frozen=True)
class CodedLookup:
    """``code`` (attribute of the row) names a ``target`` record by its ``target_code`` attribute;
    ``reference`` (attribute of the row) holds that record's GUID."""

    code: str
    reference: str
    target: type[Any]
    target_code: str
    field: str
    """The API's name of the code column, for the refusal."""


def _changed(row: Any, attribute: str) -> bool:
    return bool(inspect(row).attrs[attribute].history.has_changes())


async def _code_of(session: AsyncSession, pair: CodedLookup, target_id: Any) -> str | None:
    if target_id is None:
        return None
    target = pair.target
    code: str | None = await session.scalar(select(getattr(target, pair.target_code)).where(target.id == target_id))
    return code


async def _id_of(session: AsyncSession, pair: CodedLookup, code: str | None) -> Any:
    if code is None or not code.strip():
        return None
    target = pair.target
    found = await session.scalar(select(target.id).where(getattr(target, pair.target_code) == code.strip()))
    if found is None:
        raise errors.NotFound(f"'{pair.field}' names no record: there is no {code.strip()!r}", field=pair.field)
    return found


async def keep_in_step(session: AsyncSession, row: Any, pairs: Sequence[CodedLookup]) -> None:
    """Make each code and its lookup name the same record, from whichever the write changed."""
    for pair in pairs:
        code_changed, reference_changed = _changed(row, pair.code), _changed(row, pair.reference)
        code, reference = getattr(row, pair.code), getattr(row, pair.reference)
        if code_changed and reference_changed:
            if reference != await _id_of(session, pair, code):
                raise errors.Invalid(f"'{pair.field}' and its lookup name different records", field=pair.field)
        elif code_changed:
            setattr(row, pair.reference, await _id_of(session, pair, code))
        elif reference_changed:
            setattr(row, pair.code, await _code_of(session, pair, reference))


def in_step(pairs: Sequence[CodedLookup]) -> RowHook:
    """The write hook that keeps ``pairs`` in step."""

    async def hook(session: AsyncSession, row: Any) -> None:
        await keep_in_step(session, row, pairs)

    return hook
