"""The system query options of a request, parsed and checked as Dataverse checks them.

Option names are case-sensitive; ``$skip``, ``$search`` and ``$format`` are refused as Dataverse
refuses them; parameter aliases (``@p1``) are handed to the parser; ``Prefer: odata.maxpagesize`` is
capped at 5,000. Every problem is a 400 in the Dataverse shape before anything touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from hirehub.odata.documents import holds_nul
from hirehub.odata.errors import bad_query
from hirehub.odata.paging import MAX_PAGE_SIZE
from hirehub.odata.syntax import (
    ExpandItem,
    Node,
    ODataSyntaxError,
    OrderBy,
    Transformation,
    parse_apply,
    parse_expand,
    parse_filter,
    parse_orderby,
    parse_select,
)

KNOWN = frozenset({"$select", "$filter", "$orderby", "$top", "$expand", "$count", "$apply", "$skiptoken"})
REFUSED = frozenset({"$skip", "$search", "$format", "$levels", "$compute", "$index", "$schemaversion"})
_MAXPAGESIZE = re.compile(r"odata\.maxpagesize\s*=\s*([0-9]+)")
_COUNT_DIGITS = len(str(MAX_PAGE_SIZE)) + 1
"""Digits enough to tell a count over the maximum; a longer number is over it without converting it."""
PARSED_KEPT = 1024
MAX_ORDERBY = 16
"""Keys of one ``$orderby``: each is a column of every row read, and a database caps a row's columns."""


@dataclass(frozen=True)
class QueryOptions:
    select: tuple[str, ...] | None = None
    filter: Node | None = None
    orderby: tuple[OrderBy, ...] = ()
    top: int | None = None
    expand: tuple[ExpandItem, ...] = ()
    count: bool = False
    apply: tuple[Transformation, ...] | None = None
    skiptoken: str | None = None
    page_size: int = MAX_PAGE_SIZE
    page_size_requested: bool = False


_PARSED: dict[tuple[tuple[tuple[str, str], ...], str | None], QueryOptions] = {}


def parse_options(params: Mapping[str, str], prefer: str | None) -> QueryOptions:
    """The options of a request. A client repeats the same query (and follows next links that differ only in
    ``$skiptoken``), so options parsed once are kept by their text rather than parsed on every page."""
    skiptoken = params.get("$skiptoken")
    key = (tuple(item for item in params.items() if item[0] != "$skiptoken"), prefer)
    options = _PARSED.get(key)
    if options is None:
        options = _parse_options({k: v for k, v in key[0]}, prefer)
        if len(_PARSED) >= PARSED_KEPT:
            _PARSED.clear()
        _PARSED[key] = options
    return options if skiptoken is None else replace(options, skiptoken=skiptoken)


def _parse_options(params: Mapping[str, str], prefer: str | None) -> QueryOptions:
    aliases = {name: value for name, value in params.items() if name.startswith("@")}
    if any(holds_nul(value) for value in params.values()):
        raise bad_query("The query holds the NUL character, which no value can contain.")
    for name in params:
        if name in REFUSED:
            raise bad_query(f"The query parameter {name} is not supported")
        if name.startswith("$") and name not in KNOWN:
            known = ", ".join(sorted(KNOWN - {"$skiptoken"}))
            raise bad_query(
                f"The query parameter {name} is not supported (supported: {known}; names are case-sensitive)"
            )
    try:
        options = QueryOptions(
            select=_select(params.get("$select")),
            filter=parse_filter(params["$filter"], aliases) if "$filter" in params else None,
            orderby=_orderby(params.get("$orderby"), aliases),
            top=_top(params.get("$top")),
            expand=parse_expand(params["$expand"]) if "$expand" in params else (),
            count=_count(params.get("$count")),
            apply=parse_apply(params["$apply"], aliases) if "$apply" in params else None,
        )
    except ODataSyntaxError as exc:
        raise bad_query(f"Syntax error in the query: {exc}") from None
    page_size, requested = _page_size(prefer)
    return QueryOptions(**{**options.__dict__, "page_size": page_size, "page_size_requested": requested})


def _select(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    names = parse_select(text)
    return tuple(dict.fromkeys(names)) if names else None


def _top(text: str | None) -> int | None:
    if text is None:
        return None
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()):
        raise bad_query(f"The value '{text[:40]}' of $top is not a whole number.")
    if len(digits) > _COUNT_DIGITS or int(digits) > MAX_PAGE_SIZE:
        raise bad_query(f"The $top query parameter value should be in the range 0 to {MAX_PAGE_SIZE}.")
    return int(digits)


def _orderby(text: str | None, aliases: Mapping[str, str]) -> tuple[OrderBy, ...]:
    if text is None:
        return ()
    items = parse_orderby(text, aliases)
    if len(items) > MAX_ORDERBY:
        raise bad_query(f"$orderby takes at most {MAX_ORDERBY} keys.")
    return items


def _count(text: str | None) -> bool:
    if text is None:
        return False
    if text not in ("true", "false"):
        raise bad_query(f"$count is true or false, not '{text}'.")
    return text == "true"


def _page_size(prefer: str | None) -> tuple[int, bool]:
    match = _MAXPAGESIZE.search(prefer or "")
    if match is None:
        return MAX_PAGE_SIZE, False
    digits = match.group(1)
    size = MAX_PAGE_SIZE if len(digits) > _COUNT_DIGITS else int(digits)
    if size < 1:
        raise bad_query("odata.maxpagesize must be at least 1.")
    return min(size, MAX_PAGE_SIZE), True
