"""Recruiting: requests with their positions, locations, skills and education; candidates to hire and their
applications to requests; and the candidates LinkedIn Talent Hub exports with *Export to HRIS*."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hirehub.db.base import Base, Row, TenantOwned
from hirehub.hr.catalog import ODataTable, lookup, table
from hirehub.hr.models.columns import choice, day, flag, number, owner, reference, text
from hirehub.hr.models.competencies import EducationDegree, EducationLevel, RatingLevel, Skill
from hirehub.hr.models.options import ApplicantIntegrationResult, Gender, RecruitingRequestStatus
from hirehub.hr.models.organisation import Department, Job, Position, Title
from hirehub.hr.models.parties import Person
from hirehub.hr.models.reference import CountryRegion
from hirehub.hr.models.workforce import Worker

REQUEST = lookup("recruiting_request", "mshr_FK_RecruitingRequest_id")


class RecruitingRequest(Row, TenantOwned, Base):
    __tablename__ = "hr_recruiting_request"
    __table_args__ = (UniqueConstraint("tenant_id", "recruiting_request_id"),)
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmrecruitingrequestentity", "Recruiting request", "Recruiting requests",
        lookups=(
            lookup("job", "mshr_FK_Job_id"),
            lookup("title", "mshr_FK_Title_id"),
            lookup("department", "mshr_FK_Department_id"),
        ),
        collections={
            "positions": "mshr_FK_HcmRecruitingRequestPositionEntity_RecruitingRequest",
            "locations": "mshr_FK_HcmRecruitingRequestLocationEntity_RecruitingRequest",
            "skills": "mshr_FK_HcmRecruitingRequestSkillEntity_RecruitingRequest",
            "education": "mshr_FK_HcmRecruitingRequestEducationEntity_RecruitingRequest",
        },
        keys=(("recruiting_request_id",),),
    )  # fmt: skip

    recruiting_request_id: Mapped[str] = text(20, required=True)
    description: Mapped[str | None] = text(200)
    status: Mapped[int] = choice(RecruitingRequestStatus, default=RecruitingRequestStatus.CREATED, required=True)
    number_of_openings: Mapped[int] = number(1)
    job_id: Mapped[str | None] = text(20)
    """The job's code (``mshr_jobid``), kept in step with the ``mshr_FK_Job_id`` lookup."""
    title_id: Mapped[str | None] = text(60)
    """The title's code (``mshr_titleid``), kept in step with the ``mshr_FK_Title_id`` lookup."""
    job_ref_id: Mapped[uuid.UUID | None] = reference("hr_job")
    title_ref_id: Mapped[uuid.UUID | None] = reference("hr_title")
    department_id: Mapped[uuid.UUID | None] = reference("hr_department")
    company_id: Mapped[uuid.UUID | None] = reference("company")
    data_area_id: Mapped[str | None] = text(8)

    job: Mapped[Job | None] = relationship(lazy="raise", foreign_keys=[job_ref_id])
    title: Mapped[Title | None] = relationship(lazy="raise", foreign_keys=[title_ref_id])
    department: Mapped[Department | None] = relationship(lazy="raise")
    positions: Mapped[list[RecruitingRequestPosition]] = relationship(back_populates="recruiting_request", lazy="raise")
    locations: Mapped[list[RecruitingRequestLocation]] = relationship(back_populates="recruiting_request", lazy="raise")
    skills: Mapped[list[RecruitingRequestSkill]] = relationship(back_populates="recruiting_request", lazy="raise")
    education: Mapped[list[RecruitingRequestEducation]] = relationship(
        back_populates="recruiting_request", lazy="raise"
    )


class RecruitingRequestPosition(Row, TenantOwned, Base):
    __tablename__ = "hr_recruiting_request_position"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmrecruitingrequestpositionentity", "Recruiting request position", "Recruiting request positions",
        lookups=(REQUEST, lookup("position", "mshr_FK_Position_id")),
    )  # fmt: skip

    recruiting_request_id: Mapped[uuid.UUID] = owner("hr_recruiting_request")
    position_id: Mapped[uuid.UUID] = reference("hr_position", required=True)

    recruiting_request: Mapped[RecruitingRequest] = relationship(back_populates="positions", lazy="raise")
    position: Mapped[Position] = relationship(lazy="raise")


class RecruitingRequestLocation(Row, TenantOwned, Base):
    __tablename__ = "hr_recruiting_request_location"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmrecruitingrequestlocationentity", "Recruiting request location", "Recruiting request locations",
        lookups=(REQUEST, lookup("country_region", "mshr_FK_CountryRegion_id")),
    )  # fmt: skip

    recruiting_request_id: Mapped[uuid.UUID] = owner("hr_recruiting_request")
    location: Mapped[str] = text(100, required=True)
    postal_code: Mapped[str | None] = text(10)
    """With the country, where the job is when the location text is no "City, Region" (LinkedIn takes either)."""
    country_region_id: Mapped[uuid.UUID | None] = reference("hr_country_region")

    recruiting_request: Mapped[RecruitingRequest] = relationship(back_populates="locations", lazy="raise")
    country_region: Mapped[CountryRegion | None] = relationship(lazy="raise")


class RecruitingRequestSkill(Row, TenantOwned, Base):
    __tablename__ = "hr_recruiting_request_skill"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmrecruitingrequestskillentity", "Recruiting request skill", "Recruiting request skills",
        lookups=(REQUEST, lookup("skill", "mshr_FK_Skill_id"), lookup("rating_level", "mshr_FK_RatingLevel_id")),
    )  # fmt: skip

    recruiting_request_id: Mapped[uuid.UUID] = owner("hr_recruiting_request")
    skill_id: Mapped[uuid.UUID] = reference("hr_skill", required=True)
    rating_level_id: Mapped[uuid.UUID | None] = reference("hr_rating_level")
    importance: Mapped[int | None] = number()

    recruiting_request: Mapped[RecruitingRequest] = relationship(back_populates="skills", lazy="raise")
    skill: Mapped[Skill] = relationship(lazy="raise")
    rating_level: Mapped[RatingLevel | None] = relationship(lazy="raise")


class RecruitingRequestEducation(Row, TenantOwned, Base):
    """Microsoft's ATS integration API guide's "Educational requirements": what education a request asks for."""

    __tablename__ = "hr_recruiting_request_education"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmrecruitingrequesteducationentity", "Educational requirement", "Educational requirements",
        lookups=(REQUEST, lookup("level", "mshr_FK_EducationLevel_id"), lookup("degree", "mshr_FK_EducationDegree_id")),
    )  # fmt: skip

    recruiting_request_id: Mapped[uuid.UUID] = owner("hr_recruiting_request")
    level_id: Mapped[uuid.UUID | None] = reference("hr_education_level")
    degree_id: Mapped[uuid.UUID | None] = reference("hr_education_degree")
    importance: Mapped[int | None] = number()

    recruiting_request: Mapped[RecruitingRequest] = relationship(back_populates="education", lazy="raise")
    level: Mapped[EducationLevel | None] = relationship(lazy="raise")
    degree: Mapped[EducationDegree | None] = relationship(lazy="raise")


class CandidateToHire(Row, TenantOwned, Base):
    """An applicant the ATS says was hired, waiting in *Candidates to hire* for the *Hire* step."""

    __tablename__ = "hr_candidate_to_hire"
    __table_args__ = (UniqueConstraint("tenant_id", "candidate_id"),)
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmcandidatetohireentity", "Candidate to hire", "Candidates to hire",
        lookups=(
            lookup("person", "mshr_FK_Person_id"),
            lookup("recruiting_request", "mshr_FK_RecruitingRequest_id"),
            lookup("position", "mshr_FK_Position_id"),
            lookup("worker", "mshr_FK_Worker_id"),
        ),
        keys=(("candidate_id",),),
    )  # fmt: skip

    candidate_id: Mapped[str] = text(20, system=True)
    party_number: Mapped[str | None] = text(20)
    recruiting_request_id: Mapped[str | None] = text(20, write_once=True)
    position_id: Mapped[str | None] = text(20)
    first_name: Mapped[str] = text(25, required=True)
    middle_name: Mapped[str | None] = text(25)
    last_name_prefix: Mapped[str | None] = text(25)
    last_name: Mapped[str | None] = text(25)
    gender: Mapped[int | None] = choice(Gender)
    birth_date: Mapped[date | None] = day()
    availability_date: Mapped[date | None] = day()
    is_willing_to_relocate: Mapped[bool] = flag()
    email: Mapped[str | None] = text(255)
    phone: Mapped[str | None] = text(40)
    job_title: Mapped[str | None] = text(100)
    """The job title the candidate was recruited for, as the recruiter typed it (proposed as the title at the hire)."""
    applicant_integration_result: Mapped[int] = choice(
        ApplicantIntegrationResult, default=ApplicantIntegrationResult.NOT_PROCESSED, required=True
    )
    do_not_hire_reason_code_id: Mapped[str | None] = text(20)
    data_area_id: Mapped[str | None] = text(8)
    person_ref_id: Mapped[uuid.UUID | None] = reference("hr_person")
    recruiting_request_ref_id: Mapped[uuid.UUID | None] = reference("hr_recruiting_request")
    position_ref_id: Mapped[uuid.UUID | None] = reference("hr_position")
    worker_ref_id: Mapped[uuid.UUID | None] = reference("hr_worker")

    person: Mapped[Person | None] = relationship(lazy="raise", foreign_keys=[person_ref_id])
    recruiting_request: Mapped[RecruitingRequest | None] = relationship(
        lazy="raise", foreign_keys=[recruiting_request_ref_id]
    )
    position: Mapped[Position | None] = relationship(lazy="raise", foreign_keys=[position_ref_id])
    worker: Mapped[Worker | None] = relationship(lazy="raise", foreign_keys=[worker_ref_id])


class LinkedInExportedCandidate(Row, TenantOwned, Base):
    """What LinkedIn Talent Hub's *Export to HRIS* writes; each export becomes (or updates) a candidate to hire."""

    __tablename__ = "hr_linkedin_exported_candidate"
    __table_args__ = (UniqueConstraint("tenant_id", "linkedin_candidate_urn"),)
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmlinkedinexportedcandidateentity", "LinkedIn exported candidate", "LinkedIn exported candidates",
        lookups=(lookup("candidate", "mshr_FK_CandidateToHire_id"),),
        keys=(("linkedin_candidate_urn",),),
    )  # fmt: skip

    linkedin_candidate_urn: Mapped[str] = text(200, required=True)
    linkedin_member_urn: Mapped[str | None] = text(200)
    linkedin_profile_url: Mapped[str | None] = text(500)
    linkedin_project_id: Mapped[str | None] = text(100)
    linkedin_application_id: Mapped[str | None] = text(100)
    first_name: Mapped[str] = text(25, required=True)
    last_name: Mapped[str | None] = text(25)
    email: Mapped[str | None] = text(255)
    phone: Mapped[str | None] = text(40)
    start_date: Mapped[date | None] = day()
    job_title: Mapped[str | None] = text(100)
    location: Mapped[str | None] = text(100)
    candidate_ref_id: Mapped[uuid.UUID | None] = reference("hr_candidate_to_hire")

    candidate: Mapped[CandidateToHire | None] = relationship(lazy="raise")


class JobApplication(Row, TenantOwned, Base):
    """A candidate to hire's application to one recruiting request, as the ATS keeps it.

    A candidate may apply to several requests, once each. The candidate's own ``recruiting_request_id`` still
    names the request it was hired through; an application row for that same request adds what the link cannot
    hold (when and through which source it came, the ATS's stage). Both lookups are write-once: an application
    is of one candidate to one request for good, so what LinkedIn holds of it keeps one id.
    """

    __tablename__ = "hr_job_application"
    __table_args__ = (
        UniqueConstraint("tenant_id", "application_id"),
        UniqueConstraint(
            "tenant_id", "candidate_ref_id", "recruiting_request_ref_id", name="uq_hr_job_application_candidate_request"
        ),
    )
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmjobapplicationentity", "Job application", "Job applications",
        lookups=(lookup("candidate", "mshr_FK_CandidateToHire_id"), REQUEST),
        keys=(("application_id",),),
    )  # fmt: skip

    application_id: Mapped[str] = text(20, required=True)
    candidate_ref_id: Mapped[uuid.UUID] = reference("hr_candidate_to_hire", required=True, write_once=True)
    recruiting_request_ref_id: Mapped[uuid.UUID] = reference("hr_recruiting_request", required=True, write_once=True)
    applied_at: Mapped[datetime | None] = mapped_column(default=None)
    source: Mapped[str | None] = text(60)
    """Where the candidate came from, as the ATS names it ("LinkedIn", "Referral")."""
    stage: Mapped[str | None] = text(100)
    """The ATS's name of the stage the application is at; when empty, the stage follows the candidate's result."""
    disposition_reason: Mapped[str | None] = text(100)

    candidate: Mapped[CandidateToHire] = relationship(lazy="raise", foreign_keys=[candidate_ref_id])
    recruiting_request: Mapped[RecruitingRequest] = relationship(lazy="raise", foreign_keys=[recruiting_request_ref_id])
