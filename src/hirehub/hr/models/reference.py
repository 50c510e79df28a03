"""Reference data: countries, identification and screening types, agencies, veteran status, reasons."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped

from hirehub.db.base import Base, Row, TenantOwned
from hirehub.hr.catalog import ODataTable, table
from hirehub.hr.models.columns import choice, flag, text
from hirehub.hr.models.options import ReasonCategory


class CountryRegion(Row, TenantOwned, Base):
    __tablename__ = "hr_country_region"
    __table_args__ = (UniqueConstraint("tenant_id", "country_region_id"),)
    __odata__: ClassVar[ODataTable] = table(
        "mshr_logisticsaddresscountryregionentity", "Country/region", "Country/regions", keys=(("country_region_id",),)
    )

    country_region_id: Mapped[str] = text(10, required=True)
    short_name: Mapped[str | None] = text(60)
    iso_code: Mapped[str | None] = text(3)


class IdentificationType(Row, TenantOwned, Base):
    __tablename__ = "hr_identification_type"
    __table_args__ = (UniqueConstraint("tenant_id", "identification_type_id"),)
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmidentificationtypeentity", "Identification type", "Identification types",
        keys=(("identification_type_id",),),
    )  # fmt: skip

    identification_type_id: Mapped[str] = text(20, required=True)
    description: Mapped[str | None] = text(100)


class IssuingAgency(Row, TenantOwned, Base):
    __tablename__ = "hr_issuing_agency"
    __table_args__ = (UniqueConstraint("tenant_id", "issuing_agency_id"),)
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmidentificationagencyentity", "Issuing agency", "Issuing agencies", keys=(("issuing_agency_id",),)
    )

    issuing_agency_id: Mapped[str] = text(20, required=True)
    description: Mapped[str | None] = text(100)


class ScreeningType(Row, TenantOwned, Base):
    __tablename__ = "hr_screening_type"
    __table_args__ = (UniqueConstraint("tenant_id", "screening_type_id"),)
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmscreeningtypeentity", "Screening type", "Screening types", keys=(("screening_type_id",),)
    )

    screening_type_id: Mapped[str] = text(20, required=True)
    description: Mapped[str | None] = text(100)


class VeteranStatus(Row, TenantOwned, Base):
    __tablename__ = "hr_veteran_status"
    __table_args__ = (UniqueConstraint("tenant_id", "veteran_status_id"),)
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmveteranstatusentity", "Veteran status", "Veteran statuses",
        entity_set="mshr_hcmveteranstatusentities", keys=(("veteran_status_id",),),
    )  # fmt: skip

    veteran_status_id: Mapped[str] = text(20, required=True)
    description: Mapped[str | None] = text(100)
    is_veteran: Mapped[bool] = flag()


class ReasonCode(Row, TenantOwned, Base):
    """Why a hire, transfer or termination happened (termination reasons are what leavers carry)."""

    __tablename__ = "hr_reason_code"
    __table_args__ = (UniqueConstraint("tenant_id", "reason_code_id"),)
    __odata__: ClassVar[ODataTable] = table(
        "mshr_hcmreasoncodeentity", "Reason code", "Reason codes", keys=(("reason_code_id",),)
    )

    reason_code_id: Mapped[str] = text(20, required=True)
    description: Mapped[str | None] = text(100)
    category: Mapped[int | None] = choice(ReasonCategory)
