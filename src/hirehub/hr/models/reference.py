"""Reference data: countries, identification and screening types, agencies, veteran status, reasons."""

from __future__ import annotations

from sqlalchemy.orm import Mapped

from hirehub.db.base import Base
from hirehub.hr.models.coded import Coded
from hirehub.hr.models.columns import choice, flag, text
from hirehub.hr.models.options import ReasonCategory


class CountryRegion(Coded, Base, table_name="hr_country_region", code="country_region_id",
                    api=("mshr_logisticsaddresscountryregionentity", "Country/region", "Country/regions"),
                    code_length=10, described=False):  # fmt: skip
    short_name: Mapped[str | None] = text(60)
    iso_code: Mapped[str | None] = text(3)


class IdentificationType(Coded, Base, table_name="hr_identification_type", code="identification_type_id",
    api=("mshr_hcmidentificationtypeentity", "Identification type", "Identification types")):  # fmt: skip
    """A kind of identity document (passport, national id card)."""


class IssuingAgency(Coded, Base, table_name="hr_issuing_agency", code="issuing_agency_id",
                    api=("mshr_hcmidentificationagencyentity", "Issuing agency", "Issuing agencies")):  # fmt: skip
    """An authority that issues identity documents."""


class ScreeningType(Coded, Base, table_name="hr_screening_type", code="screening_type_id",
                    api=("mshr_hcmscreeningtypeentity", "Screening type", "Screening types")):  # fmt: skip
    """A kind of background screening (criminal record, credit check)."""


class VeteranStatus(Coded, Base, table_name="hr_veteran_status", code="veteran_status_id",
                    api=("mshr_hcmveteranstatusentity", "Veteran status", "Veteran statuses"),
                    entity_set="mshr_hcmveteranstatusentities"):  # fmt: skip
    is_veteran: Mapped[bool] = flag()


class ReasonCode(Coded, Base, table_name="hr_reason_code", code="reason_code_id",
                 api=("mshr_hcmreasoncodeentity", "Reason code", "Reason codes")):  # fmt: skip
    """Why a hire, transfer or termination happened (termination reasons are what leavers carry)."""

    reason_code_id: Mapped[str]
    description: Mapped[str | None]
    category: Mapped[int | None] = choice(ReasonCategory)
    retired: Mapped[bool] = flag()
    """Kept for the employments that ended with it, no longer offered on *Terminate*."""
