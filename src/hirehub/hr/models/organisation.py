"""The organisation: departments, titles, job functions and types, jobs, job compensation, positions."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from hirehub.db.base import Base, Row, TenantOwned
from hirehub.hr.catalog import ODataTable, lookup, table
from hirehub.hr.models.coded import Coded
from hirehub.hr.models.columns import day, decimal, flag, number, owner, reference, text


class Department(Row, TenantOwned, Base):
    __tablename__ = "hr_department"
    __table_args__ = (UniqueConstraint("tenant_id", "department_number"),)
    __odata__: ClassVar[ODataTable] = table(
        "mshr_omdepartmententity", "Department", "Departments", keys=(("department_number",),)
    )

    department_number: Mapped[str] = text(20, required=True)
    name: Mapped[str] = text(100, required=True)
    parent_department_id: Mapped[uuid.UUID | None] = reference("hr_department")
    retired: Mapped[bool] = flag()
    """Kept for the history that names it, no longer offered for new positions (D365 HR has no dates here)."""


class Title(Coded, Base, table_name="hr_title", code="title_id", api=("mshr_hcmtitleentity", "Title", "Titles"),
            code_length=60):  # fmt: skip
    """A job title, as a worker carries it."""

    title_id: Mapped[str]
    description: Mapped[str | None]
    retired: Mapped[bool] = flag()
    """Kept for the workers and positions that carry it, no longer offered for new ones."""


class JobFunction(Coded, Base, table_name="hr_job_function", code="job_function_id",
    api=("mshr_hcmjobfunctionentity", "Compensation job function", "Compensation job functions")):  # fmt: skip
    """A job function for compensation."""


class JobType(Coded, Base, table_name="hr_job_type", code="job_type_id",
              api=("mshr_hcmjobtypeentity", "Compensation job type", "Compensation job types")):  # fmt: skip
    exempt: Mapped[bool] = flag()


class Job(Row, TenantOwned, Base):
    __tablename__ = "hr_job"
    __table_args__ = (UniqueConstraint("tenant_id", "job_id"),)
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmjobentity", "Job", "Jobs",
        lookups=(
            lookup("job_function", "mshr_FK_JobFunction_id"),
            lookup("job_type", "mshr_FK_JobType_id"),
            lookup("title", "mshr_FK_Title_id"),
        ),
        keys=(("job_id",),),
    )  # fmt: skip

    job_id: Mapped[str] = text(20, required=True)
    description: Mapped[str | None] = text(200)
    max_positions: Mapped[int | None] = number()
    job_function_id: Mapped[uuid.UUID | None] = reference("hr_job_function")
    job_type_id: Mapped[uuid.UUID | None] = reference("hr_job_type")
    title_id: Mapped[uuid.UUID | None] = reference("hr_title")
    retired: Mapped[bool] = flag()
    """Kept for the positions that name it, no longer offered for new ones."""

    job_function: Mapped[JobFunction | None] = relationship(lazy="raise")
    job_type: Mapped[JobType | None] = relationship(lazy="raise")
    title: Mapped[Title | None] = relationship(lazy="raise")


class JobCompensation(Row, TenantOwned, Base):
    __tablename__ = "hr_job_compensation"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmjobcompensationentity",
        "Job compensation",
        "Job compensations",
        lookups=(lookup("job", "mshr_FK_Job_id"),),
    )

    job_id: Mapped[uuid.UUID] = owner("hr_job")
    compensation_level: Mapped[str | None] = text(20)
    pay_frequency: Mapped[str | None] = text(20)
    reference_point_amount: Mapped[Decimal | None] = decimal()

    job: Mapped[Job] = relationship(lazy="raise")


class PositionType(Coded, Base, table_name="hr_position_type", code="position_type_id",
                   api=("mshr_hcmpositiontypeentity", "Position type", "Position types")):  # fmt: skip
    full_time: Mapped[bool] = flag(True)


class Position(Row, TenantOwned, Base):
    """A seat in the organisation; a worker is assigned to it (see :class:`PositionWorkerAssignment`)."""

    __tablename__ = "hr_position"
    __table_args__ = (UniqueConstraint("tenant_id", "position_id"),)
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmpositionv2entity", "Position", "Positions V2", entity_set="mshr_hcmpositionv2entities",
        lookups=(
            lookup("job", "mshr_FK_Job_id"),
            lookup("department", "mshr_FK_Department_id"),
            lookup("title", "mshr_FK_Title_id"),
            lookup("position_type", "mshr_FK_PositionType_id"),
            lookup("reports_to", "mshr_FK_ReportsToPosition_id"),
        ),
        keys=(("position_id",),),
    )  # fmt: skip

    position_id: Mapped[str] = text(20, required=True)
    description: Mapped[str | None] = text(200)
    full_time_equivalent: Mapped[Decimal | None] = decimal("1")
    max_workers: Mapped[int] = number(1)
    job_id: Mapped[uuid.UUID | None] = reference("hr_job")
    department_id: Mapped[uuid.UUID | None] = reference("hr_department")
    title_id: Mapped[uuid.UUID | None] = reference("hr_title")
    position_type_id: Mapped[uuid.UUID | None] = reference("hr_position_type")
    reports_to_id: Mapped[uuid.UUID | None] = reference("hr_position")
    company_id: Mapped[uuid.UUID | None] = reference("company")
    activation: Mapped[date | None] = day()
    """The first day the position can be filled (D365 HR's position duration: activation)."""
    retirement: Mapped[date | None] = day()
    """The first day it no longer can (D365 HR's retirement); the assignments it had stay as history."""

    job: Mapped[Job | None] = relationship(lazy="raise")
    department: Mapped[Department | None] = relationship(lazy="raise")
    title: Mapped[Title | None] = relationship(lazy="raise")
    position_type: Mapped[PositionType | None] = relationship(lazy="raise")
    reports_to: Mapped[Position | None] = relationship(lazy="raise", remote_side="Position.id")
