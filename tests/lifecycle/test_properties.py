"""Properties that hold for any input: administrators' expressions and workers' data can only produce a value
or an ExpressionError, and naming never hands out a name that is taken, reserved or unacceptable to Entra."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from hirehub.lifecycle.expressions import Expression, ExpressionError, MemoizedExpression, Value, compile_expression
from hirehub.lifecycle.naming import NamingExhausted, NamingRule, candidates, choose_name, taken_among

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)

# --- generating expressions -----------------------------------------------------------------------------------------

TOKENS = [
    "[", "]", "(", ")", ",", '"', "\\", " ", "-", "1", "42", "[A]", "[B]", '"x"', "true", "null",
    "Concat", "Lower", "Left", "Mid", "Switch", "Lookup", "IIF", "Coalesce", "FormatDate", "Join", "é", "\n",
]  # fmt: skip


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


LEAVES = st.one_of(
    st.sampled_from(["[A]", "[B]", "[C]", "[Missing]", "[a]"]),
    st.text(max_size=8).map(quoted),
    st.integers(min_value=-5, max_value=20).map(str),
    st.sampled_from(["true", "false", "null", '"yyyy-MM-dd"', '"2024-02-29T10:11:12Z"', '"offices"', '"nope"']),
)

ARITIES = {
    "Concat": (1, 4), "Lower": (1, 1), "Upper": (1, 1), "Trim": (1, 1), "StripDiacritics": (1, 1),
    "RemoveSpaces": (1, 1), "Left": (2, 2), "Right": (2, 2), "Mid": (3, 3), "Replace": (3, 3),
    "Coalesce": (1, 4), "IIF": (3, 3), "Switch": (4, 6), "Lookup": (3, 3), "Join": (2, 4),
    "FormatDate": (2, 2), "IsPresent": (1, 1), "Not": (1, 1), "Equals": (2, 2),
}  # fmt: skip


def calls(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    @st.composite
    def call(draw: st.DrawFn) -> str:
        name = draw(st.sampled_from(sorted(ARITIES)))
        low, high = ARITIES[name]
        args = draw(st.lists(children, min_size=low, max_size=high))
        if name == "Lookup":
            args[0] = draw(st.sampled_from(['"offices"', '"nope"']))
        if name == "FormatDate":
            args[1] = draw(st.sampled_from(['"yyyy-MM-dd"', '"dd.MM.yyyy HH:mm:ss"', "[B]", '""']))
        if name == "Switch":
            args = args[: len(args) // 2 * 2]
        return f"{name}({', '.join(args)})"

    return call()


SOURCES = st.recursive(LEAVES, calls, max_leaves=25)

ATTRIBUTE_VALUES = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.integers(),
    st.integers(min_value=10**4400, max_value=10**4400 + 5),  # too many digits for str()
    st.integers(min_value=-(10**4400) - 5, max_value=-(10**4400)),
    st.booleans(),
    st.floats(),
    st.decimals(),
    st.dates(),
    st.datetimes(),
    st.lists(st.integers(), max_size=2),
    st.sampled_from(["2024-01-31", "2024-01-31T08:00:00+01:00", "0", "false", "  ", "-3", "5"]),
)
ATTRIBUTES = st.dictionaries(st.sampled_from(["A", "B", "C", "b"]) | st.text(max_size=4), ATTRIBUTE_VALUES)
LOOKUPS = {"offices": {"IT": "Berlin", "it": "Munich", "": "Nowhere"}}


@PROPERTY_SETTINGS
@given(st.text(max_size=200) | st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_compiling_any_text_returns_an_expression_or_raises_expression_error(source: str) -> None:
    try:
        expression = compile_expression(source, known_lookups={"offices"})
    except ExpressionError as error:
        assert error.position is None or 0 <= error.position <= len(source)
    else:
        assert isinstance(expression, Expression)
        assert all(isinstance(name, str) for name in expression.references())


@PROPERTY_SETTINGS
@given(SOURCES, ATTRIBUTES)
def test_evaluating_any_expression_returns_a_value_or_raises_expression_error(
    source: str, attributes: dict[str, object]
) -> None:
    expression = compile_expression(source)
    try:
        value = expression.evaluate(attributes, LOOKUPS)
    except ExpressionError as error:
        assert error.position is None or 0 <= error.position < len(source)
    else:
        assert value is None or isinstance(value, str | bool | int)


@PROPERTY_SETTINGS
@given(SOURCES)
def test_generated_expressions_compile(source: str) -> None:
    """Keeps the generator honest: the evaluation property above is only worth something if it evaluates."""
    compile_expression(source)


NOON_UTC = datetime(2024, 2, 29, 12, 0, tzinfo=UTC)
LOOKALIKES = st.sampled_from(
    [
        True, 1, 1.0, "1", Decimal("1.0"), Decimal("1.00"),
        False, 0, 0.0, -0.0, "0", "", None,
        NOON_UTC, NOON_UTC.astimezone(timezone(timedelta(hours=1))), datetime(2024, 2, 29, 12, 0),
        NOON_UTC.date(), "2024-02-29",
    ]
)  # fmt: skip
"""Values that are equal (or hash alike) in Python but read differently in an expression: a memo keyed by the
raw values would hand one of them the other's result."""
UNREADABLE = st.lists(st.integers(), max_size=1)


def outcome(evaluate: Callable[[], Value]) -> tuple[object, ...]:
    """A value with its type, or the error's message and position."""
    try:
        value = evaluate()
    except ExpressionError as error:
        return ("error", str(error), error.position)
    return ("value", type(value), value)


@PROPERTY_SETTINGS
@given(SOURCES, st.lists(st.dictionaries(st.sampled_from(["A", "B", "b"]), LOOKALIKES | UNREADABLE), min_size=2))
def test_a_memoized_expression_gives_what_evaluating_gives_for_every_input_in_turn(
    source: str, workers: list[dict[str, object]]
) -> None:
    expression = compile_expression(source)
    memoized = MemoizedExpression(expression, LOOKUPS, size=4)
    for attributes in workers + workers:  # the second round is answered from the memo where it can be
        assert outcome(lambda: memoized.evaluate(attributes)) == outcome(  # noqa: B023 (called at once)
            lambda: expression.evaluate(attributes, LOOKUPS)  # noqa: B023
        )


# --- naming -----------------------------------------------------------------------------------------------------------

UPN_RULE = NamingRule.from_sources(
    [
        'Concat(Lower(StripDiacritics([FirstName])), ".", Lower(StripDiacritics([LastName])))',
        "Concat(Lower(Left([FirstName],1)), Lower([LastName]))",
        "Concat([FirstName], [LastName])",
    ],
    domain="contoso.com",
    numbered_max=12,
)
NICKNAME_RULE = NamingRule(UPN_RULE.patterns, domain=None, numbered_max=12)
NAMES = st.text(max_size=70) | st.sampled_from(["José", "Núñez", "O'Brien", "van der Berg", "Ærø", "..", "李"])
PEOPLE = st.fixed_dictionaries({"FirstName": NAMES, "LastName": NAMES})
LOCAL_PART = re.compile(r"[A-Za-z0-9'.\-_!#^~]{1,64}")


@st.composite
def some_of(draw: st.DrawFn, names: list[str]) -> list[str]:
    """Some of ``names``, a few in upper case, plus a few unrelated names."""
    chosen = draw(st.lists(st.sampled_from(names), max_size=len(names))) if names else []
    recased = [name.upper() if draw(st.booleans()) else name for name in chosen]
    return recased + draw(st.lists(st.text(max_size=10), max_size=3))


@PROPERTY_SETTINGS
@given(PEOPLE, st.data())
def test_choose_name_never_returns_a_taken_or_reserved_name_and_is_deterministic(
    person: dict[str, str], data: st.DataObject
) -> None:
    offered = list(candidates(UPN_RULE, person))
    taken_names = data.draw(some_of(offered))
    reserved_names = data.draw(some_of(offered))
    unavailable = {name.casefold() for name in [*taken_names, *reserved_names]}
    try:
        name = choose_name(UPN_RULE, person, taken_among(taken_names), taken_among(reserved_names))
    except NamingExhausted:
        assert all(candidate.casefold() in unavailable for candidate in offered)
        return
    assert name.casefold() not in unavailable
    assert name == choose_name(UPN_RULE, dict(person), taken_among(taken_names), taken_among(reserved_names))
    assert name == next(candidate for candidate in offered if candidate.casefold() not in unavailable)


@PROPERTY_SETTINGS
@given(PEOPLE)
def test_upn_candidates_always_satisfy_entra_rules(person: dict[str, str]) -> None:
    offered = list(candidates(UPN_RULE, person))
    assert len({name.casefold() for name in offered}) == len(offered)
    for name in offered:
        local, domain = name.rsplit("@", 1)
        assert domain == "contoso.com"
        assert LOCAL_PART.fullmatch(local), local
        assert not local.startswith(".") and not local.endswith(".") and ".." not in local


@PROPERTY_SETTINGS
@given(PEOPLE)
def test_mail_nickname_candidates_always_satisfy_entra_rules(person: dict[str, str]) -> None:
    for name in candidates(NICKNAME_RULE, person):
        assert 1 <= len(name) <= 64
        assert not any(char.isspace() or char in '@()\\[]";:<>,' for char in name), name
