"""Admin inputs a database can hold: no NUL, no lone surrogate, in the path or anywhere in a JSON body.

PostgreSQL's text types refuse NUL and neither engine's driver encodes a lone surrogate (``"\\ud800"``), so either
reached a query as a 500, and SQLite would store a NUL that PostgreSQL refuses. Checked once for every admin
operation, after the caller is known, so both engines answer the same 400 before anything is looked up.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import Request

from hirehub.errors import Invalid
from hirehub.odata.documents import holds_nul, parse


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key, where)
            yield from _strings(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, where)


async def refuse_what_no_column_holds(request: Request) -> None:
    """:class:`~hirehub.errors.Invalid` when the path or the JSON body carries text no column can hold."""
    for name, value in request.path_params.items():
        if holds_nul(str(value)):
            raise Invalid(f"{name} holds the NUL character, which no stored text can contain", field=name)
    body = await request.body()
    if not body or "json" not in request.headers.get("content-type", "json"):
        return
    try:
        document = parse(body)
    except ValueError:
        raise Invalid("the body is not JSON the hub can hold (malformed, a lone surrogate, or nested too deep)",
                      field="body") from None  # fmt: skip
    for field, text in _strings(document, ""):
        if holds_nul(text):
            raise Invalid(f"{field or 'the body'} holds the NUL character, which no stored text can contain",
                          field=field or "body")  # fmt: skip
