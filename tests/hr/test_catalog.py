"""The HR core covers the seed's table list under the D365 HR physical names."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import inspect

from hirehub.hr.catalog import dataverse_name
from hirehub.hr.models import CandidateToHire
from hirehub.hr.models.options import ApplicantIntegrationResult
from hirehub.hr.tables import ALL_TABLES, SEED_TABLES, exposed_tables

SEED = Path(__file__).parents[3] / "shared" / "seeds" / "d365hr-ats-integration-api-server-to-server-auth.md"


def _seed_list() -> list[str]:
    text = SEED.read_text()
    section = text.split("Creating a security role for ATS integrations", 1)[1]
    return re.findall(r"^  - (.+?)\s*$", section, flags=re.MULTILINE)


def test_every_table_of_the_seeds_list_is_exposed_under_its_physical_name() -> None:
    exposed = {t.odata.logical_name for t in exposed_tables()}
    if SEED.exists():
        assert sorted(_seed_list()) == sorted(SEED_TABLES)
    assert len(SEED_TABLES) == 40
    assert set(SEED_TABLES.values()) <= exposed


def test_logical_names_and_entity_sets_are_unique() -> None:
    tables = exposed_tables()
    assert len({t.odata.logical_name for t in tables}) == len(tables)
    assert len({t.odata.entity_set for t in tables}) == len(tables)


def test_the_candidate_to_hire_has_the_columns_the_reference_names() -> None:
    columns = {dataverse_name(c.key) for c in inspect(CandidateToHire).column_attrs}
    assert {
        "mshr_candidateid", "mshr_partynumber", "mshr_recruitingrequestid", "mshr_positionid", "mshr_firstname",
        "mshr_middlename", "mshr_lastnameprefix", "mshr_lastname", "mshr_gender", "mshr_birthdate",
        "mshr_availabilitydate", "mshr_iswillingtorelocate", "mshr_applicantintegrationresult",
        "mshr_donothirereasoncodeid", "mshr_dataareaid",
    } <= columns  # fmt: skip
    lookups = {lk.value_property for lk in CandidateToHire.__odata__.lookups.values()}
    assert {"_mshr_fk_person_id_value", "_mshr_fk_recruitingrequest_id_value", "_mshr_fk_position_id_value"} <= lookups
    assert [int(v) for v in ApplicantIntegrationResult] == [200000000, 200000001, 200000002, 200000003]


def test_every_hr_table_is_a_distinct_database_table() -> None:
    assert len({t.__tablename__ for t in ALL_TABLES}) == len(ALL_TABLES)  # type: ignore[attr-defined]
