"""Candidates to hire: created with their person, numbered from the tenant's sequences."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hirehub.hr import errors, job_titles, services
from hirehub.hr.domain import HireDetails
from hirehub.hr.models import CandidateToHire, LinkedInExportedCandidate, Person, PersonAddress, Title, Worker
from hirehub.hr.models.options import AddressType, ApplicantIntegrationResult
from tests.hr.conftest import HR


async def test_a_candidate_is_created_with_its_person_and_numbers_from_the_sequences(hr: HR) -> None:
    first = await hr.candidate("Ada", "Lovelace", email="ada@contoso.example", availability_date=date(2027, 1, 4))
    second = await hr.candidate("Grace", "Hopper")

    assert (first.candidate_id, second.candidate_id) == ("CAND-000001", "CAND-000002")
    person = await hr.get(Person, first.person_ref_id)
    assert (person.party_number, person.first_name, person.primary_contact_email) == (
        "000000001",
        "Ada",
        "ada@contoso.example",
    )
    assert first.party_number == person.party_number
    assert first.applicant_integration_result == ApplicantIntegrationResult.NOT_PROCESSED


async def test_a_new_candidate_records_no_hr_event_only_the_record_changes_that_systems_mirroring_it_read(
    hr: HR,
) -> None:
    await hr.candidate("Ada", "Lovelace")

    assert await hr.events() == []
    assert sorted(await hr.record_changes()) == [("hr_candidate_to_hire", "created"), ("hr_person", "created")]


@pytest.mark.parametrize("first_name", ["", "   "])
async def test_a_candidate_without_a_first_name_is_refused_and_nothing_changes(hr: HR, first_name: str) -> None:
    before = await hr.state()
    with pytest.raises(errors.MissingRequiredField, match="first name"):
        await hr.candidate(first_name)
    assert await hr.state() == before


async def test_export_to_hris_makes_a_candidate_to_hire_and_a_second_export_updates_it(hr: HR) -> None:
    async with hr.transaction() as session:
        export = LinkedInExportedCandidate(
            linkedin_candidate_urn="urn:li:ts_hire_identity:42",
            first_name="Ada",
            last_name="Lovelace",
            email="ada@contoso.example",
            start_date=date(2027, 1, 4),
        )
        session.add(export)
        await session.flush()
        candidate = await services.import_linkedin_export(session, export)
    assert candidate.first_name == "Ada"
    assert candidate.availability_date == date(2027, 1, 4)

    async with hr.transaction() as session:
        again = await session.get(LinkedInExportedCandidate, export.id)
        assert again is not None
        again.email, again.start_date = "ada.lovelace@contoso.example", date(2027, 2, 1)
        updated = await services.import_linkedin_export(session, again)
    assert updated.id == candidate.id
    candidates = await hr.rows(CandidateToHire)
    assert [(c.email, c.availability_date) for c in candidates] == [("ada.lovelace@contoso.example", date(2027, 2, 1))]
    person = await hr.get(Person, candidate.person_ref_id)
    assert person.primary_contact_email == "ada.lovelace@contoso.example"


async def _export(
    hr: HR, *, job_title: str | None, location: str | None, urn: str = "urn:li:ts_hire_identity:7"
) -> Any:
    async with hr.transaction() as session:
        export = LinkedInExportedCandidate(
            linkedin_candidate_urn=urn, first_name="Ada", last_name="Lovelace", start_date=date(2027, 1, 4),
            job_title=job_title, location=location,
        )  # fmt: skip
        session.add(export)
        await session.flush()
        return export, await services.import_linkedin_export(session, export)


async def test_the_exports_job_title_stays_on_the_candidate_and_its_location_on_the_persons_business_address(
    hr: HR,
) -> None:
    _, candidate = await _export(hr, job_title="Data Engineer", location="Redmond, WA")
    assert candidate.job_title == "Data Engineer"
    [address] = await hr.rows(PersonAddress, person_id=candidate.person_ref_id)
    assert (address.address_type, address.location_name) == (AddressType.BUSINESS, "Redmond, WA")


async def test_a_resent_export_updates_the_title_and_the_location_without_a_second_address(hr: HR) -> None:
    export, candidate = await _export(hr, job_title="Data Engineer", location="Redmond, WA")
    async with hr.transaction() as session:
        again = await session.get(LinkedInExportedCandidate, export.id)
        assert again is not None
        again.job_title, again.location = "Senior Data Engineer", "Seattle, WA"
        await services.import_linkedin_export(session, again)
    assert (await hr.get(CandidateToHire, candidate.id)).job_title == "Senior Data Engineer"
    assert [a.location_name for a in await hr.rows(PersonAddress, person_id=candidate.person_ref_id)] == ["Seattle, WA"]


async def test_an_export_without_a_location_makes_no_address(hr: HR) -> None:
    _, candidate = await _export(hr, job_title=None, location=" ")
    assert await hr.rows(PersonAddress, person_id=candidate.person_ref_id) == []


async def test_a_hire_without_a_position_gives_the_worker_the_title_the_candidate_was_recruited_as(hr: HR) -> None:
    await hr.add(Title(title_id="Data engineer"))
    _, candidate = await _export(hr, job_title="Data Engineer", location=None)
    async with hr.transaction() as session:
        title = await job_titles.title_without_position(session, candidate, position_given=False, actor="test")
        assert title is not None
        outcome = await services.hire(
            session, candidate.id, HireDetails(date(2027, 1, 4)), title_id=title.id, today=date(2026, 12, 1)
        )
    worker = await hr.get(Worker, outcome.worker.id)
    assert worker.title_id == title.id
    assert [t.title_id for t in await hr.rows(Title)] == ["Data engineer"]  # found regardless of case, not made again


async def test_a_title_no_tenant_has_yet_is_made_once(hr: HR) -> None:
    async with hr.transaction() as session:
        made = await job_titles.title_named(session, "Account Executive", actor="test")
        again = await job_titles.title_named(session, "account executive", actor="test")
        nothing = await job_titles.title_named(session, "  ", actor="test")
    assert made is not None and again is not None and made.id == again.id
    assert nothing is None
    assert [t.title_id for t in await hr.rows(Title)] == ["Account Executive"]


async def test_with_a_position_the_positions_title_applies_not_the_candidates(hr: HR) -> None:
    _, candidate = await _export(hr, job_title="Data Engineer", location=None)
    async with hr.transaction() as session:
        assert await job_titles.title_without_position(session, candidate, position_given=True, actor="t") is None
    assert await hr.rows(Title) == []
