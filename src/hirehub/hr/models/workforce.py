"""Workers, their employments over time, their leaves of absence, and their assignments to positions.

One person has at most one worker record, whose personnel number never changes; each hire or rehire
adds an employment (start, end, reason). "Base worker" and "Worker" are two API views of this table.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from hirehub.db.base import Base, Row, TenantOwned
from hirehub.hr.catalog import ODataTable, lookup, table
from hirehub.hr.models.columns import choice, day, flag, number, owner, reference, text
from hirehub.hr.models.options import EmploymentType, PlacementChange, WorkerStatus, WorkerType
from hirehub.hr.models.organisation import Department, Position, Title
from hirehub.hr.models.parties import Person

WORKER_LOOKUPS = (
    lookup("person", "mshr_FK_Person_id"),
    lookup("manager", "mshr_FK_Manager_id"),
    lookup("department", "mshr_FK_Department_id"),
    lookup("title", "mshr_FK_Title_id"),
)


class Worker(Row, TenantOwned, Base):
    __tablename__ = "hr_worker"
    __table_args__ = (UniqueConstraint("tenant_id", "personnel_number"), UniqueConstraint("tenant_id", "person_id"))
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmworkerentity", "Worker", "Workers",
        lookups=WORKER_LOOKUPS,
        collections={"employments": "mshr_FK_HcmEmploymentEntity_Worker",
                     "assignments": "mshr_FK_HcmPositionWorkerAssignmentEntity_Worker"},
        keys=(("personnel_number",),),
    )  # fmt: skip

    personnel_number: Mapped[str] = text(25, system=True)
    person_id: Mapped[uuid.UUID] = reference("hr_person", required=True)
    worker_type: Mapped[int] = choice(WorkerType, default=WorkerType.EMPLOYEE, required=True)
    status: Mapped[int] = choice(WorkerStatus, default=WorkerStatus.PENDING, required=True)
    first_name: Mapped[str] = text(25, required=True)
    last_name: Mapped[str | None] = text(25)
    email: Mapped[str | None] = text(255)
    phone: Mapped[str | None] = text(40)
    manager_id: Mapped[uuid.UUID | None] = reference("hr_worker")
    department_id: Mapped[uuid.UUID | None] = reference("hr_department")
    title_id: Mapped[uuid.UUID | None] = reference("hr_title")
    company_id: Mapped[uuid.UUID | None] = reference("company")
    data_area_id: Mapped[str | None] = text(8)

    person: Mapped[Person] = relationship(lazy="raise")
    manager: Mapped[Worker | None] = relationship(lazy="raise", remote_side="Worker.id")
    department: Mapped[Department | None] = relationship(lazy="raise")
    title: Mapped[Title | None] = relationship(lazy="raise")
    employments: Mapped[list[Employment]] = relationship(
        back_populates="worker", lazy="raise", order_by="Employment.start_date"
    )
    assignments: Mapped[list[PositionWorkerAssignment]] = relationship(back_populates="worker", lazy="raise")


# Microsoft's ATS integration API guide lists "Base worker" and "Worker": the base view exposes the identity only.
BASE_WORKER_VIEW = table(
    "mshr_hcmworkerbaseentity", "Base worker", "Base workers",
    lookups=(lookup("person", "mshr_FK_Person_id"),), keys=(("personnel_number",),),
)  # fmt: skip
BASE_WORKER_COLUMNS = ("personnel_number", "worker_type", "first_name", "last_name", "person_id")


class Employment(Row, TenantOwned, Base):
    __tablename__ = "hr_employment"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmemploymententity", "Employment", "Employments",
        lookups=(lookup("worker", "mshr_FK_Worker_id"), lookup("termination_reason", "mshr_FK_TerminationReason_id")),
    )  # fmt: skip

    worker_id: Mapped[uuid.UUID] = owner("hr_worker")
    company_id: Mapped[uuid.UUID | None] = reference("company")
    data_area_id: Mapped[str | None] = text(8)
    start_date: Mapped[date] = day(required=True)
    end_date: Mapped[date | None] = day()
    employment_type: Mapped[int | None] = choice(EmploymentType, default=EmploymentType.FULL_TIME)
    termination_reason_id: Mapped[uuid.UUID | None] = reference("hr_reason_code")
    rescinded: Mapped[bool] = flag()

    worker: Mapped[Worker] = relationship(back_populates="employments", lazy="raise")


class PositionWorkerAssignment(Row, TenantOwned, Base):
    """A worker in a position from ``valid_from`` to ``valid_to``, both days included (Dynamics 365 HR's
    ValidTo is the last day; None while open-ended). Kept by the services as the position runs of the
    worker's :class:`WorkerPlacement` records, which are the source of truth."""

    __tablename__ = "hr_position_worker_assignment"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmpositionworkerassignmententity", "Position worker assignment", "Position worker assignments",
        lookups=(lookup("worker", "mshr_FK_Worker_id"), lookup("position", "mshr_FK_Position_id")),
    )  # fmt: skip

    worker_id: Mapped[uuid.UUID] = owner("hr_worker")
    position_id: Mapped[uuid.UUID] = reference("hr_position", required=True)
    valid_from: Mapped[date] = day(required=True)
    valid_to: Mapped[date | None] = day()
    is_primary: Mapped[bool] = flag(True)

    worker: Mapped[Worker] = relationship(back_populates="assignments", lazy="raise")
    position: Mapped[Position] = relationship(lazy="raise")


class EmploymentLeave(Row, TenantOwned, Base):
    """A leave of absence within an employment (D365 Human Resources' *Leave and absence*: a worker's leave
    of absence, from its start date to the day they return to work).

    ``start_date`` is the first day of leave, ``expected_return_date`` what was planned when the leave began,
    and ``return_date`` the day the worker is back (None while they are away): the leave covers the days
    from ``start_date`` up to, not including, ``return_date``. A leave is never deleted; one entered by mistake
    is ended on its first day.
    """

    __tablename__ = "hr_employment_leave"

    worker_id: Mapped[uuid.UUID] = owner("hr_worker")
    employment_id: Mapped[uuid.UUID] = reference("hr_employment", required=True)
    start_date: Mapped[date] = day(required=True)
    expected_return_date: Mapped[date | None] = day()
    return_date: Mapped[date | None] = day()
    reason: Mapped[str] = text(100, required=True)

    def covers(self, today: date) -> bool:
        """Whether the worker is away on ``today``."""
        return self.start_date <= today and (self.return_date is None or today < self.return_date)


class WorkerPlacement(Row, TenantOwned, Base):
    """One dated change to where a worker sits, in force from ``valid_from`` (a hire, a rehire, a transfer, a
    manager change), entered ahead of its date or on it.

    The placement on a day is the fold of the employment's records with ``valid_from`` up to that day, in date
    then ``entry`` order: a hire or rehire sets every field; a transfer sets the position it names (and then the
    department and title, None meaning "the position's"), or only the department, title and manager it names; a
    manager change sets the explicit manager (None meaning "the worker in the reports-to position"). Keeping
    changes rather than copied snapshots is what lets a scheduled change be moved or cancelled and the others
    read exactly as before. ``valid_to`` (inclusive, the day before the next record or the employment's last day)
    is kept by the services for readers that want Dynamics' ranges.
    """

    __tablename__ = "hr_worker_placement"

    worker_id: Mapped[uuid.UUID] = owner("hr_worker")
    employment_id: Mapped[uuid.UUID] = reference("hr_employment", required=True)
    change: Mapped[int] = choice(PlacementChange, required=True)
    entry: Mapped[int] = number(0)
    valid_from: Mapped[date] = day(required=True)
    valid_to: Mapped[date | None] = day()
    position_id: Mapped[uuid.UUID | None] = reference("hr_position")
    department_id: Mapped[uuid.UUID | None] = reference("hr_department")
    title_id: Mapped[uuid.UUID | None] = reference("hr_title")
    manager_id: Mapped[uuid.UUID | None] = reference("hr_worker")
