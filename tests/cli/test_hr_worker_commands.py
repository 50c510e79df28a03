"""``hirehub hr hire|transfer|terminate`` and ``hirehub hr worker show``: the JSON contract, the worker as of a
day, and every refusal one ``{"error"}`` object with exit code 1 that changes nothing.

Dates are far from today (2020, 2090s) so that what "today" shows does not depend on when the suite runs; what
a given day shows is asked with ``--as-of``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from hirehub.audit import log as audit
from hirehub.bootstrap import open_database
from hirehub.settings import get_settings
from tests.cli.support import hirehub

T = ("--tenant", "contoso.example")
PAST, FUTURE, LATER = "2020-01-06", "2090-01-02", "2090-03-01"


@pytest.fixture
def tenant(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A hub database built from the models, with the tenant Contoso, its one company and an organisation."""
    monkeypatch.setenv("HIREHUB_DATABASE_URL", database_url)
    monkeypatch.setenv("HIREHUB_LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    made = hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    hirehub("company", "create", *T, "--code", "USMF", "--name", "Contoso USA")
    hirehub("hr", "title", "create", *T, "--name", "Data Engineer")
    hirehub("hr", "title", "create", *T, "--name", "Account Executive")
    hirehub("hr", "job", "create", *T, "--name", "DE", "--title", "Data Engineer")
    hirehub("hr", "job", "create", *T, "--name", "AE", "--title", "Account Executive")
    hirehub("hr", "department", "create", *T, "--name", "Engineering", "--number", "ENG")
    hirehub("hr", "department", "create", *T, "--name", "Sales", "--number", "SAL")
    hirehub("hr", "position", "create", *T, "--job", "DE", "--department", "ENG", "--position-id", "P-ENG")
    hirehub("hr", "position", "create", *T, "--job", "AE", "--department", "SAL", "--position-id", "P-SAL")
    hirehub("hr", "reason", "create", *T, "--code", "RESIGN", "--description", "Resignation")
    yield {**made, "database_url": database_url}
    get_settings.cache_clear()


def candidate(first: str = "Ann", last: str = "Lee", *tenant: str) -> dict[str, Any]:
    return hirehub("hr", "candidate", "add", *(tenant or T), "--first-name", first, "--last-name", last)


def hired(start: str = PAST, position: str = "P-ENG") -> dict[str, Any]:
    made = candidate()
    return hirehub("hr", "hire", *T, "--candidate", made["candidate_id"], "--start", start, "--position", position)


def show(personnel_number: str, as_of: str | None = None) -> dict[str, Any]:
    extra = ("--as-of", as_of) if as_of else ()
    return hirehub("hr", "worker", "show", *T, "--personnel-number", personnel_number, *extra)


def statuses() -> list[str]:
    return [c["status"] for c in hirehub("hr", "candidate", "list", *T)["candidates"]]


def refused(*args: str) -> str:
    error = hirehub(*args, expect=1)
    assert list(error) == ["error"]
    return str(error["error"])


# --- hire -----------------------------------------------------------------------------------------------------


def test_hire_prints_the_personnel_number_worker_id_and_start(tenant: dict[str, Any]) -> None:
    made = candidate()
    worker = hirehub("hr", "hire", *T, "--candidate", made["candidate_id"], "--start", PAST, "--position", "P-ENG")
    assert worker["personnel_number"].startswith("HR")
    assert uuid.UUID(worker["worker_id"])
    assert worker["start"] == PAST
    assert worker["company"] == "USMF"  # the tenant's only company
    assert worker["status"] == "employed"
    assert worker["position"]["position_id"] == "P-ENG"
    assert worker["department"]["name"] == "Engineering"
    assert worker["title"] == "Data Engineer"
    assert statuses() == ["hired"]


def test_hire_accepts_the_candidates_guid_and_the_positions_guid(tenant: dict[str, Any]) -> None:
    made = candidate()
    position = next(p for p in hirehub("hr", "position", "list", *T)["positions"] if p["position_id"] == "P-SAL")
    worker = hirehub("hr", "hire", *T, "--candidate", made["id"], "--start", PAST, "--position", position["id"])
    assert worker["position"] == {"id": position["id"], "position_id": "P-SAL"}


def test_a_hire_ahead_is_pending_until_its_first_day(tenant: dict[str, Any]) -> None:
    worker = hired(start=FUTURE)
    assert worker["status"] == "pending"
    assert [(c["kind"], c["effective"]) for c in worker["scheduled"]][:1] == [("hire", FUTURE)]
    assert show(worker["personnel_number"], as_of="2090-01-01")["status"] == "pending"
    on_the_day = show(worker["personnel_number"], as_of=FUTURE)
    assert on_the_day["status"] == "employed"
    assert on_the_day["employment"] == {"start": FUTURE, "last_day": None}


def test_hire_without_company_is_refused_naming_the_choices_when_there_are_several(tenant: dict[str, Any]) -> None:
    hirehub("company", "create", *T, "--code", "DEMF", "--name", "Contoso Germany")
    made = candidate()
    error = refused("hr", "hire", *T, "--candidate", made["candidate_id"], "--start", PAST)
    assert "USMF" in error and "DEMF" in error and "--company" in error
    assert statuses() == ["not_processed"]
    worker = hirehub("hr", "hire", *T, "--candidate", made["candidate_id"], "--start", PAST, "--company", "DEMF")
    assert worker["company"] == "DEMF"


@pytest.mark.parametrize("start", ["2020-13-01", "06/01/2020", "tomorrow"])
def test_a_malformed_start_is_refused_and_hires_nobody(tenant: dict[str, Any], start: str) -> None:
    made = candidate()
    error = refused("hr", "hire", *T, "--candidate", made["candidate_id"], "--start", start)
    assert "--start" in error and "YYYY-MM-DD" in error
    assert statuses() == ["not_processed"]


def test_an_unknown_candidate_or_position_is_refused_and_hires_nobody(tenant: dict[str, Any]) -> None:
    made = candidate()
    assert "CAND-404" in refused("hr", "hire", *T, "--candidate", "CAND-404", "--start", PAST)
    error = refused("hr", "hire", *T, "--candidate", made["candidate_id"], "--start", PAST, "--position", "P-404")
    assert "position" in error and "P-404" in error
    assert statuses() == ["not_processed"]


def test_a_candidate_hired_already_is_refused(tenant: dict[str, Any]) -> None:
    made = candidate()
    hirehub("hr", "hire", *T, "--candidate", made["candidate_id"], "--start", PAST)
    assert "hired already" in refused("hr", "hire", *T, "--candidate", made["candidate_id"], "--start", FUTURE)


def test_another_tenants_candidate_and_worker_are_not_found(tenant: dict[str, Any]) -> None:
    hirehub("tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example")
    fabrikam = ("--tenant", "fabrikam.example")
    hirehub("company", "create", *fabrikam, "--code", "FAB", "--name", "Fabrikam")
    theirs = candidate("Mallory", "Moe", *fabrikam)
    refused("hr", "hire", *T, "--candidate", theirs["candidate_id"], "--start", PAST)
    refused("hr", "hire", *T, "--candidate", theirs["id"], "--start", PAST)
    worker = hirehub("hr", "hire", *fabrikam, "--candidate", theirs["candidate_id"], "--start", PAST)
    refused("hr", "worker", "show", *T, "--personnel-number", worker["personnel_number"])
    refused("hr", "terminate", *T, "--personnel-number", worker["worker_id"], "--last-day", LATER)
    assert show_in(fabrikam, worker["personnel_number"])["employment"]["last_day"] is None


def test_a_transfer_to_another_tenants_position_is_refused(tenant: dict[str, Any]) -> None:
    number = hired()["personnel_number"]
    hirehub("tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example")
    fabrikam = ("--tenant", "fabrikam.example")
    hirehub("hr", "job", "create", *fabrikam, "--name", "FJ")
    hirehub("hr", "department", "create", *fabrikam, "--name", "Fab", "--number", "FAB")
    theirs = hirehub("hr", "position", "create", *fabrikam, "--job", "FJ", "--department", "FAB")
    for position in (theirs["id"], theirs["position_id"]):
        refused("hr", "transfer", *T, "--personnel-number", number, "--effective", LATER, "--position", position)
    assert show(number)["scheduled"] == []


def show_in(tenant: tuple[str, str], personnel_number: str) -> dict[str, Any]:
    return hirehub("hr", "worker", "show", *tenant, "--personnel-number", personnel_number)


# --- transfer -------------------------------------------------------------------------------------------------


def test_a_transfer_ahead_is_scheduled_and_takes_effect_on_its_day(tenant: dict[str, Any]) -> None:
    worker = hired(start=PAST)
    number = worker["personnel_number"]
    moved = hirehub("hr", "transfer", *T, "--personnel-number", number, "--effective", LATER, "--position", "P-SAL")
    assert moved["effective"] == LATER
    assert moved["position"]["position_id"] == "P-ENG"  # today: not yet
    assert [(c["kind"], c["effective"]) for c in moved["scheduled"]] == [("transfer", LATER)]
    before = show(number, as_of="2090-02-28")
    assert (before["position"]["position_id"], before["department"]["name"]) == ("P-ENG", "Engineering")
    after = show(number, as_of=LATER)
    assert (after["position"]["position_id"], after["department"]["name"]) == ("P-SAL", "Sales")
    assert after["title"] == "Account Executive"
    assert after["scheduled"] == []


def test_a_transfer_before_the_start_is_refused_and_changes_nothing(tenant: dict[str, Any]) -> None:
    worker = hired(start=FUTURE)
    number = worker["personnel_number"]
    refused("hr", "transfer", *T, "--personnel-number", number, "--effective", "2089-12-31", "--position", "P-SAL")
    assert show(number, as_of=LATER)["position"]["position_id"] == "P-ENG"
    assert [c["kind"] for c in show(number)["scheduled"]] == ["hire"]


def test_a_transfer_to_an_unknown_position_or_of_an_unknown_worker_is_refused(tenant: dict[str, Any]) -> None:
    number = hired()["personnel_number"]
    assert "P-404" in refused(
        "hr", "transfer", *T, "--personnel-number", number, "--effective", LATER, "--position", "P-404"
    )
    assert "HR-404" in refused(
        "hr", "transfer", *T, "--personnel-number", "HR-404", "--effective", LATER, "--position", "P-SAL"
    )
    assert "--effective" in refused(
        "hr", "transfer", *T, "--personnel-number", number, "--effective", "2090-02-30", "--position", "P-SAL"
    )
    assert show(number)["scheduled"] == []


# --- terminate ------------------------------------------------------------------------------------------------


def test_a_termination_ahead_keeps_the_worker_employed_until_the_last_day(tenant: dict[str, Any]) -> None:
    number = hired()["personnel_number"]
    ended = hirehub("hr", "terminate", *T, "--personnel-number", number, "--last-day", LATER, "--reason", "RESIGN")
    assert (ended["last_day"], ended["reason"]) == (LATER, "RESIGN")
    assert ended["status"] == "employed"
    assert show(number, as_of=LATER)["status"] == "employed"
    after = show(number, as_of="2090-03-02")
    assert after["status"] == "terminated"
    assert show(number, as_of=LATER)["employment"] == {"start": PAST, "last_day": LATER}


def test_a_last_day_before_the_start_is_refused_and_changes_nothing(tenant: dict[str, Any]) -> None:
    number = hired(start=FUTURE)["personnel_number"]
    error = refused("hr", "terminate", *T, "--personnel-number", number, "--last-day", "2089-06-30")
    assert "2089-06-30" in error
    assert show(number, as_of=LATER)["employment"]["last_day"] is None


def test_an_unknown_reason_or_malformed_last_day_is_refused(tenant: dict[str, Any]) -> None:
    number = hired()["personnel_number"]
    assert "NOPE" in refused(
        "hr", "terminate", *T, "--personnel-number", number, "--last-day", LATER, "--reason", "NOPE"
    )
    assert "--last-day" in refused("hr", "terminate", *T, "--personnel-number", number, "--last-day", "2090-3-1x")
    assert show(number, as_of=LATER)["employment"]["last_day"] is None


# --- worker show ----------------------------------------------------------------------------------------------


def test_worker_show_prints_the_documented_keys(tenant: dict[str, Any]) -> None:
    number = hired()["personnel_number"]
    shown = show(number, as_of="2021-01-01")
    assert {
        "personnel_number", "status", "position", "department", "title", "manager", "employment", "scheduled",
        "directory_account",
    } <= set(shown)  # fmt: skip
    assert shown["status"] == "employed"
    assert set(shown["position"]) == {"id", "position_id"} and set(shown["department"]) == {"id", "name"}
    assert shown["directory_account"] is None  # nothing reached the directory yet
    assert shown["manager"] is None


def test_worker_show_before_the_first_day_is_pending_with_the_start_ahead(tenant: dict[str, Any]) -> None:
    number = hired(start=FUTURE)["personnel_number"]
    early = show(number, as_of="2030-01-01")
    assert (early["status"], early["employment"]) == ("pending", {"start": FUTURE, "last_day": None})
    assert early["position"]["position_id"] == "P-ENG"  # where they will sit


def test_worker_show_reports_the_directory_account_provisioning_recorded(tenant: dict[str, Any]) -> None:
    number = hired()["personnel_number"]
    upn = "ann.lee@contoso.example"
    account = {"userPrincipalName": upn, "accountEnabled": True}
    asyncio.run(audited(tenant, number, "directory.create_account", {"account": account}))
    assert show(number)["directory_account"] == {"user_principal_name": upn, "enabled": True}
    asyncio.run(audited(tenant, number, "directory.disable_account", {}))
    assert show(number)["directory_account"] == {"user_principal_name": upn, "enabled": False}


async def audited(tenant: dict[str, Any], personnel_number: str, action: str, after: dict[str, Any]) -> None:
    database = open_database(tenant["database_url"])
    try:
        async with database.tenant_transaction(uuid.UUID(tenant["id"])) as session:
            audit.record(
                session, actor="job", action=action, subject_type="worker", subject_id=personnel_number, after=after
            )
    finally:
        await database.dispose()


def test_worker_show_refuses_an_unknown_worker_and_a_malformed_day(tenant: dict[str, Any]) -> None:
    number = hired()["personnel_number"]
    assert "HR-404" in refused("hr", "worker", "show", *T, "--personnel-number", "HR-404")
    assert "--as-of" in refused("hr", "worker", "show", *T, "--personnel-number", number, "--as-of", "soon")


def test_a_hire_without_a_position_keeps_the_title_the_candidate_was_recruited_as(tenant: dict[str, Any]) -> None:
    made = hirehub(
        "hr", "candidate", "add", *T, "--first-name", "Ann", "--last-name", "Lee", "--job-title", "Data engineer"
    )
    worker = hirehub("hr", "hire", *T, "--candidate", made["candidate_id"], "--start", PAST)
    assert worker["title"] == "Data Engineer"  # the tenant's title of that name, whatever its case
    assert worker["position"] is None
