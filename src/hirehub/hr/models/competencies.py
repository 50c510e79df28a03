"""Competencies: skills and rating models, education, certificates, experience, identification, screening."""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from hirehub.db.base import Base, Row, TenantOwned
from hirehub.hr.catalog import ODataTable, lookup, table
from hirehub.hr.models.coded import Coded
from hirehub.hr.models.columns import day, number, owner, reference, text
from hirehub.hr.models.parties import Person
from hirehub.hr.models.reference import IdentificationType, IssuingAgency, ScreeningType

PERSON = lookup("person", "mshr_FK_Person_id")


class RatingModel(Coded, Base, table_name="hr_rating_model", code="rating_model_id",
                  api=("mshr_hcmratingmodelentity", "Rating model", "Rating models")):  # fmt: skip
    """A scale that skills are rated on; its levels are :class:`RatingLevel` rows."""


class RatingLevel(Row, TenantOwned, Base):
    __tablename__ = "hr_rating_level"
    __table_args__ = (UniqueConstraint("tenant_id", "rating_model_id", "rating_level_id"),)
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmratinglevelentity", "Rating level", "Rating levels",
        lookups=(lookup("rating_model", "mshr_FK_RatingModel_id"),),
    )  # fmt: skip

    rating_model_id: Mapped[uuid.UUID] = owner("hr_rating_model")
    rating_level_id: Mapped[str] = text(20, required=True)
    description: Mapped[str | None] = text(100)
    level_sequence: Mapped[int | None] = number()

    rating_model: Mapped[RatingModel] = relationship(lazy="raise")


class Skill(Coded, Base, table_name="hr_skill", code="skill_id", api=("mshr_hcmskillentity", "Skill", "Skills"),
            code_length=40, lookups=(lookup("rating_model", "mshr_FK_RatingModel_id"),)):  # fmt: skip
    rating_model_id: Mapped[uuid.UUID | None] = reference("hr_rating_model")
    rating_model: Mapped[RatingModel | None] = relationship(lazy="raise")


class EducationDegree(Coded, Base, table_name="hr_education_degree", code="education_degree_id",
                      api=("mshr_hcmeducationdegreeentity", "Education degree", "Education degrees")):  # fmt: skip
    """A degree an education can lead to."""


class EducationDiscipline(Coded, Base, table_name="hr_education_discipline", code="education_discipline_id",
    api=("mshr_hcmeducationdisciplineentity", "Education discipline", "Education disciplines")):  # fmt: skip
    """A field of study."""


class EducationInstitution(Coded, Base, table_name="hr_education_institution", code="institution_id",
                           api=("mshr_hcmeducationinstitutionentity", "Institution", "Institutions")):  # fmt: skip
    """A school or university."""


class EducationLevel(Coded, Base, table_name="hr_education_level", code="education_level_id",
                     api=("mshr_hcmeducationlevelentity", "Level of education", "Levels of education")):  # fmt: skip
    """A level of education (secondary, bachelor, master)."""


class CertificateType(Coded, Base, table_name="hr_certificate_type", code="certificate_type_id",
                      api=("mshr_hcmcertificatetypeentity", "Certificate type", "Certificate types")):  # fmt: skip
    """A kind of certificate a person can hold."""


class PersonSkill(Row, TenantOwned, Base):
    __tablename__ = "hr_person_skill"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmpersonskillentity", "Skill competency", "Skill competencies",
        lookups=(PERSON, lookup("skill", "mshr_FK_Skill_id"), lookup("rating_level", "mshr_FK_RatingLevel_id")),
    )  # fmt: skip

    person_id: Mapped[uuid.UUID] = owner("hr_person")
    skill_id: Mapped[uuid.UUID | None] = reference("hr_skill")
    rating_level_id: Mapped[uuid.UUID | None] = reference("hr_rating_level")
    acquired_date: Mapped[date | None] = day()

    person: Mapped[Person] = relationship(back_populates="skills", lazy="raise")
    skill: Mapped[Skill | None] = relationship(lazy="raise")
    rating_level: Mapped[RatingLevel | None] = relationship(lazy="raise")


class PersonEducation(Row, TenantOwned, Base):
    __tablename__ = "hr_person_education"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmpersoneducationentity", "Education competency", "Education competencies",
        lookups=(
            PERSON,
            lookup("degree", "mshr_FK_EducationDegree_id"),
            lookup("discipline", "mshr_FK_EducationDiscipline_id"),
            lookup("institution", "mshr_FK_Institution_id"),
            lookup("level", "mshr_FK_EducationLevel_id"),
        ),
    )  # fmt: skip

    person_id: Mapped[uuid.UUID] = owner("hr_person")
    degree_id: Mapped[uuid.UUID | None] = reference("hr_education_degree")
    discipline_id: Mapped[uuid.UUID | None] = reference("hr_education_discipline")
    institution_id: Mapped[uuid.UUID | None] = reference("hr_education_institution")
    level_id: Mapped[uuid.UUID | None] = reference("hr_education_level")
    start_date: Mapped[date | None] = day()
    end_date: Mapped[date | None] = day()

    person: Mapped[Person] = relationship(back_populates="education", lazy="raise")
    degree: Mapped[EducationDegree | None] = relationship(lazy="raise")
    discipline: Mapped[EducationDiscipline | None] = relationship(lazy="raise")
    institution: Mapped[EducationInstitution | None] = relationship(lazy="raise")
    level: Mapped[EducationLevel | None] = relationship(lazy="raise")


class PersonCertificate(Row, TenantOwned, Base):
    __tablename__ = "hr_person_certificate"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmpersoncertificateentity", "Certificate competency", "Certificate competencies",
        lookups=(PERSON, lookup("certificate_type", "mshr_FK_CertificateType_id")),
    )  # fmt: skip

    person_id: Mapped[uuid.UUID] = owner("hr_person")
    certificate_type_id: Mapped[uuid.UUID | None] = reference("hr_certificate_type")
    issued_date: Mapped[date | None] = day()
    expiration_date: Mapped[date | None] = day()

    person: Mapped[Person] = relationship(back_populates="certificates", lazy="raise")
    certificate_type: Mapped[CertificateType | None] = relationship(lazy="raise")


class PersonProfessionalExperience(Row, TenantOwned, Base):
    __tablename__ = "hr_person_professional_experience"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmpersonprofessionalexperienceentity", "Professional experience competency",
        "Professional experience competencies", lookups=(PERSON,),
    )  # fmt: skip

    person_id: Mapped[uuid.UUID] = owner("hr_person")
    employer: Mapped[str | None] = text(100)
    position: Mapped[str | None] = text(100)
    start_date: Mapped[date | None] = day()
    end_date: Mapped[date | None] = day()

    person: Mapped[Person] = relationship(back_populates="experience", lazy="raise")


class PersonIdentification(Row, TenantOwned, Base):
    __tablename__ = "hr_person_identification"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmpersonidentificationnumberentity", "Identification", "Identifications",
        lookups=(
            PERSON,
            lookup("identification_type", "mshr_FK_IdentificationType_id"),
            lookup("issuing_agency", "mshr_FK_IssuingAgency_id"),
        ),
    )  # fmt: skip

    person_id: Mapped[uuid.UUID] = owner("hr_person")
    identification_type_id: Mapped[uuid.UUID | None] = reference("hr_identification_type")
    issuing_agency_id: Mapped[uuid.UUID | None] = reference("hr_issuing_agency")
    identification_number: Mapped[str] = text(50, required=True)
    entry_date: Mapped[date | None] = day()
    expiration_date: Mapped[date | None] = day()

    person: Mapped[Person] = relationship(back_populates="identifications", lazy="raise")
    identification_type: Mapped[IdentificationType | None] = relationship(lazy="raise")
    issuing_agency: Mapped[IssuingAgency | None] = relationship(lazy="raise")


class PersonScreening(Row, TenantOwned, Base):
    __tablename__ = "hr_person_screening"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmpersonscreeningentity", "Person screening", "Person screenings",
        lookups=(PERSON, lookup("screening_type", "mshr_FK_ScreeningType_id")),
    )  # fmt: skip

    person_id: Mapped[uuid.UUID] = owner("hr_person")
    screening_type_id: Mapped[uuid.UUID | None] = reference("hr_screening_type")
    requested_date: Mapped[date | None] = day()
    completed_date: Mapped[date | None] = day()
    result: Mapped[str | None] = text(60)

    person: Mapped[Person] = relationship(back_populates="screenings", lazy="raise")
    screening_type: Mapped[ScreeningType | None] = relationship(lazy="raise")
