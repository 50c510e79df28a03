"""People and how to reach them: person, party contacts, addresses.

A person exists once: as a candidate, as a worker, and again when rehired. The party number is
system-generated from the tenant's ``party`` sequence.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from hirehub.db.base import Base, Row, TenantOwned
from hirehub.hr.catalog import ODataTable, lookup, table
from hirehub.hr.models.columns import choice, day, flag, owner, reference, text
from hirehub.hr.models.options import AddressType, ContactType, Gender

if TYPE_CHECKING:
    from hirehub.hr.models.competencies import (
        PersonCertificate,
        PersonEducation,
        PersonIdentification,
        PersonProfessionalExperience,
        PersonScreening,
        PersonSkill,
    )


class Person(Row, TenantOwned, Base):
    __tablename__ = "hr_person"
    __table_args__ = (UniqueConstraint("tenant_id", "party_number"),)
    __odata__: ClassVar[ODataTable] = table(
        "mshr_dirpersonentity", "Person", "People",
        lookups=(lookup("veteran_status", "mshr_FK_VeteranStatus_id"),),
        collections={
            "skills": "mshr_FK_HcmPersonSkillEntity_Person",
            "education": "mshr_FK_HcmPersonEducationEntity_Person",
            "certificates": "mshr_FK_HcmPersonCertificateEntity_Person",
            "experience": "mshr_FK_HcmPersonProfessionalExperienceEntity_Person",
            "identifications": "mshr_FK_HcmPersonIdentificationNumberEntity_Person",
            "screenings": "mshr_FK_HcmPersonScreeningEntity_Person",
            "contacts": "mshr_FK_DirPartyContactEntity_Person",
            "addresses": "mshr_FK_HcmPersonAddressEntity_Person",
        },
        keys=(("party_number",),),
    )  # fmt: skip

    party_number: Mapped[str] = text(20, system=True)
    first_name: Mapped[str] = text(25, required=True)
    middle_name: Mapped[str | None] = text(25)
    last_name_prefix: Mapped[str | None] = text(25)
    last_name: Mapped[str | None] = text(25)
    gender: Mapped[int | None] = choice(Gender)
    birth_date: Mapped[date | None] = day()
    primary_contact_email: Mapped[str | None] = text(255)
    primary_contact_phone: Mapped[str | None] = text(40)
    veteran_status_id: Mapped[uuid.UUID | None] = reference("hr_veteran_status")

    contacts: Mapped[list[PartyContact]] = relationship(back_populates="person", lazy="raise")
    addresses: Mapped[list[PersonAddress]] = relationship(back_populates="person", lazy="raise")
    skills: Mapped[list[PersonSkill]] = relationship(back_populates="person", lazy="raise")
    education: Mapped[list[PersonEducation]] = relationship(back_populates="person", lazy="raise")
    certificates: Mapped[list[PersonCertificate]] = relationship(back_populates="person", lazy="raise")
    experience: Mapped[list[PersonProfessionalExperience]] = relationship(back_populates="person", lazy="raise")
    identifications: Mapped[list[PersonIdentification]] = relationship(back_populates="person", lazy="raise")
    screenings: Mapped[list[PersonScreening]] = relationship(back_populates="person", lazy="raise")

    @property
    def full_name(self) -> str:
        parts = [self.first_name, self.middle_name, self.last_name_prefix, self.last_name]
        return " ".join(p for p in parts if p)


class PartyContact(Row, TenantOwned, Base):
    __tablename__ = "hr_party_contact"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_dirpartycontactentity",
        "Party contact",
        "Party contacts",
        lookups=(lookup("person", "mshr_FK_Person_id"),),
    )

    person_id: Mapped[uuid.UUID] = owner("hr_person")
    type: Mapped[int] = choice(ContactType, required=True)
    locator: Mapped[str] = text(255, required=True)
    description: Mapped[str | None] = text(60)
    is_primary: Mapped[bool] = flag()

    person: Mapped[Person] = relationship(back_populates="contacts", lazy="raise")


class PersonAddress(Row, TenantOwned, Base):
    __tablename__ = "hr_person_address"
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmpersonaddressentity", "Person address", "Person addresses",
        entity_set="mshr_hcmpersonaddressentities",
        lookups=(lookup("person", "mshr_FK_Person_id"), lookup("country_region", "mshr_FK_CountryRegion_id")),
    )  # fmt: skip

    person_id: Mapped[uuid.UUID] = owner("hr_person")
    address_type: Mapped[int | None] = choice(AddressType, default=AddressType.HOME)
    location_name: Mapped[str | None] = text(100)
    """The place as people name it (``Redmond, WA``): what an ATS gives as a job's location, before (or
    instead of) a postal address."""
    street: Mapped[str | None] = text(250)
    city: Mapped[str | None] = text(60)
    state: Mapped[str | None] = text(10)
    zip_code: Mapped[str | None] = text(10)
    country_region_id: Mapped[uuid.UUID | None] = reference("hr_country_region")
    is_primary: Mapped[bool] = flag()

    person: Mapped[Person] = relationship(back_populates="addresses", lazy="raise")
