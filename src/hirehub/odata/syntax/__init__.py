"""A pure parser for the OData v4 query options Microsoft Dataverse's Web API accepts.

It turns ``$filter``, ``$orderby``, ``$select``, ``$expand`` and ``$apply`` strings (already
percent-decoded) into frozen dataclass trees (:mod:`hirehub.odata.syntax.ast`) and nothing else: no
I/O, no knowledge of tables, no SQL. Keeping syntax apart from meaning lets the compiler that turns
trees into SQLAlchemy assume well-formed input, and lets every malformed input fail the same way,
with :class:`ODataSyntaxError` pointing at the offending text.
"""

from hirehub.odata.syntax.apply import parse_apply
from hirehub.odata.syntax.ast import (
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
    Or,
    OrderBy,
    Path,
    QueryFunction,
    Transformation,
)
from hirehub.odata.syntax.cursor import MAX_NESTING
from hirehub.odata.syntax.errors import ODataSyntaxError
from hirehub.odata.syntax.filter import MAX_DEPTH, parse_filter
from hirehub.odata.syntax.options import parse_expand, parse_orderby, parse_select

__all__ = [
    "MAX_DEPTH",
    "MAX_NESTING",
    "Aggregate",
    "AggregateItem",
    "And",
    "Call",
    "Compare",
    "ExpandItem",
    "FilterStep",
    "GroupBy",
    "In",
    "Lambda",
    "Literal",
    "Node",
    "Not",
    "ODataSyntaxError",
    "Or",
    "OrderBy",
    "Path",
    "QueryFunction",
    "Transformation",
    "parse_apply",
    "parse_expand",
    "parse_filter",
    "parse_orderby",
    "parse_select",
]
