"""The attribute-mapping expression language: every function, null handling, errors with positions, limits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType

import pytest

from hirehub.lifecycle.expressions import (
    FUNCTIONS,
    MAX_NESTING,
    MAX_SOURCE_LENGTH,
    MAX_VALUE_LENGTH,
    Expression,
    ExpressionError,
    Lookups,
    MemoizedExpression,
    Value,
    compile_expression,
    find_attribute,
    strip_diacritics,
)

OFFICES: Lookups = {"offices": {"IT": "Berlin", "FIN": "Paris"}}


def evaluate(source: str, attributes: dict[str, object] | None = None, lookups: Lookups = OFFICES) -> Value:
    return compile_expression(source).evaluate(attributes or {}, lookups)


def error_of(source: str, known_lookups: set[str] | None = None) -> ExpressionError:
    with pytest.raises(ExpressionError) as raised:
        compile_expression(source, known_lookups)
    return raised.value


def evaluation_error_of(source: str, attributes: dict[str, object] | None = None) -> ExpressionError:
    expression = compile_expression(source)
    with pytest.raises(ExpressionError) as raised:
        expression.evaluate(attributes or {}, OFFICES)
    return raised.value


# --- values and references --------------------------------------------------------------------------------------


def test_an_attribute_reference_reads_the_attribute() -> None:
    assert evaluate("[FirstName]", {"FirstName": "Ada"}) == "Ada"


def test_a_dotted_attribute_name_is_a_plain_key() -> None:
    assert evaluate("[Department.Name]", {"Department.Name": "Finance"}) == "Finance"


def test_a_missing_attribute_is_null() -> None:
    assert evaluate("[MiddleName]", {"FirstName": "Ada"}) is None


def test_an_attribute_name_falls_back_to_a_case_insensitive_match() -> None:
    assert evaluate("[firstname]", {"FirstName": "Ada"}) == "Ada"


def test_an_exact_attribute_name_wins_over_a_case_insensitive_one() -> None:
    assert evaluate("[firstname]", {"FirstName": "Ada", "firstname": "Grace"}) == "Grace"


def test_of_two_names_equal_ignoring_case_the_first_is_read() -> None:
    assert evaluate("[FIRSTNAME]", {"FirstName": "Ada", "firstName": "Grace"}) == "Ada"
    assert evaluate("[FIRSTNAME]", {"firstName": "Grace", "FirstName": "Ada"}) == "Grace"


def test_a_case_insensitive_match_reads_each_mapping_of_the_same_names_for_its_own_value() -> None:
    # the keys' case-folded index is shared by every mapping with the same names; the value is never shared
    names = ["FirstName", "LastName", "Department"]
    for n in range(3):
        attributes = {name: f"{name} {n}" for name in names}
        assert find_attribute(attributes, "department") == f"Department {n}"
        assert find_attribute(MappingProxyType(attributes), "LASTNAME") == f"LastName {n}"
    assert find_attribute({"FirstName": "Ada", 7: "seven"}, "firstname") == "Ada"  # a key that is not text
    assert find_attribute({"FirstName": "Ada"}, "surname") is None


def test_spaces_inside_brackets_are_not_part_of_the_name() -> None:
    assert evaluate("[ FirstName ]", {"FirstName": "Ada"}) == "Ada"


def test_string_literals_support_escaped_quotes_and_backslashes() -> None:
    assert evaluate(r'"say \"hi\" \\ bye"') == 'say "hi" \\ bye'


@pytest.mark.parametrize(
    ("source", "expected"),
    [("42", 42), ("-7", -7), ("true", True), ("FALSE", False), ("null", None), ("Null", None)],
)
def test_integer_and_constant_literals(source: str, expected: Value) -> None:
    assert evaluate(source) == expected


def test_dates_and_numbers_from_hr_are_read_as_text() -> None:
    attributes: dict[str, object] = {"Start": date(2024, 3, 1), "At": datetime(2024, 3, 1, 8, 30), "Fte": 0.5}
    assert evaluate('Concat([Start], " ", [At], " ", [Fte])', attributes) == "2024-03-01 2024-03-01T08:30:00 0.5"


def test_an_attribute_of_an_unreadable_type_is_an_error_at_its_position() -> None:
    error = evaluation_error_of("Lower([Tags])", {"Tags": ["a", "b"]})
    assert "[Tags]" in str(error)
    assert error.position == 6


def test_references_lists_every_attribute_used() -> None:
    expression = compile_expression('IIF(IsPresent([Nick]), [Nick], Concat([First], " ", [Last], [First]))')
    assert expression.references() == frozenset({"Nick", "First", "Last"})


def test_references_of_an_expression_without_attributes_is_empty() -> None:
    assert compile_expression('Lower("X")').references() == frozenset()


def test_lookup_tables_lists_the_tables_consulted() -> None:
    assert compile_expression('Lookup("offices", [Dept], "HQ")').lookup_tables() == frozenset({"offices"})


def test_expressions_with_the_same_source_are_equal() -> None:
    assert compile_expression("Lower([A])") == Expression("Lower([A])")
    assert hash(compile_expression("Lower([A])")) == hash(Expression("Lower([A])"))


def test_whitespace_and_newlines_between_tokens_are_ignored() -> None:
    assert evaluate('  Concat(\n  [A] ,\t"-" , [B]\n)  ', {"A": "x", "B": "y"}) == "x-y"


def test_function_names_are_case_insensitive() -> None:
    assert evaluate('lower("ABC")') == "abc"
    assert evaluate('CONCAT("a", "b")') == "ab"


def test_entra_function_names_are_accepted_as_aliases() -> None:
    assert evaluate('ToLower("ABC")') == "abc"
    assert evaluate('ToUpper("abc")') == "ABC"
    assert evaluate('NormalizeDiacritics("José")') == "Jose"
    assert evaluate('StripSpaces("a b")') == "ab"


def test_functions_lists_the_canonical_names() -> None:
    assert {"Concat", "IIF", "Switch", "Lookup", "FormatDate", "StripDiacritics"} <= FUNCTIONS
    assert "ToLower" not in FUNCTIONS


# --- text functions ---------------------------------------------------------------------------------------------


def test_concat_joins_its_arguments_and_reads_null_as_empty() -> None:
    assert evaluate('Concat([First], ".", [Middle], [Last])', {"First": "ada", "Last": "lovelace"}) == "ada.lovelace"


def test_concat_renders_numbers_and_booleans_as_text() -> None:
    assert evaluate("Concat(1, true, false)") == "1truefalse"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('Lower("ÀDA")', "àda"),
        ('Upper("straße")', "STRASSE"),
        ('Trim("  Ada \t")', "Ada"),
        ('RemoveSpaces(" Mary Ann\tvan Dyke ")', "MaryAnnvanDyke"),
    ],
)
def test_case_and_whitespace_functions(source: str, expected: str) -> None:
    assert evaluate(source) == expected


@pytest.mark.parametrize("function", ["Lower", "Upper", "Trim", "StripDiacritics", "RemoveSpaces"])
def test_text_functions_turn_null_into_empty_text(function: str) -> None:
    assert evaluate(f"{function}([Missing])") == ""


def test_strip_diacritics_removes_accents() -> None:
    assert evaluate('StripDiacritics("José Núñez Çelik Dvořák")') == "Jose Nunez Celik Dvorak"


def test_strip_diacritics_turns_eszett_into_ss() -> None:
    assert strip_diacritics("Strauß") == "Strauss"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Søren", "Soren"), ("Ærø", "Aero"), ("Łukasz Wałęsa", "Lukasz Walesa"), ("Bjørn Æbelø", "Bjorn Aebelo")],
)
def test_strip_diacritics_transliterates_letters_that_do_not_decompose(name: str, expected: str) -> None:
    assert strip_diacritics(name) == expected


def test_strip_diacritics_folds_compatibility_characters() -> None:
    assert strip_diacritics("ﬁnn Ｊｏ") == "finn Jo"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('Left("Lovelace", 4)', "Love"),
        ('Left("Ada", 10)', "Ada"),
        ('Left("Ada", 0)', ""),
        ('Right("Lovelace", 4)', "lace"),
        ('Right("Ada", 0)', ""),
        ('Right("Ada", 10)', "Ada"),
        ("Left([Missing], 2)", ""),
        ('Left("Lovelace", "3")', "Lov"),
    ],
)
def test_left_and_right_take_characters_from_either_end(source: str, expected: str) -> None:
    assert evaluate(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('Mid("Lovelace", 1, 4)', "Love"),
        ('Mid("Lovelace", 5, 4)', "lace"),
        ('Mid("Lovelace", 5, 100)', "lace"),
        ('Mid("Ada", 10, 2)', ""),
        ('Mid("Ada", 2, 0)', ""),
    ],
)
def test_mid_counts_from_one_like_entra(source: str, expected: str) -> None:
    assert evaluate(source) == expected


@pytest.mark.parametrize(
    "source",
    ['Left("Ada", -1)', 'Right("Ada", -1)', 'Mid("Ada", 1, -1)', 'Mid("Ada", 0, 2)', 'Left("Ada", "two")'],
)
def test_negative_lengths_and_bad_positions_are_evaluation_errors(source: str) -> None:
    error = evaluation_error_of(source)
    assert error.position == 0
    assert source.split("(")[0] in str(error)


def test_a_missing_length_is_an_evaluation_error() -> None:
    assert "null" in str(evaluation_error_of("Left([Name], [Count])", {"Name": "Ada"}))


def test_replace_replaces_every_occurrence() -> None:
    assert evaluate('Replace("van der Berg", " ", "-")') == "van-der-Berg"


def test_replace_with_empty_old_text_changes_nothing() -> None:
    assert evaluate('Replace("Ada", "", "x")') == "Ada"


def test_replace_treats_null_as_empty() -> None:
    assert evaluate('Replace([Missing], "a", "b")') == ""
    assert evaluate('Replace("a-b", "-", [Missing])') == "ab"


def test_join_skips_empty_values() -> None:
    assert evaluate('Join(" ", [First], [Middle], "", [Last])', {"First": "Ada", "Last": "Lovelace"}) == "Ada Lovelace"


def test_join_of_nothing_present_is_empty() -> None:
    assert evaluate('Join(",", [A], [B])') == ""


# --- presence, conditions and choices -----------------------------------------------------------------------------


def test_coalesce_returns_the_first_non_empty_value() -> None:
    attributes: dict[str, object] = {"Preferred": "", "First": "Augusta"}
    assert evaluate('Coalesce([Nick], [Preferred], [First], "x")', attributes) == "Augusta"


def test_coalesce_of_only_empty_values_is_null() -> None:
    assert evaluate('Coalesce([A], "", null)') is None


def test_coalesce_keeps_the_type_of_the_value_it_returns() -> None:
    assert evaluate("Coalesce(null, 0)") == 0


def test_coalesce_does_not_evaluate_past_the_first_present_value() -> None:
    assert evaluate('Coalesce("x", Left("y", -1))') == "x"


@pytest.mark.parametrize(("value", "expected"), [("Ada", True), ("", False), (None, False), ("  ", True), (0, True)])
def test_is_present_is_false_only_for_null_and_empty(value: object, expected: bool) -> None:
    assert evaluate("IsPresent([X])", {"X": value}) is expected


def test_is_present_of_a_missing_attribute_is_false() -> None:
    assert evaluate("IsPresent([Nope])") is False


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("true", "yes"),
        ("false", "no"),
        ("null", "no"),
        ("0", "no"),
        ("1", "yes"),
        ('"False"', "no"),
        ('"0"', "no"),
        ('""', "no"),
        ('"anything"', "yes"),
    ],
)
def test_iif_chooses_by_the_truth_of_its_condition(condition: str, expected: str) -> None:
    assert evaluate(f'IIF({condition}, "yes", "no")') == expected


def test_iif_evaluates_only_the_chosen_branch() -> None:
    assert evaluate("IIF(IsPresent([Nick]), [Nick], Left([First], -1))", {"Nick": "Ada"}) == "Ada"


def test_not_negates_a_condition() -> None:
    assert evaluate("Not(IsPresent([X]))") is True
    assert evaluate("Not(true)") is False


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('Equals("Sales", "SALES")', True),
        ('Equals("Sales", "Sale")', False),
        ("Equals([Code], 1)", True),
        ("Equals(null, null)", True),
        ('Equals([Missing], "x")', False),
    ],
)
def test_equals_compares_text_ignoring_case(source: str, expected: bool) -> None:
    assert evaluate(source, {"Code": "1"}) is expected


def test_switch_returns_the_value_for_the_matching_key() -> None:
    source = 'Switch([Country], "Unknown", "DE", "Germany", "FR", "France")'
    assert evaluate(source, {"Country": "FR"}) == "France"


def test_switch_keys_ignore_case() -> None:
    assert evaluate('Switch([Country], "Unknown", "DE", "Germany")', {"Country": "de"}) == "Germany"


def test_switch_returns_the_default_when_no_key_matches() -> None:
    assert evaluate('Switch([Country], "Unknown", "DE", "Germany")', {"Country": "IT"}) == "Unknown"


def test_switch_on_null_returns_the_default() -> None:
    assert evaluate('Switch([Country], "Unknown", "DE", "Germany")') == "Unknown"


def test_lookup_finds_the_value_for_a_key() -> None:
    assert evaluate('Lookup("offices", [Dept], "HQ")', {"Dept": "FIN"}) == "Paris"


def test_lookup_keys_fall_back_to_ignoring_case() -> None:
    assert evaluate('Lookup("offices", [Dept], "HQ")', {"Dept": "fin"}) == "Paris"


def test_lookup_returns_the_default_for_an_unknown_or_missing_key() -> None:
    assert evaluate('Lookup("offices", [Dept], "HQ")', {"Dept": "OPS"}) == "HQ"
    assert evaluate('Lookup("offices", [Dept], "HQ")') == "HQ"


def test_lookup_of_a_table_not_passed_to_evaluate_is_an_evaluation_error() -> None:
    expression = compile_expression('Lookup("buildings", [Dept], "HQ")')
    with pytest.raises(ExpressionError, match="buildings"):
        expression.evaluate({"Dept": "IT"}, OFFICES)


def test_lookup_of_a_table_the_tenant_does_not_have_fails_to_compile() -> None:
    error = error_of('Lower(Lookup("buildings", [Dept], "HQ"))', known_lookups={"offices"})
    assert "buildings" in str(error)
    assert error.position == 13


def test_lookup_of_a_known_table_compiles() -> None:
    assert compile_expression('Lookup("offices", [Dept], "HQ")', known_lookups={"offices"}).source


def test_lookup_table_must_be_named_by_a_string() -> None:
    assert error_of('Lookup([Table], [Dept], "HQ")').position == 7


# --- dates ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("2024-03-05", "yyyy-MM-dd", "2024-03-05"),
        ("2024-03-05", "dd.MM.yyyy", "05.03.2024"),
        ("2024-03-05T07:08:09", "yyyyMMddHHmmss", "20240305070809"),
        ("2024-03-05T07:08:09Z", "yyyy-MM-ddTHH:mm:ssZ", "2024-03-05T07:08:09Z"),
        ("2024-03-05T23:30:00+02:00", "dd/MM HH:mm", "05/03 23:30"),
    ],
)
def test_format_date_formats_iso_dates(value: str, pattern: str, expected: str) -> None:
    assert evaluate(f'FormatDate([D], "{pattern}")', {"D": value}) == expected


def test_format_date_of_null_is_empty() -> None:
    assert evaluate('FormatDate([Missing], "yyyy")') == ""


def test_format_date_of_text_that_is_not_a_date_is_an_evaluation_error() -> None:
    assert "soon" in str(evaluation_error_of('FormatDate([D], "yyyy")', {"D": "soon"}))


@pytest.mark.parametrize("pattern", ["yy", "dddd", "MMM", "hh", "yyyy-M-d"])
def test_format_date_rejects_patterns_it_does_not_support_when_compiling(pattern: str) -> None:
    error = error_of(f'FormatDate([D], "{pattern}")')
    assert error.position == 16


def test_format_date_checks_a_computed_pattern_when_evaluating() -> None:
    assert "yy" in str(evaluation_error_of("FormatDate([D], [Pattern])", {"D": "2024-01-01", "Pattern": "yy"}))


def test_format_date_formats_each_computed_pattern_its_own_way_however_often_it_is_used() -> None:
    expression = compile_expression("FormatDate([D], [Pattern])")
    for _ in range(2):  # parsed patterns are remembered: a second round must not mix them up
        assert expression.evaluate({"D": "2024-03-05", "Pattern": "dd.MM.yyyy"}) == "05.03.2024"
        assert expression.evaluate({"D": "2024-03-05", "Pattern": "yyyy/MM/dd"}) == "2024/03/05"
        with pytest.raises(ExpressionError, match="yy"):
            expression.evaluate({"D": "2024-03-05", "Pattern": "yy"})


# --- syntax errors --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "position", "fragment"),
    [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("Lower(", 6, "ends"),
        ('Lower("a"', 9, "closing ')'"),
        ('Lower("a" "b")', 10, "expected ',' or ')'"),
        ('"abc', 0, "closing quote"),
        ("Concat([First, 1)", 7, "closing ']'"),
        ("[]", 0, "empty"),
        ('"a\\n"', 2, "backslash"),
        ("FirstName", 0, "[FirstName]"),
        ('Lower("a"))', 10, "unexpected ')'"),
        ('Concat("a",)', 11, "unexpected ')'"),
        ("Lower(-)", 6, "digits"),
        ("Lower(@)", 6, "unexpected '@'"),
    ],
)
def test_syntax_errors_say_what_and_where(source: str, position: int, fragment: str) -> None:
    error = error_of(source)
    assert error.position == position
    assert fragment in str(error)
    assert f"character {position + 1}" in str(error)


def test_an_unknown_function_is_a_compile_error() -> None:
    error = error_of('Concat("a", Shout("b"))')
    assert "Shout" in str(error)
    assert error.position == 12


def test_an_unknown_function_suggests_a_close_name() -> None:
    assert "did you mean Lower" in str(error_of('Lowr("A")'))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('Lower("a", "b")', "Lower takes 1 argument, got 2"),
        ("Lower()", "Lower takes 1 argument, got 0"),
        ('Left("a")', "Left takes 2 arguments, got 1"),
        ('Mid("a", 1)', "Mid takes 3 arguments, got 2"),
        ("Concat()", "Concat takes at least 1 argument, got 0"),
        ('Join(",")', "Join takes at least 2 arguments, got 1"),
        ('IIF(true, "a")', "IIF takes 3 arguments, got 2"),
        ('Switch([X], "d", "k")', "Switch takes at least 4 arguments, got 3"),
        ('Switch([X], "d", "k", "v", "k2")', "even number"),
        ('Lookup("offices", [X])', "Lookup takes 3 arguments, got 2"),
        ('FormatDate("2024-01-01")', "FormatDate takes 2 arguments, got 1"),
        ("Equals(1)", "Equals takes 2 arguments, got 1"),
        ("IsPresent()", "IsPresent takes 1 argument, got 0"),
        ("Not(1, 2)", "Not takes 1 argument, got 2"),
        ("Coalesce()", "Coalesce takes at least 1 argument, got 0"),
        ('Replace("a", "b")', "Replace takes 3 arguments, got 2"),
    ],
)
def test_a_wrong_number_of_arguments_is_a_compile_error(source: str, expected: str) -> None:
    error = error_of(f"Trim({source})")
    assert expected in str(error)
    assert error.position == 5


# --- limits ---------------------------------------------------------------------------------------------------------


def test_a_source_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(ExpressionError, match="longer than"):
        compile_expression('"' + "a" * MAX_SOURCE_LENGTH + '"')


def test_a_source_at_the_limit_compiles() -> None:
    assert evaluate('"' + "a" * (MAX_SOURCE_LENGTH - 2) + '"') == "a" * (MAX_SOURCE_LENGTH - 2)


def test_nesting_up_to_the_limit_compiles() -> None:
    assert evaluate("Lower(" * MAX_NESTING + '"A"' + ")" * MAX_NESTING) == "a"


def test_nesting_beyond_the_limit_is_refused_where_it_happens() -> None:
    error = error_of("Lower(" * (MAX_NESTING + 1) + '"A"' + ")" * (MAX_NESTING + 1))
    assert "nested" in str(error)
    assert error.position == len("Lower(") * MAX_NESTING


def test_replacing_cannot_grow_a_value_past_the_limit() -> None:
    source = "Replace(" * 6 + '"aa"' + ', "a", "aaaaaaaaaa")' * 6
    error = evaluation_error_of(source)
    assert f"{MAX_VALUE_LENGTH:,}" in str(error)


def test_concatenating_cannot_build_a_value_past_the_limit() -> None:
    big = "x" * (MAX_VALUE_LENGTH // 2 + 1)
    assert "longer than" in str(evaluation_error_of("Concat([A], [A])", {"A": big}))


def test_a_number_too_large_to_print_is_an_evaluation_error() -> None:
    assert "too large" in str(evaluation_error_of("Concat([N])", {"N": 10**5000}))
    assert "very large number" in str(evaluation_error_of('Left("a", [N])', {"N": -(10**5000)}))


def test_error_messages_shorten_long_values() -> None:
    assert len(str(evaluation_error_of('FormatDate([D], "yyyy")', {"D": "x" * 5000}))) < 200


# --- memoized expressions -------------------------------------------------------------------------------------------


PLUS_ONE = timezone(timedelta(hours=1))


def memoized(source: str, lookups: Lookups = OFFICES, size: int = 100) -> MemoizedExpression:
    return MemoizedExpression(compile_expression(source), lookups, size)


def test_a_memoized_expression_computes_a_value_once_for_workers_who_share_what_it_reads() -> None:
    office = memoized('Lookup("offices", [Department], "Head office")')
    assert office.evaluate({"Department": "IT", "FirstName": "Ada"}) == "Berlin"
    assert office.evaluate({"Department": "IT", "FirstName": "Grace"}) == "Berlin"
    assert office.evaluate({"Department": "FIN", "FirstName": "Ada"}) == "Paris"
    assert (office.cache_info().hits, office.cache_info().misses) == (1, 2)


def test_a_memoized_expression_reads_attributes_as_evaluating_does_exact_name_first_then_ignoring_case() -> None:
    department = memoized("[department]")
    assert department.evaluate({"Department": "IT"}) == "IT"
    assert department.evaluate({"Department": "FIN"}) == "FIN"
    assert department.evaluate({"Department": "IT", "department": "Sales"}) == "Sales"


@pytest.mark.parametrize(
    ("source", "first", "second"),
    [
        ("Concat([A])", True, 1),
        ("Concat([A])", 1, 1.0),
        ("Concat([A])", 0.0, -0.0),
        ("Concat([A])", Decimal("1.0"), Decimal("1.00")),
        ('FormatDate([A], "HH:mm")', datetime(2025, 1, 1, 12, tzinfo=UTC), datetime(2025, 1, 1, 13, tzinfo=PLUS_ONE)),
        ("Concat([A])", date(2025, 1, 1), datetime(2025, 1, 1)),
    ],
)  # fmt: skip
def test_a_memoized_expression_never_gives_one_input_the_value_of_another_that_python_finds_equal(
    source: str, first: object, second: object
) -> None:
    expression = memoized(source)
    plain = compile_expression(source)
    assert expression.evaluate({"A": first}) == plain.evaluate({"A": first})
    assert expression.evaluate({"A": second}) == plain.evaluate({"A": second})
    assert plain.evaluate({"A": first}) != plain.evaluate({"A": second})  # the case is worth testing


def test_a_memoized_expression_does_not_remember_errors() -> None:
    left = memoized("Left([Name], [Length])")
    for _ in range(2):
        with pytest.raises(ExpressionError, match="whole number"):
            left.evaluate({"Name": "Ada", "Length": "many"})
    assert left.evaluate({"Name": "Ada", "Length": 2}) == "Ad"


def test_a_memoized_expression_ignores_an_unreadable_attribute_in_a_branch_not_taken() -> None:
    choice = memoized("IIF([UseA], [A], [B])")
    assert choice.evaluate({"UseA": False, "A": object(), "B": "b"}) == "b"
    with pytest.raises(ExpressionError) as raised:
        choice.evaluate({"UseA": True, "A": object(), "B": "b"})
    assert raised.value.position == len("IIF([UseA], ")  # where evaluating without a memo says too


def test_a_memoized_expression_uses_the_lookup_tables_it_was_bound_to() -> None:
    source = 'Lookup("offices", [Department], "Head office")'
    assert memoized(source, {"offices": {"IT": "Berlin"}}).evaluate({"Department": "IT"}) == "Berlin"
    assert memoized(source, {"offices": {"IT": "Lisbon"}}).evaluate({"Department": "IT"}) == "Lisbon"


def test_a_memoized_expression_remembers_at_most_its_size_of_combinations() -> None:
    surname = memoized("Upper([LastName])", size=2)
    for name in ("Lovelace", "Hopper", "Hamilton"):
        assert surname.evaluate({"LastName": name}) == name.upper()
    assert surname.cache_info().currsize == 2


def test_a_bare_attribute_is_read_without_the_memo_which_would_only_cost_time() -> None:
    department = memoized("[Department]")
    assert department.evaluate({"Department": "IT"}) == "IT"
    assert department.evaluate({"Department": date(2025, 1, 6)}) == "2025-01-06"
    assert department.cache_info().currsize == 0
