"""``$select``, ``$orderby`` and ``$expand``: the list-shaped query options.

They share one token stream with ``$filter`` so that options nested in an expanded navigation
property (``nav($select=a;$filter=b gt 2;$top=5)``) are parsed by the same code as their top-level
counterparts; a nested option simply ends where ``;`` or ``)`` begins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from hirehub.odata.syntax.ast import ExpandItem, OrderBy
from hirehub.odata.syntax.cursor import Cursor
from hirehub.odata.syntax.filter import parse_expression
from hirehub.odata.syntax.lexer import TokenKind
from hirehub.odata.syntax.paths import parse_path_or_alias, parse_property_name


def parse_select(text: str) -> tuple[str, ...]:
    """``$select=a,b,c`` → ``("a", "b", "c")``."""
    cursor = _start(text, None, "$select")
    names = _select_list(cursor)
    cursor.expect_end("$select")
    return names


def parse_orderby(text: str, aliases: Mapping[str, str] | None = None) -> tuple[OrderBy, ...]:
    """``$orderby=a desc,b/c`` → ordering keys; ``@o`` aliases stand for property paths."""
    cursor = _start(text, aliases, "$orderby")
    items = _orderby_list(cursor)
    cursor.expect_end("$orderby")
    return items


def parse_expand(text: str, aliases: Mapping[str, str] | None = None) -> tuple[ExpandItem, ...]:
    """``$expand=nav($select=a;$filter=...;$orderby=...;$top=5;$expand=...),other`` → expand items.

    ``aliases`` serve ``@p`` references inside nested ``$filter``/``$orderby`` options.
    """
    cursor = _start(text, aliases, "$expand")
    items = _expand_list(cursor)
    cursor.expect_end("$expand")
    return items


def _start(text: str, aliases: Mapping[str, str] | None, option: str) -> Cursor:
    cursor = Cursor(text, aliases)
    if cursor.at_end():
        cursor.fail(cursor.peek(), f"empty {option}")
    return cursor


def _select_list(cursor: Cursor) -> tuple[str, ...]:
    names = [parse_property_name(cursor, "a property name in $select")]
    while cursor.accept_punctuation(","):
        names.append(parse_property_name(cursor, "a property name in $select"))
    if cursor.at_punctuation("/"):
        cursor.fail(cursor.peek(), "paths are not supported in $select; use $expand to select from related tables")
    return tuple(names)


def _orderby_list(cursor: Cursor) -> tuple[OrderBy, ...]:
    return cursor.series(_orderby_item)


def _orderby_item(cursor: Cursor) -> OrderBy:
    path = parse_path_or_alias(cursor)
    token = cursor.peek()
    if token.is_punctuation("("):
        cursor.fail(token, "functions are not supported in $orderby; order by a property")
    if token.is_word("asc", "desc"):
        cursor.advance()
        return OrderBy(path, token.text == "desc")
    if token.kind is TokenKind.IDENTIFIER:
        cursor.fail(token, f"expected asc or desc, found {token.describe()}")
    return OrderBy(path, descending=False)


def _expand_list(cursor: Cursor) -> tuple[ExpandItem, ...]:
    return cursor.series(_expand_item)


def _expand_item(cursor: Cursor) -> ExpandItem:
    item = ExpandItem(parse_property_name(cursor, "a navigation property name"))
    if cursor.at_punctuation("/"):
        cursor.fail(cursor.peek(), "paths are not supported in $expand; nest $expand inside the parentheses")
    opener = cursor.peek()
    if not cursor.accept_punctuation("("):
        return item
    with cursor.nested(opener):
        item = _expand_options(cursor, item)
        closing = f" to close the options of {item.navigation} opened at position {opener.position}"
        cursor.expect_punctuation(")", closing)
    return item


def _expand_options(cursor: Cursor, item: ExpandItem) -> ExpandItem:
    """``$name=value`` pairs separated by ``;``; each fills the ExpandItem field of the same name."""
    seen: set[str] = set()
    while True:
        option = cursor.expect_identifier("an option such as $select, $filter, $orderby, $top or $expand")
        apply = _EXPAND_OPTIONS.get(option.text)
        if apply is None:
            supported = ", ".join(_EXPAND_OPTIONS)
            cursor.fail(option, f"{option.describe()} is not supported inside $expand; use {supported}")
        if option.text in seen:
            cursor.fail(option, f"{option.text} is given twice for {item.navigation}")
        seen.add(option.text)
        cursor.expect_punctuation("=", f" after {option.text}")
        item = apply(cursor, item)
        if not cursor.accept_punctuation(";"):
            return item


def _top(cursor: Cursor) -> int:
    token = cursor.advance()
    literal = token.literal
    if literal is None or literal.kind != "int" or not isinstance(literal.value, int) or literal.value < 0:
        cursor.fail(token, f"$top takes a non-negative integer, found {token.describe()}")
    return literal.value


_ExpandOption = Callable[[Cursor, ExpandItem], ExpandItem]
_EXPAND_OPTIONS: dict[str, _ExpandOption] = {
    "$select": lambda cursor, item: replace(item, select=_select_list(cursor)),
    "$filter": lambda cursor, item: replace(item, filter=parse_expression(cursor)),
    "$orderby": lambda cursor, item: replace(item, orderby=_orderby_list(cursor)),
    "$top": lambda cursor, item: replace(item, top=_top(cursor)),
    "$expand": lambda cursor, item: replace(item, expand=_expand_list(cursor)),
}
