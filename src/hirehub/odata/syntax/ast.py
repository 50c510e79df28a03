"""The trees the query-option parsers produce: the contract between parsing and SQL compilation.

Every node is a frozen dataclass so trees compare by value (tests state expected trees literally),
hash (a compiler may cache on them) and cannot be mutated between parse and use. The nodes say what
the client wrote, not what it means for a table: resolving names against the entity model, typing
and turning nodes into SQL is the compiler's job.

Lambda variables are not a separate node: inside ``nav/any(s: s/x eq 1)`` the path is
``Path(("s", "x"))`` and a compiler tells variables from properties by tracking the ``variable`` of
each enclosing :class:`Lambda` while it descends.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from dataclasses import dataclass
from typing import TypeAlias

LiteralValue: TypeAlias = (
    str | int | float | decimal.Decimal | bool | datetime.date | datetime.datetime | uuid.UUID | None
)

LITERAL_KINDS = ("string", "int", "decimal", "float", "bool", "null", "date", "datetimeoffset", "guid")
COMPARISON_OPERATORS = ("eq", "ne", "gt", "ge", "lt", "le")
LAMBDA_KINDS = ("any", "all")
AGGREGATE_METHODS = ("sum", "min", "max", "average", "countdistinct")


@dataclass(frozen=True, slots=True)
class Literal:
    """A typed constant; ``kind`` is one of :data:`LITERAL_KINDS` (``datetimeoffset`` values are aware)."""

    value: LiteralValue
    kind: str


@dataclass(frozen=True, slots=True)
class Path:
    """A property path, e.g. ``("mshr_firstname",)`` or through a lookup ``("mshr_FK_Person_id", "mshr_lastname")``.

    Inside a lambda the first segment may be the lambda variable; ``$it`` may open a path.
    """

    segments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Compare:
    """``left op right`` with ``op`` one of :data:`COMPARISON_OPERATORS`."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class Call:
    """A canonical OData function such as ``contains(a,'x')``; arity is checked by the parser."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class In:
    """OData 4.01 ``operand in (v1, v2, ...)``."""

    operand: Node
    values: tuple[Literal, ...]


@dataclass(frozen=True, slots=True)
class QueryFunction:
    """A Dataverse query function ``Microsoft.Dynamics.CRM.<name>(PropertyName='p', ...)``.

    ``values`` holds ``PropertyValue`` (one), ``PropertyValues`` (the list), ``PropertyValue1`` and
    ``PropertyValue2`` (two, in that order), or nothing for functions such as ``Today``.
    """

    name: str
    property: str
    values: tuple[Literal, ...]


@dataclass(frozen=True, slots=True)
class Lambda:
    """``collection/any(v: predicate)`` or ``collection/all(v: predicate)``; bare ``any()`` has neither."""

    collection: Path
    kind: str
    variable: str | None
    predicate: Node | None


Node: TypeAlias = Literal | Path | Compare | And | Or | Not | Call | In | QueryFunction | Lambda


@dataclass(frozen=True, slots=True)
class OrderBy:
    path: Path
    descending: bool


@dataclass(frozen=True, slots=True)
class ExpandItem:
    """One navigation property of ``$expand`` with the options nested in its parentheses."""

    navigation: str
    select: tuple[str, ...] | None = None
    filter: Node | None = None
    orderby: tuple[OrderBy, ...] = ()
    top: int | None = None
    expand: tuple[ExpandItem, ...] = ()


@dataclass(frozen=True, slots=True)
class AggregateItem:
    """``$count as alias`` (``path`` None, ``method`` "count") or ``path with method as alias``."""

    path: Path | None
    method: str
    alias: str


@dataclass(frozen=True, slots=True)
class Aggregate:
    items: tuple[AggregateItem, ...]


@dataclass(frozen=True, slots=True)
class GroupBy:
    """``groupby((a,b))`` or ``groupby((a,b), aggregate(...))``: ``then`` applies to each group."""

    paths: tuple[Path, ...]
    then: tuple[Transformation, ...] = ()


@dataclass(frozen=True, slots=True)
class FilterStep:
    predicate: Node


Transformation: TypeAlias = Aggregate | GroupBy | FilterStep
