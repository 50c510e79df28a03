"""Group rules: conditions, combining them, priorities, exclusive rules, defaults and de-duplication."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from hirehub.lifecycle.group_rules import Condition, GroupRule, desired_groups, validate_rule

SALES = {"Department": "Sales", "Country": "DE", "EmployeeType": "Employee", "Grade": "10"}


def rule(
    name: str,
    groups: tuple[str, ...],
    *conditions: Condition,
    combine: str = "all",
    priority: int = 100,
    exclusive: bool = False,
) -> GroupRule:
    return GroupRule(name, groups, conditions, combine=combine, priority=priority, exclusive=exclusive)


def matches(condition: Condition, attributes: Mapping[str, object] = SALES) -> bool:
    return condition.matches(attributes)


# --- operators ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("equals", "sales", True),
        ("equals", " Sales ", True),
        ("equals", "Sale", False),
        ("not_equals", "Finance", True),
        ("not_equals", "SALES", False),
        ("starts_with", "sa", True),
        ("starts_with", "les", False),
        ("ends_with", "LES", True),
        ("ends_with", "sa", False),
        ("contains", "ale", True),
        ("contains", "xyz", False),
    ],
)
def test_text_operators_ignore_case(operator: str, value: str, expected: bool) -> None:
    assert matches(Condition("Department", operator, value)) is expected


@pytest.mark.parametrize(("value", "expected"), [("AT, de, CH", True), ("AT,CH", False), ("DE", True), (" , ", False)])
def test_in_matches_any_item_of_a_comma_separated_list(value: str, expected: bool) -> None:
    assert matches(Condition("Country", "in", value)) is expected


def test_in_does_not_match_part_of_an_item() -> None:
    assert matches(Condition("Country", "in", "DEU, AUT")) is False


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("greater_than", "9", True),
        ("greater_than", "10", False),
        ("less_than", "11.5", True),
        ("less_than", "9", False),
    ],
)
def test_order_operators_compare_numbers_as_numbers(operator: str, value: str, expected: bool) -> None:
    assert matches(Condition("Grade", operator, value)) is expected


def test_order_operators_compare_integers_from_hr_as_numbers() -> None:
    assert matches(Condition("Level", "greater_than", "9"), {"Level": 10}) is True


def test_order_operators_fall_back_to_text_ignoring_case() -> None:
    assert matches(Condition("Department", "greater_than", "finance")) is True
    assert matches(Condition("Department", "less_than", "finance")) is False
    assert matches(Condition("Grade", "less_than", "abc")) is True  # "10" < "abc" as text


def test_is_present_and_is_absent() -> None:
    assert matches(Condition("Department", "is_present", "")) is True
    assert matches(Condition("Manager", "is_present", "")) is False
    assert matches(Condition("Manager", "is_absent", "")) is True
    assert matches(Condition("Department", "is_absent", "")) is False


@pytest.mark.parametrize("value", [None, "", "   "])
def test_null_empty_and_blank_attributes_are_absent(value: object) -> None:
    assert matches(Condition("Manager", "is_absent"), {"Manager": value}) is True


@pytest.mark.parametrize(
    "operator", ["equals", "starts_with", "ends_with", "contains", "in", "greater_than", "less_than"]
)
def test_an_absent_attribute_fails_every_comparison(operator: str) -> None:
    assert matches(Condition("Manager", operator, "x")) is False


def test_an_absent_attribute_is_not_equal_to_anything() -> None:
    assert matches(Condition("Manager", "not_equals", "x")) is True


def test_attribute_names_fall_back_to_ignoring_case() -> None:
    assert matches(Condition("department", "equals", "Sales")) is True


def test_booleans_from_hr_compare_as_true_and_false() -> None:
    assert matches(Condition("Remote", "equals", "TRUE"), {"Remote": True}) is True


def test_an_unknown_operator_raises_instead_of_matching_nobody() -> None:
    with pytest.raises(ValueError, match="matches_regex"):
        matches(Condition("Department", "matches_regex", "S.*"))


def test_operator_names_ignore_case_and_spaces() -> None:
    assert matches(Condition("Department", " Equals ", "sales")) is True


# --- combining conditions -------------------------------------------------------------------------------------------


def test_all_requires_every_condition() -> None:
    sales_de = rule(
        "Sales DE", ("sales-de",), Condition("Department", "equals", "Sales"), Condition("Country", "equals", "DE")
    )
    sales_fr = rule(
        "Sales FR", ("sales-fr",), Condition("Department", "equals", "Sales"), Condition("Country", "equals", "FR")
    )
    assert desired_groups([sales_de, sales_fr], [], SALES) == ("sales-de",)


def test_any_requires_one_condition() -> None:
    europe = rule(
        "Europe", ("eu",), Condition("Country", "equals", "FR"), Condition("Country", "equals", "DE"), combine="any"
    )
    assert desired_groups([europe], [], SALES) == ("eu",)
    assert desired_groups([europe], [], {"Country": "US"}) == ()


def test_all_without_conditions_matches_everyone_and_any_without_conditions_no_one() -> None:
    assert desired_groups([rule("all", ("g",))], [], SALES) == ("g",)
    assert desired_groups([rule("any", ("g",), combine="any")], [], SALES) == ()


def test_an_unknown_combine_raises() -> None:
    with pytest.raises(ValueError, match="either"):
        desired_groups([rule("r", ("g",), Condition("Country", "equals", "DE"), combine="either")], [], SALES)


# --- priorities, exclusivity, defaults ------------------------------------------------------------------------------


def test_default_groups_come_first_and_apply_to_everyone() -> None:
    sales = rule("Sales", ("sales",), Condition("Department", "equals", "Sales"))
    assert desired_groups([sales], ["all-staff", "wifi"], SALES) == ("all-staff", "wifi", "sales")
    assert desired_groups([sales], ["all-staff", "wifi"], {}) == ("all-staff", "wifi")


def test_groups_follow_priority_order() -> None:
    late = rule("late", ("late",), priority=200)
    early = rule("early", ("early",), priority=10)
    middle = rule("middle", ("middle",))
    assert desired_groups([late, early, middle], [], SALES) == ("early", "middle", "late")


def test_rules_of_equal_priority_keep_their_list_order() -> None:
    rules = [rule(name, (name,), priority=50) for name in ["c", "a", "b"]]
    assert desired_groups(rules, [], SALES) == ("c", "a", "b")


def test_a_matching_exclusive_rule_stops_lower_priority_rules() -> None:
    contractors = rule(
        "Contractors", ("contractors",), Condition("EmployeeType", "equals", "Contractor"), priority=10, exclusive=True
    )
    sales = rule("Sales", ("sales",), Condition("Department", "equals", "Sales"), priority=50)
    contractor = {**SALES, "EmployeeType": "Contractor"}
    assert desired_groups([sales, contractors], ["all"], contractor) == ("all", "contractors")


def test_an_exclusive_rule_that_does_not_match_stops_nothing() -> None:
    contractors = rule(
        "Contractors", ("contractors",), Condition("EmployeeType", "equals", "Contractor"), priority=10, exclusive=True
    )
    sales = rule("Sales", ("sales",), Condition("Department", "equals", "Sales"), priority=50)
    assert desired_groups([sales, contractors], [], SALES) == ("sales",)


def test_an_exclusive_rule_does_not_stop_higher_or_equal_priority_rules() -> None:
    first = rule("first", ("first",), priority=5)
    exclusive = rule("exclusive", ("exclusive",), priority=10, exclusive=True)
    same = rule("same", ("same",), priority=10)
    lower = rule("lower", ("lower",), priority=11)
    assert desired_groups([lower, same, exclusive, first], [], SALES) == ("first", "same", "exclusive")


def test_groups_are_listed_once_ignoring_case_first_spelling_kept() -> None:
    a = rule("a", ("Sales-All", "VPN"))
    b = rule("b", ("sales-all", "CRM", "vpn"))
    assert desired_groups([a, b], ["VPN", "Everyone", "everyone"], SALES) == ("VPN", "Everyone", "Sales-All", "CRM")


def test_blank_group_names_are_skipped() -> None:
    assert desired_groups([rule("a", ("", "  ", "g"))], [""], SALES) == ("g",)


# --- validation -----------------------------------------------------------------------------------------------------


def test_a_sound_rule_has_no_problems() -> None:
    sound = rule("Sales", ("sales",), Condition("Department", "equals", "Sales"), Condition("Manager", "is_present"))
    assert validate_rule(sound) == []


def test_validation_reports_an_unknown_operator() -> None:
    problems = validate_rule(rule("r", ("g",), Condition("Department", "like", "S%")))
    assert any("unknown operator 'like'" in problem for problem in problems)


def test_validation_reports_empty_groups() -> None:
    assert "the rule adds no groups" in validate_rule(rule("r", (), Condition("Department", "equals", "Sales")))


def test_validation_reports_a_blank_group() -> None:
    assert "a group name is blank" in validate_rule(rule("r", ("g", " "), Condition("Department", "equals", "x")))


def test_validation_reports_a_bad_combine() -> None:
    problems = validate_rule(rule("r", ("g",), Condition("Department", "equals", "Sales"), combine="xor"))
    assert any("combine" in problem for problem in problems)


def test_validation_reports_a_missing_name_attribute_conditions_and_values() -> None:
    problems = validate_rule(GroupRule(" ", ("g",), (Condition("", "equals", "x"), Condition("Country", "in", " , "))))
    assert "the rule has no name" in problems
    assert "condition 1 names no attribute" in problems
    assert "condition 2 (in) needs a value to compare with" in problems


def test_validation_reports_a_rule_without_conditions() -> None:
    assert any("no conditions" in problem for problem in validate_rule(rule("r", ("g",))))
