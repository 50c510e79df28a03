"""The OData query-option parser: what each construct Dataverse accepts parses to, and how bad input fails."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hirehub.odata.syntax import (
    MAX_DEPTH,
    MAX_NESTING,
    Aggregate,
    AggregateItem,
    And,
    Call,
    Compare,
    ExpandItem,
    FilterStep,
    GroupBy,
    In,
    Lambda,
    Literal,
    Node,
    Not,
    ODataSyntaxError,
    Or,
    OrderBy,
    Path,
    QueryFunction,
    parse_apply,
    parse_expand,
    parse_filter,
    parse_orderby,
    parse_select,
)


def path(*segments: str) -> Path:
    return Path(segments)


def string(value: str) -> Literal:
    return Literal(value, "string")


def integer(value: int) -> Literal:
    return Literal(value, "int")


def eq(name: str, value: Node) -> Compare:
    return Compare("eq", path(name), value)


def error_of(parse: Callable[[], object]) -> ODataSyntaxError:
    with pytest.raises(ODataSyntaxError) as caught:
        parse()
    return caught.value


def filter_error(text: str, aliases: dict[str, str] | None = None) -> ODataSyntaxError:
    return error_of(lambda: parse_filter(text, aliases))


# --- literals -------------------------------------------------------------------------------------


def test_string_literal_unescapes_doubled_quotes() -> None:
    assert parse_filter("mshr_lastname eq 'O''Brien'") == eq("mshr_lastname", string("O'Brien"))


def test_empty_string_literal() -> None:
    assert parse_filter("mshr_middlename eq ''") == eq("mshr_middlename", string(""))


@pytest.mark.parametrize(("text", "value"), [("5", 5), ("-5", -5), ("+5", 5), ("0", 0)])
def test_integer_literals_keep_their_sign(text: str, value: int) -> None:
    assert parse_filter(f"mshr_level eq {text}") == eq("mshr_level", integer(value))


def test_integer_beyond_int64_is_a_decimal() -> None:
    assert parse_filter("mshr_amount eq 92233720368547758070") == eq(
        "mshr_amount", Literal(decimal.Decimal("92233720368547758070"), "decimal")
    )


def test_number_with_a_fraction_is_an_exact_decimal() -> None:
    assert parse_filter("mshr_fte eq 0.1") == eq("mshr_fte", Literal(decimal.Decimal("0.1"), "decimal"))


@pytest.mark.parametrize(("text", "value"), [("1.5e3", 1500.0), ("2E-2", 0.02), ("-1e2", -100.0)])
def test_number_with_an_exponent_is_a_float(text: str, value: float) -> None:
    assert parse_filter(f"mshr_score eq {text}") == eq("mshr_score", Literal(value, "float"))


@pytest.mark.parametrize(
    ("text", "literal"),
    [("true", Literal(True, "bool")), ("false", Literal(False, "bool")), ("null", Literal(None, "null"))],
)
def test_true_false_and_null_are_literals(text: str, literal: Literal) -> None:
    assert parse_filter(f"mshr_flag eq {text}") == eq("mshr_flag", literal)


def test_date_literal() -> None:
    assert parse_filter("mshr_birthdate eq 2026-01-31") == eq(
        "mshr_birthdate", Literal(datetime.date(2026, 1, 31), "date")
    )


def test_datetimeoffset_literal_in_utc() -> None:
    expected = datetime.datetime(2026, 1, 31, 8, 0, tzinfo=datetime.UTC)
    assert parse_filter("createdon ge 2026-01-31T08:00:00Z") == Compare(
        "ge", path("createdon"), Literal(expected, "datetimeoffset")
    )


def test_datetimeoffset_literal_keeps_its_offset_and_fractional_seconds() -> None:
    node = parse_filter("createdon lt 2026-01-31T08:00:00.1234567+02:00")

    assert isinstance(node, Compare)
    assert isinstance(node.right, Literal)
    value = node.right.value
    assert node.right.kind == "datetimeoffset"
    assert value == datetime.datetime(
        2026, 1, 31, 8, 0, 0, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    assert isinstance(value, datetime.datetime)
    assert value.utcoffset() == datetime.timedelta(hours=2)


def test_datetimeoffset_seconds_are_optional() -> None:
    expected = datetime.datetime(2026, 1, 31, 8, 30, tzinfo=datetime.timezone(-datetime.timedelta(hours=5)))
    assert parse_filter("createdon gt 2026-01-31T08:30-05:00") == Compare(
        "gt", path("createdon"), Literal(expected, "datetimeoffset")
    )


def test_unquoted_guid_literal() -> None:
    assert parse_filter("mshr_personid eq 00000000-0000-0000-0000-000000000000") == eq(
        "mshr_personid", Literal(uuid.UUID(int=0), "guid")
    )


def test_guid_starting_with_letters_is_not_taken_for_a_name() -> None:
    guid = "deadbeef-0000-4000-8000-00000000abcd"
    assert parse_filter(f"mshr_personid eq {guid}") == eq("mshr_personid", Literal(uuid.UUID(guid), "guid"))


def test_impossible_date_is_a_syntax_error_at_the_date() -> None:
    error = filter_error("mshr_birthdate eq 2026-02-30")

    assert error.position == 18
    assert '"2026-02-30"' in str(error)


def test_timezone_offset_out_of_range_is_a_syntax_error() -> None:
    assert filter_error("createdon eq 2026-01-31T08:00:00+24:00").position == 13


@pytest.mark.parametrize("text", ["mshr_x eq 5abc", "mshr_x eq 1.5m", "mshr_x eq 2026-01-31x", "mshr_x eq 1."])
def test_literal_running_into_other_characters_is_malformed(text: str) -> None:
    error = filter_error(text)

    assert error.position == 10
    assert "malformed literal" in error.message


def test_float_overflow_is_a_syntax_error() -> None:
    assert "out of range" in filter_error("mshr_x eq 1e999").message


def test_double_quoted_string_is_refused_outside_value_lists() -> None:
    assert "single quotes" in filter_error('mshr_x eq "a"').message


# --- operators and precedence ---------------------------------------------------------------------


@pytest.mark.parametrize("operator", ["eq", "ne", "gt", "ge", "lt", "le"])
def test_each_comparison_operator(operator: str) -> None:
    assert parse_filter(f"mshr_level {operator} 3") == Compare(operator, path("mshr_level"), integer(3))


def test_literal_may_stand_on_the_left_of_a_comparison() -> None:
    assert parse_filter("3 lt mshr_level") == Compare("lt", integer(3), path("mshr_level"))


def test_and_binds_tighter_than_or() -> None:
    assert parse_filter("a eq 1 or b eq 2 and c eq 3") == Or(
        eq("a", integer(1)), And(eq("b", integer(2)), eq("c", integer(3)))
    )


def test_and_chains_are_left_associative() -> None:
    assert parse_filter("a eq 1 and b eq 2 and c eq 3") == And(
        And(eq("a", integer(1)), eq("b", integer(2))), eq("c", integer(3))
    )


def test_parentheses_override_precedence() -> None:
    assert parse_filter("(a eq 1 or b eq 2) and c eq 3") == And(
        Or(eq("a", integer(1)), eq("b", integer(2))), eq("c", integer(3))
    )


def test_not_binds_tighter_than_comparison() -> None:
    assert parse_filter("not mshr_active eq true") == Compare("eq", Not(path("mshr_active")), Literal(True, "bool"))


def test_not_applies_to_a_parenthesised_expression() -> None:
    assert parse_filter("not (a eq 1 and b eq 2)") == Not(And(eq("a", integer(1)), eq("b", integer(2))))


def test_not_may_touch_its_parenthesis() -> None:
    assert parse_filter("not(contains(a,'x'))") == Not(Call("contains", (path("a"), string("x"))))


def test_extra_whitespace_is_tolerated() -> None:
    assert parse_filter("   ( a   eq  1 )\tand  b eq 2  ") == And(eq("a", integer(1)), eq("b", integer(2)))


def test_a_boolean_property_alone_is_a_filter() -> None:
    assert parse_filter("mshr_iswillingtorelocate") == path("mshr_iswillingtorelocate")


def test_comparisons_do_not_chain() -> None:
    error = filter_error("a eq b eq c")

    assert error.position == 7
    assert "chained" in error.message


@pytest.mark.parametrize("operator", ["has", "add", "sub", "mul", "div", "mod"])
def test_arithmetic_and_has_are_not_supported(operator: str) -> None:
    error = filter_error(f"mshr_level {operator} 2 eq 4")

    assert error.position == 11
    assert "not supported" in error.message


def test_unknown_operator_is_named_at_its_position() -> None:
    error = filter_error("mshr_level equals 2")

    assert error.position == 11
    assert '"equals"' in error.message


def test_operators_are_lower_case() -> None:
    assert filter_error("mshr_level EQ 2").position == 11


def test_operator_word_cannot_stand_for_an_operand() -> None:
    assert filter_error("mshr_level eq and").position == 14


# --- paths ----------------------------------------------------------------------------------------


def test_path_through_a_lookup() -> None:
    assert parse_filter("mshr_FK_Person_id/mshr_lastname eq 'Ng'") == Compare(
        "eq", path("mshr_FK_Person_id", "mshr_lastname"), string("Ng")
    )


def test_lookup_value_property_may_start_with_an_underscore() -> None:
    assert parse_filter("_mshr_fk_person_id_value eq null") == eq("_mshr_fk_person_id_value", Literal(None, "null"))


def test_it_may_open_a_path() -> None:
    assert parse_filter("$it/mshr_level gt 1") == Compare("gt", path("$it", "mshr_level"), integer(1))


@pytest.mark.parametrize("text", ["$count gt 1", "a/$it eq 1", "a/$count gt 1"])
def test_other_system_names_are_not_paths(text: str) -> None:
    assert "not allowed here" in filter_error(text).message


def test_type_casts_are_not_supported() -> None:
    assert "qualified names" in filter_error("a/Microsoft.Dynamics.CRM.contact/b eq 1").message


# --- canonical functions --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["contains", "startswith", "endswith"])
def test_string_matching_functions(name: str) -> None:
    assert parse_filter(f"{name}(mshr_firstname,'ann')") == Call(name, (path("mshr_firstname"), string("ann")))


def test_function_results_can_be_compared() -> None:
    assert parse_filter("tolower(mshr_lastname) eq 'ng'") == Compare(
        "eq", Call("tolower", (path("mshr_lastname"),)), string("ng")
    )


def test_function_calls_nest() -> None:
    assert parse_filter("startswith(toupper(trim(a)),'X')") == Call(
        "startswith", (Call("toupper", (Call("trim", (path("a"),)),)), string("X"))
    )


def test_substring_takes_two_or_three_arguments() -> None:
    assert parse_filter("substring(a,1) eq 'b' and substring(a,1,2) eq 'c'") == And(
        Compare("eq", Call("substring", (path("a"), integer(1))), string("b")),
        Compare("eq", Call("substring", (path("a"), integer(1), integer(2))), string("c")),
    )


def test_now_takes_no_arguments() -> None:
    assert parse_filter("createdon lt now()") == Compare("lt", path("createdon"), Call("now", ()))


@pytest.mark.parametrize(
    ("text", "position"), [("contains(a)", 0), ("x eq year(a,b)", 5), ("now(a) gt 1", 0), ("substring(a)", 0)]
)
def test_wrong_arity_is_an_error_at_the_function_name(text: str, position: int) -> None:
    error = filter_error(text)

    assert error.position == position
    assert "argument" in error.message


@pytest.mark.parametrize("text", ["frobnicate(a,'b')", "Contains(a,'b')"])
def test_unknown_or_miscased_function_is_named(text: str) -> None:
    error = filter_error(text)

    assert error.position == 0
    assert "unknown function" in error.message


# --- in -------------------------------------------------------------------------------------------


def test_in_operator_lists_literals() -> None:
    assert parse_filter("mshr_status in ('a','b', 'c')") == In(
        path("mshr_status"), (string("a"), string("b"), string("c"))
    )


def test_in_accepts_a_single_value_and_brackets() -> None:
    assert parse_filter("mshr_level in [3]") == In(path("mshr_level"), (integer(3),))


def test_in_binds_like_a_comparison() -> None:
    assert parse_filter("not a in (1) or b eq 2") == Or(In(Not(path("a")), (integer(1),)), eq("b", integer(2)))


@pytest.mark.parametrize(("text", "position"), [("a in 'x'", 5), ("a in (b,c)", 6), ("a in ()", 6), ("a in ('x'", 9)])
def test_in_needs_a_list_of_literals(text: str, position: int) -> None:
    assert filter_error(text).position == position


# --- parameter aliases ----------------------------------------------------------------------------


def test_alias_stands_for_a_literal() -> None:
    assert parse_filter("mshr_lastname eq @p1", {"@p1": "'Contoso'"}) == eq("mshr_lastname", string("Contoso"))


def test_alias_key_may_omit_the_at_sign() -> None:
    assert parse_filter("mshr_level gt @p1", {"p1": " 5 "}) == Compare("gt", path("mshr_level"), integer(5))


def test_alias_as_a_function_argument() -> None:
    assert parse_filter("contains(mshr_firstname,@name)", {"@name": "'ann'"}) == Call(
        "contains", (path("mshr_firstname"), string("ann"))
    )


def test_alias_stands_for_an_in_list() -> None:
    assert parse_filter("mshr_status in @s", {"@s": "['a','b']"}) == In(path("mshr_status"), (string("a"), string("b")))


def test_unknown_alias_is_named_at_its_position() -> None:
    error = filter_error("a eq 1 and b eq @missing", {"@p1": "1"})

    assert error.position == 16
    assert '"@missing"' in error.message


@pytest.mark.parametrize("value", ["mshr_lastname", "'unterminated", "1 2", "@other", ""])
def test_alias_value_must_be_one_literal(value: str) -> None:
    error = filter_error("a eq @p1", {"@p1": value, "@other": "1"})

    assert error.position == 5
    assert '"@p1"' in error.message


# --- Dataverse query functions --------------------------------------------------------------------


def test_in_query_function_with_a_list_of_values() -> None:
    text = "Microsoft.Dynamics.CRM.In(PropertyName='mshr_status',PropertyValues=['200000000','200000001'])"
    assert parse_filter(text) == QueryFunction("In", "mshr_status", (string("200000000"), string("200000001")))


def test_between_query_function() -> None:
    text = "Microsoft.Dynamics.CRM.Between(PropertyName='mshr_birthdate',PropertyValues=['1990-01-01','1999-12-31'])"
    assert parse_filter(text) == QueryFunction(
        "Between", "mshr_birthdate", (string("1990-01-01"), string("1999-12-31"))
    )


def test_null_query_function_has_no_value() -> None:
    assert parse_filter("Microsoft.Dynamics.CRM.Null(PropertyName='mshr_middlename')") == QueryFunction(
        "Null", "mshr_middlename", ()
    )


def test_last_x_days_takes_a_number() -> None:
    assert parse_filter("Microsoft.Dynamics.CRM.LastXDays(PropertyName='createdon',PropertyValue=7)") == QueryFunction(
        "LastXDays", "createdon", (integer(7),)
    )


def test_query_function_values_may_be_json_strings() -> None:
    assert parse_filter('Microsoft.Dynamics.CRM.NotIn(PropertyName=\'x\',PropertyValues=["a\\"b", "c"])') == (
        QueryFunction("NotIn", "x", (string('a"b'), string("c")))
    )


def test_json_strings_in_value_lists_understand_escapes() -> None:
    assert parse_filter(r'mshr_x in ["\u00e9\ud83d\ude00\n\""]') == In(path("mshr_x"), (string('é😀\n"'),))


@pytest.mark.parametrize("escape", [r"\ud800", r"\ude00", r"\q", r"\u12"])
def test_invalid_json_escape_is_an_error_at_the_escape(escape: str) -> None:
    error = filter_error(f'mshr_x in ["{escape}"]')

    assert error.position == 12
    assert "invalid escape" in error.message


def test_query_function_parameters_may_be_aliases() -> None:
    text = (
        "Microsoft.Dynamics.CRM.In(PropertyName=@p,PropertyValues=@v)"
        " and Microsoft.Dynamics.CRM.On(PropertyName='d',PropertyValue=@d)"
    )
    aliases = {"@p": "'mshr_status'", "@v": "[1,2]", "@d": "2026-01-31"}

    assert parse_filter(text, aliases) == And(
        QueryFunction("In", "mshr_status", (integer(1), integer(2))),
        QueryFunction("On", "d", (Literal(datetime.date(2026, 1, 31), "date"),)),
    )


def test_query_function_with_a_pair_of_values() -> None:
    text = (
        "Microsoft.Dynamics.CRM.InFiscalPeriodAndYear(PropertyValue2=2026, PropertyName='createdon', PropertyValue1=3)"
    )
    assert parse_filter(text) == QueryFunction("InFiscalPeriodAndYear", "createdon", (integer(3), integer(2026)))


def test_query_function_combines_with_operators() -> None:
    assert parse_filter("not Microsoft.Dynamics.CRM.Today(PropertyName='createdon') and a eq 1") == And(
        Not(QueryFunction("Today", "createdon", ())), eq("a", integer(1))
    )


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("Microsoft.Dynamics.CRM.In(PropertyName='a')", 0, "PropertyValues"),
        ("Microsoft.Dynamics.CRM.Null(PropertyName='a',PropertyValue=1)", 0, "takes PropertyName"),
        ("Microsoft.Dynamics.CRM.In(propertyname='a',PropertyValues=[1])", 26, "unknown parameter"),
        ("Microsoft.Dynamics.CRM.In(PropertyName='a',PropertyName='b',PropertyValues=[1])", 43, "twice"),
        ("Microsoft.Dynamics.CRM.Between(PropertyName='a',PropertyValues=[1])", 63, "exactly 2"),
        ("Microsoft.Dynamics.CRM.Whenever(PropertyName='a')", 0, "unknown function"),
        ("Other.Namespace.In(PropertyName='a',PropertyValues=[1])", 0, "unknown function"),
        ("Microsoft.Dynamics.CRM.Null(PropertyName=5)", 41, "PropertyName must be"),
        ("Microsoft.Dynamics.CRM.Null(PropertyName='')", 41, "PropertyName must be"),
        ("Microsoft.Dynamics.CRM.Null", 27, '"("'),
        ("Microsoft.Dynamics.CRM.Null()", 28, "parameter name"),
        ("Microsoft.Dynamics.CRM.In(PropertyName='a',PropertyValues=[])", 59, "literal"),
    ],
)
def test_malformed_query_function_is_explained(text: str, position: int, fragment: str) -> None:
    error = filter_error(text)

    assert error.position == position
    assert fragment in error.message


def test_query_function_accepts_the_namespace_alias() -> None:
    assert parse_filter("mscrm.NotNull(PropertyName='a')") == QueryFunction("NotNull", "a", ())


# --- lambdas --------------------------------------------------------------------------------------


def test_any_with_a_predicate_over_the_lambda_variable() -> None:
    assert parse_filter("mshr_FK_HcmPersonSkillEntity_Person/any(s:s/mshr_skillid eq 'PY')") == Lambda(
        path("mshr_FK_HcmPersonSkillEntity_Person"), "any", "s", Compare("eq", path("s", "mshr_skillid"), string("PY"))
    )


def test_all_with_a_predicate() -> None:
    assert parse_filter("skills/all(s: s/mshr_level ge 3)") == Lambda(
        path("skills"), "all", "s", Compare("ge", path("s", "mshr_level"), integer(3))
    )


def test_any_without_a_predicate_asks_for_a_non_empty_collection() -> None:
    assert parse_filter("skills/any()") == Lambda(path("skills"), "any", None, None)


def test_lambda_collection_may_be_reached_through_a_lookup() -> None:
    assert parse_filter("person/skills/any()") == Lambda(path("person", "skills"), "any", None, None)


def test_lambdas_nest_and_see_every_enclosing_variable() -> None:
    text = "a/any(x: x/b/any(y: y/c eq x/d and $it/e eq 1))"
    inner = And(Compare("eq", path("y", "c"), path("x", "d")), Compare("eq", path("$it", "e"), integer(1)))

    assert parse_filter(text) == Lambda(path("a"), "any", "x", Lambda(path("x", "b"), "any", "y", inner))


def test_lambda_combines_with_other_conditions() -> None:
    assert parse_filter("a eq 1 and s/any(v: v eq 'x')") == And(
        eq("a", integer(1)), Lambda(path("s"), "any", "v", Compare("eq", path("v"), string("x")))
    )


def test_lambda_variable_goes_out_of_scope_after_its_lambda() -> None:
    text = "a/any(x: x/b eq 1) and b/any(x: x/c eq 2)"
    assert parse_filter(text) == And(
        Lambda(path("a"), "any", "x", Compare("eq", path("x", "b"), integer(1))),
        Lambda(path("b"), "any", "x", Compare("eq", path("x", "c"), integer(2))),
    )


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("skills/all()", 7, "predicate"),
        ("a/any(x: x/b/any(x: x eq 1))", 17, "already used"),
        ("any(x: x eq 1)", 0, "collection"),
        ("a/any(x x eq 1)", 8, '":"'),
        ("a/any(x: x eq 1", 15, '")"'),
        ("a/any(and: true)", 6, "lambda variable"),
    ],
)
def test_malformed_lambda_is_explained(text: str, position: int, fragment: str) -> None:
    error = filter_error(text)

    assert error.position == position
    assert fragment in error.message


# --- filter syntax errors -------------------------------------------------------------------------


def test_unterminated_string_is_reported_where_it_starts() -> None:
    error = filter_error("mshr_lastname eq 'O''Brien")

    assert error.position == 17
    assert "unterminated string" in error.message


def test_missing_closing_parenthesis_points_at_the_end() -> None:
    error = filter_error("(a eq 1 and (b eq 2)")

    assert error.position == 20
    assert "opened at position 0" in error.message


def test_unmatched_closing_parenthesis_is_trailing_garbage() -> None:
    assert filter_error("a eq 1)").position == 6


@pytest.mark.parametrize(("text", "position"), [("a eq 1 'junk'", 7), ("a eq 1 and", 10), ("a eq", 4), ("a eq 1,", 6)])
def test_incomplete_or_trailing_text_is_an_error(text: str, position: int) -> None:
    assert filter_error(text).position == position


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_empty_filter_is_an_error(text: str) -> None:
    assert "empty $filter" in filter_error(text).message


def test_unexpected_character_is_quoted() -> None:
    error = filter_error("a eq 1 & b eq 2")

    assert error.position == 7
    assert '"&"' in error.message


@pytest.mark.parametrize("opening", ["(", "not ", "tolower(", "a/any(x{level}:"])
def test_nesting_deeper_than_the_limit_is_an_error(opening: str) -> None:
    text = "".join(opening.format(level=level) for level in range(MAX_NESTING + 1)) + "a"

    assert "nesting deeper" in filter_error(text).message


def test_nesting_up_to_the_limit_is_fine() -> None:
    assert parse_filter("(" * MAX_NESTING + "a" + ")" * MAX_NESTING) == path("a")


def test_chain_longer_than_the_depth_limit_suggests_in() -> None:
    text = " or ".join(f"id eq {number}" for number in range(MAX_DEPTH + 1))

    assert "use 'in'" in filter_error(text).message


def test_long_value_lists_parse_in_one_flat_node() -> None:
    values = ",".join(f"'{number:08d}'" for number in range(3000))

    node = parse_filter(f"mshr_personnelnumber in ({values})")

    assert isinstance(node, In)
    assert len(node.values) == 3000


def test_error_message_shortens_long_offending_text() -> None:
    error = filter_error("a eq '" + "x" * 10_000)

    assert len(str(error)) < 200


# --- $select --------------------------------------------------------------------------------------


def test_select_lists_property_names() -> None:
    assert parse_select("mshr_firstname, mshr_lastname,_mshr_fk_person_id_value") == (
        "mshr_firstname",
        "mshr_lastname",
        "_mshr_fk_person_id_value",
    )


@pytest.mark.parametrize(
    ("text", "position"), [("", 0), ("a,", 2), ("a,,b", 2), ("a/b", 1), ("a b", 2), ("$count", 0), ("'a'", 0)]
)
def test_select_accepts_only_a_list_of_names(text: str, position: int) -> None:
    assert error_of(lambda: parse_select(text)).position == position


# --- $orderby -------------------------------------------------------------------------------------


def test_orderby_is_ascending_unless_told_otherwise() -> None:
    assert parse_orderby("mshr_lastname,mshr_firstname asc,createdon desc") == (
        OrderBy(path("mshr_lastname"), descending=False),
        OrderBy(path("mshr_firstname"), descending=False),
        OrderBy(path("createdon"), descending=True),
    )


def test_orderby_through_a_lookup() -> None:
    assert parse_orderby("mshr_FK_Person_id/mshr_lastname desc") == (
        OrderBy(path("mshr_FK_Person_id", "mshr_lastname"), descending=True),
    )


def test_orderby_alias_stands_for_a_property_path() -> None:
    assert parse_orderby("@o desc,@p", {"@o": "mshr_lastname", "p": "a/b"}) == (
        OrderBy(path("mshr_lastname"), descending=True),
        OrderBy(path("a", "b"), descending=False),
    )


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 0, "empty"),
        ("a DESC", 2, "asc or desc"),
        ("tolower(a)", 7, "functions are not supported"),
        ("a desc desc", 7, "after the end"),
        ("a,", 2, "property name"),
        ("@o", 0, '"@o"'),
    ],
)
def test_malformed_orderby_is_explained(text: str, position: int, fragment: str) -> None:
    error = error_of(lambda: parse_orderby(text))

    assert error.position == position
    assert fragment in error.message


# --- $expand --------------------------------------------------------------------------------------


def test_expand_without_options() -> None:
    assert parse_expand("mshr_FK_Person_id, mshr_FK_Position_id") == (
        ExpandItem("mshr_FK_Person_id"),
        ExpandItem("mshr_FK_Position_id"),
    )


def test_expand_with_nested_options() -> None:
    text = (
        "mshr_FK_Person_id($select=mshr_firstname,mshr_lastname),"
        "mshr_FK_HcmRecruitingRequestSkillEntity_RecruitingRequest("
        "$filter=mshr_level gt 2;$orderby=mshr_skillid desc;$top=5)"
    )

    assert parse_expand(text) == (
        ExpandItem("mshr_FK_Person_id", select=("mshr_firstname", "mshr_lastname")),
        ExpandItem(
            "mshr_FK_HcmRecruitingRequestSkillEntity_RecruitingRequest",
            filter=Compare("gt", path("mshr_level"), integer(2)),
            orderby=(OrderBy(path("mshr_skillid"), descending=True),),
            top=5,
        ),
    )


def test_expand_nests() -> None:
    assert parse_expand("a($expand=b($select=c;$expand=d),e;$select=f)") == (
        ExpandItem(
            "a", select=("f",), expand=(ExpandItem("b", select=("c",), expand=(ExpandItem("d"),)), ExpandItem("e"))
        ),
    )


def test_expand_filter_may_use_aliases_and_parentheses() -> None:
    assert parse_expand("a($filter=(b eq @v or c eq 1))", {"@v": "'x'"}) == (
        ExpandItem("a", filter=Or(eq("b", string("x")), eq("c", integer(1)))),
    )


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 0, "empty"),
        ("a()", 2, "option"),
        ("a($skip=1)", 2, "not supported"),
        ("a($select=b;$select=c)", 12, "twice"),
        ("a($top=-1)", 7, "non-negative"),
        ("a($top='1')", 7, "non-negative"),
        ("a($select=b", 11, '")"'),
        ("a($select b)", 10, '"="'),
        ("a/b", 1, "paths are not supported"),
        ("a($filter=b eq)", 14, "expected an expression"),
        ("a;b", 1, "after the end"),
    ],
)
def test_malformed_expand_is_explained(text: str, position: int, fragment: str) -> None:
    error = error_of(lambda: parse_expand(text))

    assert error.position == position
    assert fragment in error.message


def test_expand_nesting_is_limited() -> None:
    text = "a($expand=" * (MAX_NESTING + 1) + "b" + ")" * (MAX_NESTING + 1)

    assert "nesting deeper" in error_of(lambda: parse_expand(text)).message


# --- $apply ---------------------------------------------------------------------------------------


def test_apply_filters_then_groups_and_aggregates() -> None:
    text = (
        "filter(mshr_status eq 200000001)/groupby((mshr_departmentid),"
        "aggregate($count as count,mshr_numberofopenings with sum as openings))"
    )

    assert parse_apply(text) == (
        FilterStep(eq("mshr_status", integer(200000001))),
        GroupBy(
            (path("mshr_departmentid"),),
            (
                Aggregate(
                    (
                        AggregateItem(None, "count", "count"),
                        AggregateItem(path("mshr_numberofopenings"), "sum", "openings"),
                    )
                ),
            ),
        ),
    )


def test_groupby_alone_lists_distinct_groups() -> None:
    assert parse_apply("groupby((a, b/c))") == (GroupBy((path("a"), path("b", "c"))),)


@pytest.mark.parametrize("method", ["sum", "min", "max", "average", "countdistinct"])
def test_aggregate_methods(method: str) -> None:
    assert parse_apply(f"aggregate(mshr_x with {method} as result)") == (
        Aggregate((AggregateItem(path("mshr_x"), method, "result"),)),
    )


def test_apply_filter_may_use_aliases() -> None:
    assert parse_apply("filter(a eq @v)/aggregate($count as n)", {"@v": "1"}) == (
        FilterStep(eq("a", integer(1))),
        Aggregate((AggregateItem(None, "count", "n"),)),
    )


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 0, "empty"),
        ("topcount(5,a)", 0, "not supported"),
        ("aggregate(a with median as m)", 17, "unknown aggregation method"),
        ("aggregate(a with sum)", 20, '"as"'),
        ("aggregate(a as total)", 12, '"with"'),
        ("aggregate($count as n,b with max as n)", 22, "twice"),
        ("groupby(a)", 8, '"("'),
        ("groupby(())", 9, "property name"),
        ("filter(a eq 1", 13, '")"'),
        ("filter(a eq 1)/", 15, "transformation"),
        ("filter(a eq 1)x", 14, "after the end"),
    ],
)
def test_malformed_apply_is_explained(text: str, position: int, fragment: str) -> None:
    error = error_of(lambda: parse_apply(text))

    assert error.position == position
    assert fragment in error.message


# --- properties -----------------------------------------------------------------------------------

PARSERS: list[Callable[[str], object]] = [
    parse_filter,
    parse_orderby,
    parse_select,
    parse_expand,
    parse_apply,
    lambda text: parse_filter("a eq @p", {"@p": text}),
    lambda text: parse_filter("a in @p", {"@p": text}),
    lambda text: parse_orderby("@p", {"@p": text}),
]

FRAGMENTS = st.sampled_from(
    [
        *" ()[],/:;=@$'\"-+.",
        *("eq", "and", "or", "not", "in", "any", "all", "a", "b/c", "x:", "1", "-2", "1.5", "1e3", "true", "null"),
        *("2026-01-31", "2026-01-31T08:00Z", "00000000-0000-0000-0000-000000000000", "'s'", "''", '"j"'),
        *("contains(", "now()", "Microsoft.Dynamics.CRM.In(", "PropertyName=", "PropertyValues=", "@p1", "$it"),
        *("$select=", "$filter=", "$expand=", "$orderby=", "$top=", "groupby(", "aggregate(", "filter(", "$count"),
        *("with", "sum", "as", "desc"),
    ]
)
ODATA_ISH = st.lists(FRAGMENTS, max_size=40).map("".join)


def parses_or_refuses(parse: Callable[[str], object], text: str) -> None:
    try:
        parse(text)
    except ODataSyntaxError as error:
        assert 0 <= error.position <= len(text) or "alias" in error.message


@settings(max_examples=200)
@given(st.text())
def test_arbitrary_text_either_parses_or_raises_a_syntax_error(text: str) -> None:
    for parse in PARSERS:
        parses_or_refuses(parse, text)


@settings(max_examples=300)
@given(ODATA_ISH)
def test_odata_like_soup_either_parses_or_raises_a_syntax_error(text: str) -> None:
    for parse in PARSERS:
        parses_or_refuses(parse, text)


# A small generator of valid filters: comparisons, and/or/not over identifiers and literals.

RESERVED = {"eq", "ne", "gt", "ge", "lt", "le", "and", "or", "not", "in", "has", "add", "sub", "mul", "div", "mod"}
RESERVED |= {"divby", "isof", "cast", "true", "false", "null"}
IDENTIFIERS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True).filter(lambda name: name not in RESERVED)
PATHS = st.lists(IDENTIFIERS, min_size=1, max_size=3).map(lambda segments: Path(tuple(segments)))
OFFSETS = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda minutes: datetime.timedelta(minutes=minutes))
LITERALS = st.one_of(
    st.text().map(string),
    st.integers(-(2**63), 2**63 - 1).map(integer),
    st.builds(lambda n, places: decimal.Decimal(n).scaleb(-places), st.integers(), st.integers(1, 6)).map(
        lambda value: Literal(value, "decimal")
    ),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda value: Literal(value, "float")),
    st.booleans().map(lambda value: Literal(value, "bool")),
    st.just(Literal(None, "null")),
    st.dates().map(lambda value: Literal(value, "date")),
    st.builds(lambda moment, offset: moment.replace(tzinfo=datetime.timezone(offset)), st.datetimes(), OFFSETS).map(
        lambda value: Literal(value, "datetimeoffset")
    ),
    st.uuids().map(lambda value: Literal(value, "guid")),
)
COMPARISONS = st.builds(
    lambda op, name, value, flipped: Compare(op, value, name) if flipped else Compare(op, name, value),
    st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le"]),
    PATHS,
    LITERALS,
    st.booleans(),
)
FILTERS = st.recursive(
    st.one_of(COMPARISONS, PATHS),
    lambda children: st.one_of(
        st.builds(And, children, children), st.builds(Or, children, children), st.builds(Not, children)
    ),
    max_leaves=12,
)


def render_literal(literal: Literal) -> str:
    value = literal.value
    if literal.kind == "string":
        assert isinstance(value, str)
        return "'" + value.replace("'", "''") + "'"
    if literal.kind == "null":
        return "null"
    if literal.kind == "bool":
        return "true" if value else "false"
    if literal.kind == "decimal":
        return format(value, "f")
    if literal.kind == "float":
        return format(value, ".17e")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


PRECEDENCE = {Or: 1, And: 2, Compare: 3, Not: 4}


def render(node: Node) -> str:
    """Text for ``node`` with only the parentheses its shape needs."""
    if isinstance(node, Literal):
        return render_literal(node)
    if isinstance(node, Path):
        return "/".join(node.segments)
    if isinstance(node, Not):
        return "not " + operand(node.operand, PRECEDENCE[Not] - 1)
    if isinstance(node, Compare):
        return f"{operand(node.left, 3)} {node.op} {operand(node.right, 3)}"
    if isinstance(node, And | Or):
        word = "and" if isinstance(node, And) else "or"
        level = PRECEDENCE[type(node)]
        return f"{operand(node.left, level - 1)} {word} {operand(node.right, level)}"
    raise AssertionError(f"not generated: {node!r}")


def operand(node: Node, loosest_unparenthesised: int) -> str:
    """Render ``node``, in parentheses if it binds no tighter than ``loosest_unparenthesised``."""
    text = render(node)
    return f"({text})" if PRECEDENCE.get(type(node), 5) <= loosest_unparenthesised else text


@settings(max_examples=300)
@given(FILTERS)
def test_rendered_filters_parse_back_to_the_same_tree(tree: Node) -> None:
    assert parse_filter(render(tree)) == tree
