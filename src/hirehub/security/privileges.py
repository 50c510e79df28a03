"""Privileges, access levels and the built-in roles, as plain values (no I/O).

Layer one follows Dataverse: a role grants per table the privileges Create, Read, Write, Delete, Append,
AppendTo, Assign, Share at an access level, and a user's roles add up (the deepest level wins). The
``mshr_`` tables are organization-owned virtual tables, so for them a privilege is Organization or None.
Layer two follows Dynamics 365 HR: an HR role grants per table a set of operations. A call passes only if
both layers allow it.

The built-in roles that span tables take the table names as arguments: which tables exist is the HR
binding's knowledge, and the protocol layers that check privileges must not depend on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class Privilege(StrEnum):
    CREATE = "Create"
    READ = "Read"
    WRITE = "Write"
    DELETE = "Delete"
    APPEND = "Append"
    APPEND_TO = "AppendTo"
    ASSIGN = "Assign"
    SHARE = "Share"


class Depth(IntEnum):
    """Dataverse's access levels, ordered so that the deepest grant of several roles wins."""

    NONE = 0
    USER = 1
    BUSINESS_UNIT = 2
    PARENT_CHILD = 3
    ORGANIZATION = 4

    @classmethod
    def parse(cls, text: str) -> Depth:
        key = text.strip().upper().replace(" ", "_").replace(":", "").replace("-", "_")
        aliases = {"BASIC": "USER", "LOCAL": "BUSINESS_UNIT", "DEEP": "PARENT_CHILD", "PARENT": "PARENT_CHILD",
                   "PARENT_CHILD_BUSINESS_UNITS": "PARENT_CHILD", "GLOBAL": "ORGANIZATION",
                   "ORG": "ORGANIZATION"}  # fmt: skip
        try:
            return cls[aliases.get(key, key)]
        except KeyError:
            raise ValueError(
                f"unknown access level '{text}' (None, User, Business Unit, Parent, Organization)"
            ) from None


# Privileges that apply to organization-owned tables (Assign and Share apply only to user-owned ones).
ORGANIZATION_OWNED = (
    Privilege.CREATE, Privilege.READ, Privilege.WRITE, Privilege.DELETE, Privilege.APPEND, Privilege.APPEND_TO,
)  # fmt: skip
METADATA_TABLES = ("entity", "attribute", "relationship")  # Entity, Field, Relationship
LINKEDIN_EXPORT_TABLE = "mshr_hcmlinkedinexportedcandidateentity"
JOB_APPLICATION_TABLE = "mshr_hcmjobapplicationentity"
HUB_ATS_TABLES = (LINKEDIN_EXPORT_TABLE, JOB_APPLICATION_TABLE)
"""The hub's own tables an ATS writes beside the guide's list: LinkedIn's exports, and the applications the
guide's model has no table for (a candidate to hire names one request at most)."""
EXPORT_PRIVILEGES = (Privilege.CREATE, Privilege.READ, Privilege.WRITE)


def parse_privilege(text: str) -> Privilege:
    for privilege in Privilege:
        if privilege.value.lower() == text.strip().lower():
            return privilege
    raise ValueError(f"unknown privilege '{text}' ({', '.join(p.value for p in Privilege)})")


@dataclass(frozen=True)
class Grant:
    table: str
    privilege: Privilege
    depth: Depth


@dataclass
class PlatformPrivileges:
    """What layer one allows: the deepest level per (table, privilege) over all the user's roles."""

    levels: dict[tuple[str, Privilege], Depth] = field(default_factory=dict)

    @classmethod
    def combine(cls, grants: Iterable[Grant]) -> PlatformPrivileges:
        levels: dict[tuple[str, Privilege], Depth] = {}
        for grant in grants:
            key = (grant.table, grant.privilege)
            levels[key] = max(levels.get(key, Depth.NONE), grant.depth)
        return cls(levels)

    def allows(self, table: str, privilege: Privilege) -> bool:
        # Organization-owned tables need Organization; a lower level grants nothing on them.
        if self.levels.get((table, privilege), Depth.NONE) is Depth.ORGANIZATION:
            return True
        return table == LINKEDIN_EXPORT_TABLE and privilege in EXPORT_PRIVILEGES and self._reads_metadata()

    def _reads_metadata(self) -> bool:
        """LinkedIn Talent Hub's documented set-up grants its adapter only organization Read on Entity, Field
        and Relationship; with that role the adapter writes its exports, and the HR layer (the linked HR
        user's role) decides the rest — so an integration set up as Microsoft's ATS integration API guide describes
        works unchanged."""
        return all(self.levels.get((t, Privilege.READ), Depth.NONE) is Depth.ORGANIZATION for t in METADATA_TABLES)


@dataclass
class HRPrivileges:
    """What layer two allows: the union of the HR roles' grants per table."""

    grants: dict[str, frozenset[Privilege]] = field(default_factory=dict)

    @classmethod
    def combine(cls, roles: Iterable[Mapping[str, Iterable[str]]]) -> HRPrivileges:
        grants: dict[str, set[Privilege]] = {}
        for role in roles:
            for table, privileges in role.items():
                grants.setdefault(table, set()).update(parse_privilege(p) for p in privileges)
        return cls({table: frozenset(privileges) for table, privileges in grants.items()})

    def allows(self, table: str, privilege: Privilege) -> bool:
        if table in METADATA_TABLES:
            return privilege is Privilege.READ  # metadata is readable by every HR user
        return privilege in self.grants.get(table, frozenset())


# --- built-in roles -----------------------------------------------------------------------------------

ATS_ROLE_NAME = "ATS integration"
SYSTEM_ADMINISTRATOR_ROLE_NAME = "System Administrator"
RECRUITING_ROLE_ID = "HcmRecruitingIntegrator"
RECRUITING_ROLE_NAME = "Recruiting application"
HR_MANAGER_ROLE_ID = "HcmHumanResourceManager"
HR_MANAGER_ROLE_NAME = "Human resource manager"


def ats_integration_grants(seed_tables: Iterable[str]) -> list[Grant]:
    """The ATS integration API guide's table list and the hub's own ATS tables, Organization-level, plus Read on
    Entity, Field, Relationship."""
    grants = [
        Grant(table, privilege, Depth.ORGANIZATION)
        for table in [*seed_tables, *HUB_ATS_TABLES]
        for privilege in ORGANIZATION_OWNED
    ]
    grants += [Grant(table, Privilege.READ, Depth.ORGANIZATION) for table in METADATA_TABLES]
    return grants


def system_administrator_grants(tables: Iterable[str]) -> list[Grant]:
    """Every privilege on every table at Organization level, as Dataverse's System Administrator has; an
    application user with this role may also call the hub's admin API (``/admin/v1``)."""
    every = sorted(set(tables) | set(METADATA_TABLES))
    return [Grant(table, privilege, Depth.ORGANIZATION) for table in every for privilege in ORGANIZATION_OWNED]


def hr_manager_grants(tables: Iterable[str]) -> dict[str, list[str]]:
    """The HR department's role: every operation on every HR table (hiring included)."""
    return {table: [p.value for p in ORGANIZATION_OWNED] for table in tables}


# What an ATS needs: it writes candidates to hire with their person, contacts, addresses and competencies,
# reads the organisation and recruiting requests it recruits for, and reads workers (for rehires). It never
# writes workers, employments, positions or the organisation, and never deletes anything but its own drafts.
_READ = ["Read"]
_WRITE_OWN = ["Create", "Read", "Write", "Delete", "Append", "AppendTo"]
RECRUITING_GRANTS: dict[str, list[str]] = {
    "mshr_hcmcandidatetohireentity": _WRITE_OWN,
    JOB_APPLICATION_TABLE: _WRITE_OWN,
    "mshr_dirpersonentity": ["Create", "Read", "Write", "Append", "AppendTo"],
    "mshr_dirpartycontactentity": _WRITE_OWN,
    "mshr_hcmpersonaddressentity": _WRITE_OWN,
    "mshr_hcmpersonskillentity": _WRITE_OWN,
    "mshr_hcmpersoneducationentity": _WRITE_OWN,
    "mshr_hcmpersoncertificateentity": _WRITE_OWN,
    "mshr_hcmpersonprofessionalexperienceentity": _WRITE_OWN,
    "mshr_hcmpersonidentificationnumberentity": _WRITE_OWN,
    "mshr_hcmpersonscreeningentity": _WRITE_OWN,
    LINKEDIN_EXPORT_TABLE: _WRITE_OWN,
    "mshr_hcmrecruitingrequestentity": ["Read", "AppendTo"],
    "mshr_hcmrecruitingrequestpositionentity": _READ,
    "mshr_hcmrecruitingrequestlocationentity": _READ,
    "mshr_hcmrecruitingrequestskillentity": _READ,
    "mshr_hcmrecruitingrequesteducationentity": _READ,
    **{
        table: ["Read", "AppendTo"]
        for table in (
            "mshr_hcmpositionv2entity", "mshr_hcmpositiontypeentity", "mshr_hcmjobentity",
            "mshr_hcmjobcompensationentity", "mshr_hcmjobfunctionentity", "mshr_hcmjobtypeentity",
            "mshr_omdepartmententity", "mshr_hcmtitleentity", "mshr_hcmskillentity", "mshr_hcmratingmodelentity",
            "mshr_hcmratinglevelentity", "mshr_hcmreasoncodeentity", "mshr_hcmcertificatetypeentity",
            "mshr_hcmeducationdegreeentity", "mshr_hcmeducationdisciplineentity", "mshr_hcmeducationlevelentity",
            "mshr_hcmeducationinstitutionentity", "mshr_hcmidentificationtypeentity",
            "mshr_hcmidentificationagencyentity", "mshr_hcmscreeningtypeentity", "mshr_hcmveteranstatusentity",
            "mshr_logisticsaddresscountryregionentity", "cdm_company",
        )
    },
    "mshr_hcmworkerentity": _READ,
    "mshr_hcmworkerbaseentity": _READ,
}  # fmt: skip
