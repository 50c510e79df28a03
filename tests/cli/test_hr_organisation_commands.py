"""``hirehub hr department|job|title|reason|position|candidate …``: the JSON contract and its refusals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hirehub.settings import get_settings
from tests.cli.support import hirehub

T = ("--tenant", "contoso.example")


@pytest.fixture
def tenant(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A hub database built from the models, with the tenant Contoso and its company."""
    monkeypatch.setenv("HIREHUB_DATABASE_URL", database_url)
    monkeypatch.setenv("HIREHUB_LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    made = hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    hirehub("company", "create", *T, "--code", "USMF", "--name", "Contoso USA")
    yield made
    get_settings.cache_clear()


def _organisation() -> dict[str, Any]:
    title = hirehub("hr", "title", "create", *T, "--name", "Data Engineer")
    job = hirehub(
        "hr", "job", "create", *T, "--name", "DE", "--description", "Data engineering", "--title", "Data Engineer"
    )
    department = hirehub("hr", "department", "create", *T, "--name", "Engineering")
    return {"title": title, "job": job, "department": department}


def test_department_create_prints_its_guid_name_and_drawn_number(tenant: dict[str, Any]) -> None:
    department = hirehub("hr", "department", "create", *T, "--name", "Engineering")
    assert len(department["id"]) == 36
    assert (department["name"], department["department_number"]) == ("Engineering", "DEP000001")
    given = hirehub("hr", "department", "create", "--tenant", tenant["id"], "--name", "Sales", "--number", "SAL")
    assert given["department_number"] == "SAL"
    listed = hirehub("hr", "department", "list", *T)
    assert [d["department_number"] for d in listed["departments"]] == ["DEP000001", "SAL"]


def test_job_title_and_reason_create_and_list(tenant: dict[str, Any]) -> None:
    made = _organisation()
    assert made["title"]["name"] == "Data Engineer"
    assert made["job"]["name"] == "DE" and made["job"]["title"]["title_id"] == "Data Engineer"
    reason = hirehub("hr", "reason", "create", *T, "--code", "RESIGN", "--description", "Resignation")
    assert (reason["code"], reason["description"]) == ("RESIGN", "Resignation")
    assert [j["job_id"] for j in hirehub("hr", "job", "list", *T)["jobs"]] == ["DE"]
    assert [t["title_id"] for t in hirehub("hr", "title", "list", *T)["titles"]] == ["Data Engineer"]
    assert [r["code"] for r in hirehub("hr", "reason", "list", *T)["reasons"]] == ["RESIGN"]


def test_position_create_accepts_codes_or_guids_and_prints_id_and_position_id(tenant: dict[str, Any]) -> None:
    made = _organisation()
    head = hirehub("hr", "position", "create", *T, "--job", "DE", "--department", made["department"]["id"])
    assert len(head["id"]) == 36 and head["position_id"] == "POS000001"
    assert head["title"]["title_id"] == "Data Engineer"
    lead = hirehub(
        "hr", "position", "create", *T, "--job", made["job"]["id"], "--department", "DEP000001",
        "--title", "Data Engineer", "--reports-to", "POS000001",
    )  # fmt: skip
    assert lead["reports_to"] == {"id": head["id"], "position_id": "POS000001"}
    listed = hirehub("hr", "position", "list", *T)
    assert [p["position_id"] for p in listed["positions"]] == ["POS000001", "POS000002"]


def test_a_reports_to_cycle_is_refused_and_changes_nothing(tenant: dict[str, Any]) -> None:
    _organisation()
    hirehub("hr", "position", "create", *T, "--job", "DE", "--department", "DEP000001")
    hirehub("hr", "position", "create", *T, "--job", "DE", "--department", "DEP000001", "--reports-to", "POS000001")
    error = hirehub("hr", "position", "update", *T, "--position", "POS000001", "--reports-to", "POS000002", expect=1)
    assert list(error) == ["error"] and "itself" in error["error"]
    assert hirehub("hr", "position", "list", *T)["positions"][0]["reports_to"] is None


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--job", "NOPE", "--department", "DEP000001"), "no job 'NOPE'"),
        (("--job", "DE", "--department", "00000000-0000-0000-0000-000000000000"), "no department with id"),
        (("--job", "DE", "--department", "DEP000001", "--reports-to", "POS404"), "no position 'POS404'"),
        (("--job", "DE", "--department", "DEP000001", "--activation", "2026-13-01"), "not a date"),
    ],
    ids=["unknown-job", "unknown-department-guid", "unknown-reports-to", "bad-date"],
)
def test_position_create_refuses_what_it_cannot_find(tenant: dict[str, Any], args: tuple[str, ...], words: str) -> None:
    _organisation()
    error = hirehub("hr", "position", "create", *T, *args, expect=1)
    assert list(error) == ["error"] and words in error["error"]
    assert hirehub("hr", "position", "list", *T)["positions"] == []


def test_a_duplicate_code_is_refused_and_changes_nothing(tenant: dict[str, Any]) -> None:
    hirehub("hr", "department", "create", *T, "--name", "Engineering", "--number", "ENG")
    error = hirehub("hr", "department", "create", *T, "--name", "Other", "--number", "eng", expect=1)
    assert "exists" in error["error"]
    error = hirehub("hr", "reason", "create", *T, "--code", "R", "--description", "", expect=1)
    assert "description is required" in error["error"]
    assert [d["name"] for d in hirehub("hr", "department", "list", *T)["departments"]] == ["Engineering"]
    assert hirehub("hr", "reason", "list", *T)["reasons"] == []


def test_retire_keeps_the_record_listed_but_refuses_it_for_new_positions(tenant: dict[str, Any]) -> None:
    _organisation()
    retired = hirehub("hr", "department", "retire", *T, "--department", "DEP000001")
    assert retired["retired"] is True
    assert hirehub("hr", "department", "list", *T)["departments"][0]["retired"] is True
    error = hirehub("hr", "position", "create", *T, "--job", "DE", "--department", "DEP000001", expect=1)
    assert "retired" in error["error"]
    hirehub("hr", "department", "reinstate", *T, "--department", "DEP000001")
    hirehub("hr", "position", "create", *T, "--job", "DE", "--department", "DEP000001")


def test_a_retired_position_is_not_open_from_its_retirement(tenant: dict[str, Any]) -> None:
    _organisation()
    hirehub("hr", "position", "create", *T, "--job", "DE", "--department", "DEP000001")
    retired = hirehub("hr", "position", "retire", *T, "--position", "POS000001", "--on", "2027-01-01")
    assert retired["retirement"] == "2027-01-01"
    assert [p["free"] for p in hirehub("hr", "position", "list", *T, "--open-on", "2026-12-31")["positions"]] == [1]
    assert hirehub("hr", "position", "list", *T, "--open-on", "2027-01-01")["positions"] == []


def test_update_changes_what_it_names(tenant: dict[str, Any]) -> None:
    _organisation()
    assert hirehub("hr", "department", "update", *T, "--department", "DEP000001", "--name", "R&D")["name"] == "R&D"
    assert hirehub("hr", "job", "update", *T, "--job", "DE", "--title", "")["title"] is None
    assert (
        hirehub("hr", "title", "update", *T, "--title", "data engineer", "--description", "Builds pipelines")[
            "description"
        ]
        == "Builds pipelines"
    )


def test_another_tenants_records_are_not_found(tenant: dict[str, Any]) -> None:
    _organisation()
    hirehub("tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example")
    theirs = hirehub(
        "hr", "department", "create", "--tenant", "fabrikam.example", "--name", "Theirs", "--number", "FAB"
    )
    for named in (theirs["id"], theirs["department_number"]):
        error = hirehub("hr", "position", "create", *T, "--job", "DE", "--department", named, expect=1)
        assert "no department" in error["error"]
    error = hirehub("hr", "department", "retire", *T, "--department", theirs["id"], expect=1)
    assert "no department" in error["error"]
    assert hirehub("hr", "department", "list", "--tenant", "fabrikam.example")["departments"][0]["retired"] is False


def test_candidate_add_and_list(tenant: dict[str, Any]) -> None:
    added = hirehub(
        "hr", "candidate", "add", *T, "--first-name", "Ada", "--last-name", "Lovelace", "--email", "ada@example.com",
        "--phone", "+1 555 0100", "--job-title", "Data Engineer",
    )  # fmt: skip
    assert len(added["id"]) == 36 and added["candidate_id"] == "CAND-000001"
    assert added["job_title"] == "Data Engineer"
    listed = hirehub("hr", "candidate", "list", *T)["candidates"]
    assert [{k: c[k] for k in ("id", "candidate_id", "first_name", "last_name", "status")} for c in listed] == [
        {"id": added["id"], "candidate_id": "CAND-000001", "first_name": "Ada", "last_name": "Lovelace",
         "status": "not_processed"}
    ]  # fmt: skip


def test_candidate_add_refuses_a_malformed_email_and_adds_nobody(tenant: dict[str, Any]) -> None:
    error = hirehub(
        "hr", "candidate", "add", *T, "--first-name", "Ada", "--last-name", "L", "--email", "nope", expect=1
    )
    assert list(error) == ["error"] and "e-mail" in error["error"]
    error = hirehub("hr", "candidate", "add", *T, "--first-name", " ", "--last-name", "L", expect=1)
    assert "first name is required" in error["error"]
    assert hirehub("hr", "candidate", "list", *T)["candidates"] == []
