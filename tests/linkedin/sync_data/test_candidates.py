"""Candidates to hire (and their persons) → ATS candidates: names, every known e-mail and phone once, addresses in
LinkedIn's form, the LinkedIn profile URL, epoch-millisecond times; a candidate without a name refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hirehub.linkedin.sync_data.candidates import (
    AddressSnapshot,
    CandidateSnapshot,
    PersonSnapshot,
    ats_candidate,
)
from hirehub.linkedin.sync_data.outcomes import Mapped, Refused
from hirehub.sandbox.linkedin.data_world import candidate_problems

ORG = "urn:li:organization:2414183"
CREATED = datetime(2025, 3, 1, tzinfo=UTC)


def a_candidate(**changes: Any) -> CandidateSnapshot:
    values: dict[str, Any] = {
        "candidate_id": "CAND-000001",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "created_at": CREATED,
        "modified_at": CREATED + timedelta(days=1),
        "email": "ada@example.com",
        "phone": "+44 20 7946 0000",
    }
    values.update(changes)
    return CandidateSnapshot(**values)


def mapped(outcome: object) -> Mapped:
    assert isinstance(outcome, Mapped), outcome
    return outcome


def test_a_candidate_without_a_person_is_a_complete_record_linkedin_accepts() -> None:
    candidate = mapped(ats_candidate(a_candidate(), ORG))
    assert candidate.key == {"atsCandidateId": "CAND-000001", "dataProvider": "ATS", "integrationContext": ORG}
    assert candidate.payload == {
        "atsCreatedAt": 1_740_787_200_000,
        "atsLastModifiedAt": 1_740_873_600_000,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "emailAddresses": ["ada@example.com"],
        "phoneNumbers": [{"number": "+44 20 7946 0000"}],
        "addresses": [],
    }
    assert candidate_problems(candidate.payload) == []


def test_the_persons_contacts_addresses_and_profile_join_the_candidates_without_repeats() -> None:
    person = PersonSnapshot(
        modified_at=CREATED + timedelta(days=5),
        primary_email="ADA@example.com",
        emails=("countess@example.org",),
        phones=("+44 20 7946 0000", "+44 7700 900000"),
        urls=("https://example.com/ada", "https://uk.linkedin.com/in/ada-lovelace"),
        addresses=(
            AddressSnapshot("12 St James's Square", "London", None, "SW1Y 4JH", "GB"),
            AddressSnapshot(country_iso_code="GBR"),
        ),
    )
    candidate = mapped(ats_candidate(a_candidate(person=person, middle_name="King"), ORG))
    payload = candidate.payload
    assert payload["emailAddresses"] == ["ada@example.com", "countess@example.org"]
    assert payload["phoneNumbers"] == [{"number": "+44 20 7946 0000"}, {"number": "+44 7700 900000"}]
    assert payload["addresses"] == [
        {"line1": "12 St James's Square", "city": "London", "postalCode": "SW1Y 4JH", "country": "gb"}
    ]
    assert payload["linkedInProfileUrl"] == "https://uk.linkedin.com/in/ada-lovelace"
    assert payload["middleInitial"] == "K"
    assert payload["atsLastModifiedAt"] == 1_741_219_200_000  # the person changed last
    assert candidate_problems(payload) == []


def test_the_last_name_prefix_is_part_of_the_last_name() -> None:
    candidate = mapped(
        ats_candidate(a_candidate(first_name="Ludwig", last_name_prefix="van", last_name="Beethoven"), ORG)
    )
    assert candidate.payload["lastName"] == "van Beethoven"


def test_a_candidate_without_contact_details_still_sends_the_required_empty_lists() -> None:
    candidate = mapped(ats_candidate(a_candidate(email=None, phone=" "), ORG))
    assert (candidate.payload["emailAddresses"], candidate.payload["phoneNumbers"]) == ([], [])
    assert candidate_problems(candidate.payload) == []


def test_a_candidate_without_a_first_or_last_name_is_refused_with_both_reasons() -> None:
    outcome = ats_candidate(a_candidate(first_name=" ", last_name=None), ORG)
    assert isinstance(outcome, Refused)
    assert outcome.record == "candidate CAND-000001"
    assert [p.field for p in outcome.problems] == ["firstName", "lastName"]
