"""Lifecycle policies: the JSON the console stores, read back with every problem reported at once."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from hirehub.lifecycle.expressions import compile_expression
from hirehub.lifecycle.group_rules import Condition, GroupRule
from hirehub.lifecycle.naming import NamingRule
from hirehub.lifecycle.policy import (
    JoinerOptions,
    LeaverOptions,
    LifecyclePolicy,
    PolicyError,
    policy_from_json,
    policy_to_json,
    starter_policy,
)

FULL = 'Concat(Lower([FirstName]), ".", Lower([LastName]))'


def full_json() -> dict[str, Any]:
    return {
        "attributes": {
            "displayName": 'Join(" ", [FirstName], [LastName])',
            "department": "[Department]",
            "officeLocation": 'Lookup("offices", [Company], "Head office")',
        },
        "naming": {
            "userPrincipalName": {"patterns": [FULL], "domain": "contoso.com", "numbered_start": 2, "numbered_max": 50},
            "mail": {"patterns": [FULL], "domain": "contoso.com"},
            "mailNickname": {"patterns": [FULL]},
        },
        "groups": {
            "default": ["All staff"],
            "rules": [
                {
                    "name": "Sales",
                    "groups": ["Sales team"],
                    "conditions": [{"attribute": "Department", "operator": "equals", "value": "Sales"}],
                    "priority": 10,
                }
            ],
        },
        "lookups": {"offices": {"DE01": "Berlin"}},
        "joiner": {"provision_days_before_start": 7, "disable_until_start": False},
        "leave_of_absence": {"disable": True},
        "leaver": {"convert_mailbox_to_shared": True, "reset_password": False},
        "reuse_departed_names": True,
        "supervised": True,
        "sync_manager": False,
    }


def problems_of(data: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(PolicyError) as raised:
        policy_from_json(data)
    return raised.value.problems


def test_a_complete_policy_reads_into_its_parts() -> None:
    policy = policy_from_json(full_json())
    assert policy.user_principal_name is not None
    assert policy.user_principal_name.domain == "contoso.com"
    assert policy.user_principal_name.numbered_max == 50
    assert policy.mail_nickname is not None and policy.mail_nickname.domain is None
    assert policy.attribute_mappings["department"] == compile_expression("[Department]")
    assert policy.group_rules[0].priority == 10
    assert policy.default_groups == ("All staff",)
    assert policy.joiner == JoinerOptions(provision_days_before_start=7, disable_until_start=False)
    assert policy.leave_of_absence.disable is True
    assert policy.leaver == LeaverOptions(reset_password=False, convert_mailbox_to_shared=True)
    assert (policy.reuse_departed_names, policy.supervised, policy.sync_manager) == (True, True, False)
    assert policy.lookups["offices"]["DE01"] == "Berlin"


def test_writing_and_reading_a_policy_gives_the_same_policy() -> None:
    policy = policy_from_json(full_json())
    assert policy_from_json(policy_to_json(policy)) == policy


def test_the_stored_form_spells_out_every_default() -> None:
    stored = policy_to_json(policy_from_json({"naming": {"userPrincipalName": {"patterns": [FULL], "domain": "c.io"}}}))
    assert stored["joiner"] == {"provision_days_before_start": 14, "disable_until_start": True}
    assert stored["leaver"] == {
        "disable": True,
        "reset_password": True,
        "revoke_sessions": True,
        "remove_groups": True,
        "convert_mailbox_to_shared": False,
    }
    assert stored["sync_manager"] is True
    assert stored["naming"]["userPrincipalName"]["numbered_start"] == 2


def test_the_starter_policy_round_trips_too() -> None:
    policy = starter_policy("contoso.com")
    assert policy_from_json(policy_to_json(policy)) == policy


def test_every_problem_is_reported_in_one_error() -> None:
    data = full_json()
    data["attributes"]["jobTitle"] = "Lower([JobTitle]"
    data["attributes"]["employeeId"] = "[PersonnelNumber]"
    data["naming"]["mail"]["patterns"] = ["Concat("]
    data["joiner"]["provision_days_before_start"] = "7"
    data["leaver"]["disable"] = "yes"
    data["groups"]["rules"][0]["conditions"][0]["operator"] = "resembles"
    problems = problems_of(data)
    assert len(problems) == 6
    assert any(p.startswith("attributes.jobTitle:") and "closing ')'" in p for p in problems)
    assert any(p.startswith("attributes.employeeId:") and "anchor" in p for p in problems)
    assert any(p.startswith("naming.mail.patterns[1]:") for p in problems)
    assert any(p.startswith("joiner.provision_days_before_start:") for p in problems)
    assert any(p.startswith("leaver.disable:") for p in problems)
    assert any(p.startswith("groups.rules[1] 'Sales':") and "resembles" in p for p in problems)


def test_the_error_message_lists_the_problems() -> None:
    with pytest.raises(PolicyError, match=r"invalid:\n- naming.userPrincipalName: accounts need"):
        policy_from_json({})


def test_a_misspelt_setting_is_a_problem_rather_than_silently_ignored() -> None:
    data = full_json()
    data["joiner"]["disable_until_strat"] = True
    data["superviced"] = True
    problems = problems_of(data)
    assert any(p.startswith("joiner.disable_until_strat: unknown setting") for p in problems)
    assert any(p.startswith("superviced: unknown setting") for p in problems)


def test_a_lookup_of_a_table_the_policy_does_not_have_is_a_problem() -> None:
    data = full_json()
    del data["lookups"]
    assert problems_of(data) == (
        "attributes.officeLocation: there is no lookup table named 'offices' (at character 8)",
    )


def test_a_broken_naming_rule_is_not_also_reported_as_missing() -> None:
    data = full_json()
    data["naming"]["userPrincipalName"]["patterns"] = ["[FirstName"]
    problems = problems_of(data)
    assert len(problems) == 1
    assert problems[0].startswith("naming.userPrincipalName.patterns[1]:")


def test_a_userprincipalname_may_come_from_a_mapping_instead_of_a_naming_rule() -> None:
    data = full_json()
    del data["naming"]["userPrincipalName"]
    data["attributes"]["userPrincipalName"] = 'Concat([PersonnelNumber], "@contoso.com")'
    policy = policy_from_json(data)
    assert policy.user_principal_name is None
    assert policy.mapped_names == ("userPrincipalName",)


def test_a_name_with_both_a_naming_rule_and_a_mapping_is_a_problem() -> None:
    data = full_json()
    data["attributes"]["mail"] = '"x@contoso.com"'
    assert problems_of(data) == ("naming.mail: there is also a mapping for mail; keep one (the mapping would win)",)


def test_domains_belong_to_upn_and_mail_but_not_to_the_nickname() -> None:
    data = full_json()
    del data["naming"]["mail"]["domain"]
    data["naming"]["mailNickname"]["domain"] = "contoso.com"
    problems = problems_of(data)
    assert "naming.mail: needs a domain, e.g. contoso.com" in problems
    assert "naming.mailNickname: a mailNickname has no domain; remove 'contoso.com'" in problems


def test_a_naming_rule_without_patterns_is_a_problem() -> None:
    data = full_json()
    data["naming"]["mail"]["patterns"] = []
    assert problems_of(data) == ("naming.mail.patterns: needs at least one pattern",)


def test_an_invalid_domain_is_a_problem() -> None:
    data = full_json()
    data["naming"]["mail"]["domain"] = "@contoso.com"
    assert len(problems_of(data)) == 1


def test_lifecycle_attributes_cannot_be_mapped() -> None:
    data = full_json()
    data["attributes"] = {"accountEnabled": "true", "Manager": "[Manager]", "bad name": '"x"'}
    problems = problems_of(data)
    assert len(problems) == 3
    assert any("accountEnabled follows the worker's lifecycle" in p for p in problems)


def test_two_mappings_for_one_attribute_in_different_case_are_a_problem() -> None:
    data = full_json()
    data["attributes"]["Department"] = "[Department]"
    assert problems_of(data) == ("attributes.Department: the same attribute as 'department' (names ignore case)",)


def test_the_provisioning_window_is_bounded() -> None:
    data = full_json()
    data["joiner"]["provision_days_before_start"] = 400
    assert len(problems_of(data)) == 1
    data["joiner"]["provision_days_before_start"] = -1
    assert len(problems_of(data)) == 1


def test_sections_of_the_wrong_shape_are_problems() -> None:
    problems = problems_of({"naming": [], "groups": "all", "lookups": 3, "attributes": ["x"]})
    assert any(p.startswith("naming: must be an object") for p in problems)
    assert any(p.startswith("groups: must be an object") for p in problems)
    assert any(p.startswith("lookups:") for p in problems)
    assert any(p.startswith("attributes:") for p in problems)


def test_a_policy_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(PolicyError):
        policy_from_json([])  # type: ignore[arg-type]


def test_group_rules_with_duplicate_names_are_a_problem() -> None:
    data = full_json()
    data["groups"]["rules"].append(dict(data["groups"]["rules"][0]))
    assert problems_of(data) == ("groups.rules[2] 'Sales': another rule has the same name",)


def test_a_numeric_condition_value_is_read_as_text() -> None:
    data = full_json()
    data["groups"]["rules"][0]["conditions"][0] = {"attribute": "Grade", "operator": "greater_than", "value": 10}
    policy = policy_from_json(data)
    assert policy.group_rules[0].conditions[0].value == "10"


def test_constructing_a_policy_in_python_checks_it_as_well() -> None:
    rule = NamingRule.from_sources([FULL], domain=None)
    with pytest.raises(PolicyError, match="needs a domain"):
        LifecyclePolicy(user_principal_name=rule)


def test_a_policy_is_immutable_and_hashable() -> None:
    policy = starter_policy("contoso.com", group_rules=(GroupRule("S", ("S",), (Condition("A", "equals", "b"),)),))
    with pytest.raises(AttributeError):
        policy.supervised = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.attribute_mappings["x"] = compile_expression('"y"')  # type: ignore[index]
    assert hash(policy) == hash(starter_policy("contoso.com", group_rules=policy.group_rules))


def test_managed_groups_are_the_default_and_rule_groups_ignoring_case() -> None:
    policy = policy_from_json(full_json())
    assert policy.managed_groups == {"all staff", "sales team"}


def test_a_policys_memoized_mappings_evaluate_its_mappings_with_its_lookup_tables() -> None:
    policy = policy_from_json(full_json())
    assert set(policy.memoized_mappings) == set(policy.attribute_mappings)
    office = policy.memoized_mappings["officeLocation"]
    assert office.expression == policy.attribute_mappings["officeLocation"]
    assert office.evaluate({"Company": "DE01"}) == "Berlin"


def test_a_changed_policy_does_not_inherit_the_memo_of_the_one_it_was_made_from() -> None:
    policy = policy_from_json(full_json())
    assert policy.memoized_mappings["officeLocation"].evaluate({"Company": "DE01"}) == "Berlin"
    moved = replace(policy, lookups={"offices": {"DE01": "Hamburg"}})
    assert moved.memoized_mappings["officeLocation"].evaluate({"Company": "DE01"}) == "Hamburg"
