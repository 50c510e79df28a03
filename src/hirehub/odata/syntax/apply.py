"""``$apply``: the aggregation transformations Dataverse supports, as a sequence of steps.

Steps are separated by ``/`` and each one is ``filter(...)``, ``aggregate(...)`` or
``groupby((paths)[, steps])``; the optional second argument of ``groupby`` is itself a step
sequence applied to each group, which is why :func:`_sequence` is reached recursively through
:func:`_groupby`. Other transformations of the OData aggregation extension are refused by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from hirehub.odata.syntax.ast import (
    AGGREGATE_METHODS,
    Aggregate,
    AggregateItem,
    FilterStep,
    GroupBy,
    Transformation,
)
from hirehub.odata.syntax.cursor import Cursor
from hirehub.odata.syntax.errors import quote
from hirehub.odata.syntax.filter import parse_expression
from hirehub.odata.syntax.paths import parse_property_name, parse_property_path


def parse_apply(text: str, aliases: Mapping[str, str] | None = None) -> tuple[Transformation, ...]:
    """``$apply=filter(...)/groupby((a),aggregate($count as n))`` → transformation steps, in order."""
    return Cursor(text, aliases).whole(_sequence, empty="empty $apply", what="$apply")


def _sequence(cursor: Cursor) -> tuple[Transformation, ...]:
    return cursor.series(_transformation, "/")


def _transformation(cursor: Cursor) -> Transformation:
    name = cursor.expect_identifier("a transformation (aggregate, groupby or filter)")
    parse = _TRANSFORMATIONS.get(name.text)
    if parse is None:
        cursor.fail(name, f"transformation {name.describe()} is not supported; use {', '.join(_TRANSFORMATIONS)}")
    opener = cursor.expect_punctuation("(", f" after {name.text}")
    with cursor.nested(opener):
        step = parse(cursor)
        cursor.expect_punctuation(")", f" to close {name.text}( opened at position {opener.position}")
    return step


def _filter(cursor: Cursor) -> FilterStep:
    return FilterStep(parse_expression(cursor))


def _aggregate(cursor: Cursor) -> Aggregate:
    items: list[AggregateItem] = []
    while True:
        start = cursor.peek()
        item = _aggregate_item(cursor)
        if any(existing.alias == item.alias for existing in items):
            cursor.fail(start, f"alias {quote(item.alias)} is used twice in aggregate()")
        items.append(item)
        if not cursor.accept_punctuation(","):
            return Aggregate(tuple(items))


def _aggregate_item(cursor: Cursor) -> AggregateItem:
    if cursor.at_word("$count"):
        cursor.advance()
        _expect_word(cursor, "as")
        return AggregateItem(None, "count", parse_property_name(cursor, "an alias after as"))
    path = parse_property_path(cursor)
    _expect_word(cursor, "with")
    method = cursor.expect_identifier(f"an aggregation method ({', '.join(AGGREGATE_METHODS)})")
    if method.text not in AGGREGATE_METHODS:
        cursor.fail(method, f"unknown aggregation method {method.describe()}; use {', '.join(AGGREGATE_METHODS)}")
    _expect_word(cursor, "as")
    return AggregateItem(path, method.text, parse_property_name(cursor, "an alias after as"))


def _expect_word(cursor: Cursor, word: str) -> None:
    if not cursor.at_word(word):
        cursor.fail(cursor.peek(), f'expected "{word}", found {cursor.peek().describe()}')
    cursor.advance()


def _groupby(cursor: Cursor) -> GroupBy:
    opener = cursor.expect_punctuation("(", " to open the grouping properties, as in groupby((a,b))")
    with cursor.nested(opener):
        paths = [parse_property_path(cursor)]
        while cursor.accept_punctuation(","):
            paths.append(parse_property_path(cursor))
        cursor.expect_punctuation(")", f" to close the grouping properties opened at position {opener.position}")
    then = _sequence(cursor) if cursor.accept_punctuation(",") else ()
    return GroupBy(tuple(paths), then)


_TRANSFORMATIONS: dict[str, Callable[[Cursor], Transformation]] = {
    "aggregate": _aggregate,
    "groupby": _groupby,
    "filter": _filter,
}
