"""Candidates to hire: created with their person, numbered from the tenant's sequences."""

from __future__ import annotations

from datetime import date

import pytest

from hirehub.hr import errors, services
from hirehub.hr.models import CandidateToHire, LinkedInExportedCandidate, Person
from hirehub.hr.models.options import ApplicantIntegrationResult
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


async def test_a_new_candidate_records_no_domain_event_since_nothing_acts_on_one(hr: HR) -> None:
    await hr.candidate("Ada", "Lovelace")

    assert await hr.events() == []


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
