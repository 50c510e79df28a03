"""What the hub accepts from the plugin and the names it gives LinkedIn."""

from __future__ import annotations

import pytest

from hirehub.linkedin import catalog
from hirehub.linkedin.batches import chunks, classify
from hirehub.linkedin.errors import LinkedInError


def test_a_customer_app_name_is_ats_dash_customer_within_50_characters_without_linkedin() -> None:
    assert catalog.customer_app_name("hirehub", "Contoso") == "hirehub - Contoso"
    long_name = catalog.customer_app_name("hirehub", "The LinkedIn Fans of Contoso Worldwide Holdings International")
    assert len(long_name) <= 50 and long_name.startswith("hirehub - ")
    assert "linkedin" not in long_name.lower()


def test_the_plugin_must_support_both_rsc_bundles_and_only_known_ones() -> None:
    assert catalog.bundled_types(
        ["recruiter_system_connect_company", "RECRUITER_SYSTEM_CONNECT_CONTRACT", "APPLY_WITH_LINKEDIN"]
    ) == [
        "RECRUITER_SYSTEM_CONNECT_COMPANY",
        "RECRUITER_SYSTEM_CONNECT_CONTRACT",
        "APPLY_WITH_LINKEDIN",
    ]
    with pytest.raises(LinkedInError, match="RECRUITER_SYSTEM_CONNECT_CONTRACT"):
        catalog.bundled_types(["RECRUITER_SYSTEM_CONNECT_COMPANY"])
    with pytest.raises(LinkedInError, match="not a bundled integration type"):
        catalog.bundled_types([*catalog.RSC_BUNDLED_TYPES, "EVERYTHING"])


def test_plugin_integrations_are_checked_whole_before_any_is_kept() -> None:
    good = {"integrationContext": "urn:li:organization:4gX03uw", "integrationType": "ONE_CLICK_EXPORT",
            "tenantType": "RECRUITER"}  # fmt: skip
    assert catalog.plugin_integrations([good])[0].key.as_restli() == {
        "integrationContext": "urn:li:organization:4gX03uw",
        "integrationType": "ONE_CLICK_EXPORT",
        "tenantType": "RECRUITER",
        "dataProvider": "ATS",
    }
    with pytest.raises(LinkedInError, match="integration 2: integrationContext"):
        catalog.plugin_integrations([good, {**good, "integrationContext": "urn:li:person:1"}])
    with pytest.raises(LinkedInError, match="integrationType"):
        catalog.plugin_integrations([{**good, "integrationType": "DROP TABLE"}])
    with pytest.raises(LinkedInError, match="no integrations"):
        catalog.plugin_integrations([])


def test_the_development_contract_warning_applies_above_ten_integrations_on_development_only() -> None:
    assert catalog.development_contract_warning("development", 10) is None
    warning = catalog.development_contract_warning("development", 11)
    assert warning is not None and "10-15" in warning
    assert catalog.development_contract_warning("production", 500) is None


def test_250_integrations_make_three_batches_of_at_most_100() -> None:
    assert [len(batch) for batch in chunks(list(range(250)))] == [100, 100, 50]
    with pytest.raises(ValueError):
        list(chunks([1], size=101))


def test_each_entity_is_accepted_retried_or_refused_by_its_own_status() -> None:
    outcome = classify(
        ["ok", "busy", "bad", "silent", "odd"],
        {"ok": {"status": 204}, "odd": {"status": 500}},
        {"busy": {"status": 503, "message": "try later"}, "bad": {"status": 400, "message": "invalid"}},
    )
    assert outcome.accepted == ["ok"]
    assert set(outcome.retry) == {"busy", "silent", "odd"}
    assert outcome.refused == {"bad": "400: invalid"}
