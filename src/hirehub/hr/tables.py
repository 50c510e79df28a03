"""Every table the API exposes, and the 40-table list of Microsoft's ATS integration API guide mapped onto them.

Most tables are exposed once, with their own ``__odata__``. Two are extra *views*: "Base worker"
(``mshr_hcmworkerbaseentity``, the identity columns of the worker table) and "Company"
(``cdm_company``, the tenancy table of legal entities).
"""

from __future__ import annotations

from dataclasses import dataclass

from hirehub.hr import models as m
from hirehub.hr.catalog import ODataTable, table
from hirehub.hr.models.workforce import BASE_WORKER_COLUMNS, BASE_WORKER_VIEW
from hirehub.tenancy.models import Company

ALL_TABLES: tuple[type, ...] = (
    m.CountryRegion, m.IdentificationType, m.IssuingAgency, m.ScreeningType, m.VeteranStatus, m.ReasonCode,
    m.Department, m.Title, m.JobFunction, m.JobType, m.Job, m.JobCompensation, m.PositionType, m.Position,
    m.Person, m.PartyContact, m.PersonAddress,
    m.RatingModel, m.RatingLevel, m.Skill, m.EducationDegree, m.EducationDiscipline, m.EducationInstitution,
    m.EducationLevel, m.CertificateType, m.PersonSkill, m.PersonEducation, m.PersonCertificate,
    m.PersonProfessionalExperience, m.PersonIdentification, m.PersonScreening,
    m.Worker, m.Employment, m.PositionWorkerAssignment,
    m.RecruitingRequest, m.RecruitingRequestPosition, m.RecruitingRequestLocation, m.RecruitingRequestSkill,
    m.RecruitingRequestEducation, m.CandidateToHire, m.JobApplication, m.LinkedInExportedCandidate,
)  # fmt: skip

COMPANY_VIEW = table("cdm_company", "Company", "Companies", entity_set="cdm_companies", keys=(("code",),))


@dataclass(frozen=True)
class ExposedTable:
    """One entity set of the API: the ORM class behind it, its metadata and (for views) its columns."""

    model: type
    odata: ODataTable
    columns: tuple[str, ...] | None = None


def exposed_tables() -> list[ExposedTable]:
    tables = [ExposedTable(t, t.__odata__) for t in ALL_TABLES]  # type: ignore[attr-defined]
    tables.append(ExposedTable(m.Worker, BASE_WORKER_VIEW, BASE_WORKER_COLUMNS))
    tables.append(ExposedTable(Company, COMPANY_VIEW, ("code", "name")))
    return tables


# The list in Microsoft's ATS integration API guide (server-to-server authentication), by display name.
SEED_TABLES: dict[str, str] = {
    "Base worker (mshr)": "mshr_hcmworkerbaseentity",
    "Candidate to hire (mshr)": "mshr_hcmcandidatetohireentity",
    "Certificate competency (mshr)": "mshr_hcmpersoncertificateentity",
    "Certificate type (mshr)": "mshr_hcmcertificatetypeentity",
    "Company": "cdm_company",
    "Compensation job function (mshr)": "mshr_hcmjobfunctionentity",
    "Compensation job type (mshr)": "mshr_hcmjobtypeentity",
    "Country/regions (mshr)": "mshr_logisticsaddresscountryregionentity",
    "Department (mshr)": "mshr_omdepartmententity",
    "Education competency (mshr)": "mshr_hcmpersoneducationentity",
    "Education degree (mshr)": "mshr_hcmeducationdegreeentity",
    "Education disciplines (mshr)": "mshr_hcmeducationdisciplineentity",
    "Educational requirements (mshr)": "mshr_hcmrecruitingrequesteducationentity",
    "Identification (mshr)": "mshr_hcmpersonidentificationnumberentity",
    "Identification type (mshr)": "mshr_hcmidentificationtypeentity",
    "Institution (mshr)": "mshr_hcmeducationinstitutionentity",
    "Issuing agency (mshr)": "mshr_hcmidentificationagencyentity",
    "Job compensation (mshr)": "mshr_hcmjobcompensationentity",
    "Jobs (mshr)": "mshr_hcmjobentity",
    "Level of education (mshr)": "mshr_hcmeducationlevelentity",
    "Party contacts (mshr)": "mshr_dirpartycontactentity",
    "People (mshr)": "mshr_dirpersonentity",
    "Person addresses (mshr)": "mshr_hcmpersonaddressentity",
    "Person screening (mshr)": "mshr_hcmpersonscreeningentity",
    "Position type (mshr)": "mshr_hcmpositiontypeentity",
    "Positions V2 (mshr)": "mshr_hcmpositionv2entity",
    "Professional experience competency (mshr)": "mshr_hcmpersonprofessionalexperienceentity",
    "Rating level (mshr)": "mshr_hcmratinglevelentity",
    "Rating models (mshr)": "mshr_hcmratingmodelentity",
    "Reason codes (mshr)": "mshr_hcmreasoncodeentity",
    "Recruiting request (mshr)": "mshr_hcmrecruitingrequestentity",
    "Recruiting request location (mshr)": "mshr_hcmrecruitingrequestlocationentity",
    "Recruiting request position (mshr)": "mshr_hcmrecruitingrequestpositionentity",
    "Recruiting request skills (mshr)": "mshr_hcmrecruitingrequestskillentity",
    "Screening type (mshr)": "mshr_hcmscreeningtypeentity",
    "Skill competency (mshr)": "mshr_hcmpersonskillentity",
    "Skills (mshr)": "mshr_hcmskillentity",
    "Titles (mshr)": "mshr_hcmtitleentity",
    "Veteran status (mshr)": "mshr_hcmveteranstatusentity",
    "Worker (mshr)": "mshr_hcmworkerentity",
}
