"""JSON documents from callers, parsed so that what a database or the parser itself cannot take is refused.

orjson's parser refuses a lone surrogate (``"\\ud800"``, which no UTF-8 column can store) and nesting beyond its
depth limit, where :func:`json.loads` returns the surrogate and meets a ``RecursionError`` on a wall of brackets.
Both then become one ``ValueError``, which each caller answers as the 400 of its protocol.
"""

from __future__ import annotations

from typing import Any

import orjson

NUL = "\x00"
"""PostgreSQL's text types cannot hold it and SQLite would store it: refused in every value, so both agree."""


def parse(body: bytes | str) -> Any:
    """The document in ``body``; ``ValueError`` when it is not JSON the hub can hold."""
    return orjson.loads(body)


def holds_nul(text: str) -> bool:
    return NUL in text
