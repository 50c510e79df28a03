"""Every create, update and delete of the recruiting records, reported through the outbox as it commits.

Systems that mirror the hub's recruiting data (LinkedIn RSC's candidate, job and application sync) must hear of
every change exactly when it commits, whichever path made it: the Web API, the console, the CLI, a hire, an export.
Rather than asking each of those paths to remember, a ``before_flush`` listener on the hub's session records one
:class:`RecordChanged` per changed row of the tracked tables, in the same transaction as the change: a change that
rolls back reports nothing, and one that commits cannot be missed.

The event names the table, the row and the operation only; a consumer reads the row's current state when it acts
(it may act much later, after further changes). A row changed by several flushes of one transaction is reported
once per flush: consumers treat the event as "look at this row again", which is idempotent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from hirehub.db.session import TENANT_KEY
from hirehub.events import outbox
from hirehub.events.event import DomainEvent
from hirehub.events.outbox import OutboxSession
from hirehub.hr.models import (
    CandidateToHire,
    JobApplication,
    Person,
    Position,
    RecruitingRequest,
    RecruitingRequestLocation,
    RecruitingRequestPosition,
)

TRACKED: tuple[type[Any], ...] = (
    RecruitingRequest, RecruitingRequestPosition, RecruitingRequestLocation, Position, CandidateToHire, Person,
    JobApplication,
)  # fmt: skip
"""The tables whose rows other systems mirror: jobs (recruiting requests, their positions and locations, the
positions themselves), candidates (with the person behind each) and their applications to jobs."""
OWNED = (RecruitingRequestPosition, RecruitingRequestLocation)
"""Rows that are part of a recruiting request: their events name it (a deleted row can no longer be read)."""

CREATED, UPDATED, DELETED = "created", "updated", "deleted"


@dataclass(frozen=True, kw_only=True)
class RecordChanged(DomainEvent):
    """One row of a tracked table was created, updated or deleted."""

    name = "hr.record_changed"
    table: str
    record_id: uuid.UUID
    operation: str
    owner_id: uuid.UUID | None = None
    """The row this one belongs to, named so that its deletion can still be followed: the recruiting request of a
    request's position or location, the candidate of a job application."""

    @property
    def subject_id(self) -> uuid.UUID:
        return self.record_id


def changes_in(session: Session) -> list[RecordChanged]:
    """The tracked rows this flush will write, as events (an update that changes no column reports nothing)."""
    changes: list[RecordChanged] = []
    for operation, rows in ((CREATED, session.new), (UPDATED, session.dirty), (DELETED, session.deleted)):
        for row in rows:
            if not isinstance(row, TRACKED):
                continue
            if operation == UPDATED and not session.is_modified(row, include_collections=False):
                continue
            if row.id is None:  # a new row's key is only defaulted at insert: give it one now, to name it
                row.id = uuid.uuid4()
            owner = _owner(row)
            changes.append(
                RecordChanged(table=type(row).__tablename__, record_id=row.id, operation=operation, owner_id=owner)
            )
    return changes


def _owner(row: Any) -> uuid.UUID | None:
    if isinstance(row, OWNED):
        return row.recruiting_request_id
    if isinstance(row, JobApplication):
        return row.candidate_ref_id
    return None


def _report_changes(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(TENANT_KEY) is None:  # a system session writes no tenant's recruiting records
        return
    changes = changes_in(session)
    if changes:
        outbox.record_in(session, changes)


# insert=True: this runs before the outbox's own before_flush listener, which writes what was recorded so far.
event.listen(OutboxSession, "before_flush", _report_changes, insert=True)
