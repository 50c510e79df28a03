"""``$filter`` trees compiled to SQLAlchemy expressions, with every constant a bound parameter.

A path through lookups becomes a correlated scalar subquery and a lambda over a collection an
``EXISTS``, so the outer query keeps one row per record (paging stays exact) and each table a filter
touches is checked for the Read privilege. String comparisons are case-insensitive, as Dataverse's are.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, extract, false, func, literal, not_, or_, select, true
from sqlalchemy.orm import aliased

from hirehub.db.base import record_of
from hirehub.odata.edm import INTEGERS, EdmType
from hirehub.odata.errors import bad_query, unknown_property
from hirehub.odata.model import EntityModel, EntityType
from hirehub.odata.syntax import And, Call, Compare, In, Lambda, Literal, Node, Not, Or, Path, QueryFunction

Column = ColumnElement[Any]
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
}  # fmt: skip


@dataclass(frozen=True)
class Typed:
    """A compiled operand and what it is: its EDM type, and whether it is a constant."""

    expression: Any
    edm_type: EdmType | None
    constant: Literal | None = None


@dataclass
class Scope:
    """Where a path starts: the entity type, the (possibly aliased) class, and lambda variables."""

    entity: EntityType
    source: Any
    variables: dict[str, tuple[EntityType, Any]] = field(default_factory=dict)


class FilterCompiler:
    """Compiles one request's filter; ``on_table`` is told of every table it reads (for privileges)."""

    def __init__(self, model: EntityModel, on_table: Callable[[str], None], now: datetime | None = None) -> None:
        self.model = model
        self.on_table = on_table
        self._now = now or datetime.now(UTC)
        self.reads_clock = False
        """Whether a condition compiled so far depends on the time of the request (``now()``, ``Today``…):
        such a condition cannot be reused for a later request."""
        self.subqueries = 0
        """How many subqueries over other rows (lookup hops, lambdas) this compiler has built. A statement
        holding one reaches rows that a tenant condition on the outer table does not cover, so the reader
        runs it through the ORM session, whose tenant criterion reaches every table in it."""

    @property
    def now(self) -> datetime:
        self.reads_clock = True
        return self._now

    def compile(self, node: Node, entity: EntityType, source: Any) -> Column:
        return self._boolean(node, Scope(entity, source))

    # --- booleans ---------------------------------------------------------------------------------

    def _boolean(self, node: Node, scope: Scope) -> Column:
        if isinstance(node, And):
            return and_(self._boolean(node.left, scope), self._boolean(node.right, scope))
        if isinstance(node, Or):
            return or_(self._boolean(node.left, scope), self._boolean(node.right, scope))
        if isinstance(node, Not):
            return not_(self._boolean(node.operand, scope))
        if isinstance(node, Compare):
            return self._compare(node, scope)
        if isinstance(node, Call):
            return self._predicate_call(node, scope)
        if isinstance(node, In):
            operand = self._operand(node.operand, scope)
            return self._column_in(operand, node.values)
        if isinstance(node, QueryFunction):
            return self._query_function(node, scope)
        if isinstance(node, Lambda):
            return self._lambda(node, scope)
        if isinstance(node, Literal) and node.kind == "bool":
            return true() if node.value else false()
        if isinstance(node, Path):
            typed = self._path(node, scope)
            if typed.edm_type == EdmType.BOOLEAN:
                return typed.expression == true()
        raise bad_query(f"The expression '{_describe(node)}' is not a condition (true or false).")

    def _compare(self, node: Compare, scope: Scope) -> Column:
        left, right = self._operand(node.left, scope), self._operand(node.right, scope)
        if left.constant is not None and right.constant is None:
            left, right = right, left
            node = Compare(_MIRRORED[node.op], node.right, node.left)
        if right.constant is not None and right.constant.kind == "null":
            if node.op not in ("eq", "ne"):
                raise bad_query(f"null can only be compared with eq or ne, not {node.op}.")
            return left.expression.is_(None) if node.op == "eq" else left.expression.is_not(None)
        left_value, right_value = left.expression, self._coerce(right, left.edm_type)
        if left.edm_type == EdmType.STRING or (left.edm_type is None and right.edm_type == EdmType.STRING):
            left_value, right_value = func.lower(left_value), func.lower(right_value)
        return COMPARISONS[node.op](left_value, right_value)

    # --- operands ---------------------------------------------------------------------------------

    def _operand(self, node: Node, scope: Scope) -> Typed:
        if isinstance(node, Literal):
            return Typed(_bind(node), _LITERAL_TYPES.get(node.kind), node)
        if isinstance(node, Path):
            return self._path(node, scope)
        if isinstance(node, Call):
            return self._value_call(node, scope)
        raise bad_query(f"'{_describe(node)}' cannot be used as a value here.")

    def _coerce(self, operand: Typed, edm_type: EdmType | None) -> Any:
        """A constant compared with a property takes the property's type (a GUID written as a string, a
        date written as a string); anything that cannot is refused rather than compared loosely."""
        constant = operand.constant
        if constant is None or edm_type is None:
            return operand.expression
        value = constant.value
        try:
            if edm_type == EdmType.GUID and isinstance(value, str):
                value = uuid.UUID(value)
            elif edm_type == EdmType.DATE and isinstance(value, str):
                value = date.fromisoformat(value)
            elif edm_type == EdmType.DATE and isinstance(value, datetime):
                value = value.date()
            elif edm_type == EdmType.DATE_TIME_OFFSET and isinstance(value, date) and not isinstance(value, datetime):
                value = datetime.combine(value, time(), UTC)
            elif edm_type == EdmType.DATE_TIME_OFFSET and isinstance(value, str):
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            elif edm_type in INTEGERS and isinstance(value, str) and value.lstrip("-").isdigit():
                value = int(value)
            elif edm_type == EdmType.DECIMAL and isinstance(value, int | float | str) and not isinstance(value, bool):
                value = Decimal(str(value))
        except ValueError:
            raise bad_query(f"The value {value!r} cannot be compared with a property of type {edm_type}.") from None
        if not _fits(value, edm_type):
            raise bad_query(f"The value {value!r} cannot be compared with a property of type {edm_type}.")
        return literal(value)

    def _path(self, node: Path, scope: Scope) -> Typed:
        segments = list(node.segments)
        entity, source = scope.entity, scope.source
        if segments and segments[0] in scope.variables:
            entity, source = scope.variables[segments.pop(0)]
        elif segments and segments[0] == "$it":
            segments.pop(0)
        if not segments:
            raise bad_query(f"The path '{'/'.join(node.segments)}' names no property.")
        return self._walk(entity, source, segments)

    def _walk(self, entity: EntityType, source: Any, segments: list[str]) -> Typed:
        name = segments[0]
        if len(segments) == 1:
            column, edm_type = self._column(entity, source, name)
            return Typed(column, edm_type)
        lookup = entity.lookups.get(name)
        if lookup is None:
            if name in entity.collections:
                raise bad_query(f"'{name}' is a collection: use {name}/any(x: …) or {name}/all(x: …).")
            raise unknown_property(name, entity.logical_name)
        target = self.model.entity_type(lookup.target)
        self.on_table(target.logical_name)
        self.subqueries += 1
        hop: Any = aliased(target.model)
        inner = self._walk(target, hop, segments[1:])
        reference = getattr(source, lookup.foreign_key)
        subquery = select(inner.expression).where(record_of(hop, reference)).limit(1).scalar_subquery()
        return Typed(subquery, inner.edm_type)

    @staticmethod
    def _column(entity: EntityType, source: Any, name: str) -> tuple[Any, EdmType]:
        if name == entity.key:
            return source.id, EdmType.GUID
        prop = entity.properties.get(name)
        if prop is not None:
            return getattr(source, prop.attribute), prop.edm_type
        lookup = entity.lookup_by_value(name)
        if lookup is not None:
            return getattr(source, lookup.foreign_key), EdmType.GUID
        raise unknown_property(name, entity.logical_name)

    # --- functions --------------------------------------------------------------------------------

    def _predicate_call(self, node: Call, scope: Scope) -> Column:
        if node.name in ("contains", "startswith", "endswith"):
            subject = self._operand(node.args[0], scope)
            needle = node.args[1]
            if not isinstance(needle, Literal) or not isinstance(needle.value, str):
                raise bad_query(f"{node.name}() compares with a string constant, e.g. {node.name}(mshr_lastname,'an').")
            escaped = needle.value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = {"contains": f"%{escaped}%", "startswith": f"{escaped}%", "endswith": f"%{escaped}"}[node.name]
            return subject.expression.ilike(pattern, escape="\\")
        typed = self._value_call(node, scope)
        if typed.edm_type == EdmType.BOOLEAN:
            return typed.expression == true()
        raise bad_query(f"{node.name}() is not a condition (true or false).")

    def _value_call(self, node: Call, scope: Scope) -> Typed:
        args = [self._operand(a, scope) for a in node.args]
        name = node.name
        if name in ("tolower", "toupper", "trim"):
            return Typed({"tolower": func.lower, "toupper": func.upper, "trim": func.trim}[name](args[0].expression),
                         EdmType.STRING)  # fmt: skip
        if name == "length":
            return Typed(func.length(args[0].expression), EdmType.INT32)
        if name in ("year", "month", "day", "hour", "minute", "second"):
            return Typed(extract(name, args[0].expression), EdmType.INT32)
        if name == "now":
            return Typed(literal(self.now), EdmType.DATE_TIME_OFFSET)
        if name == "concat":
            return Typed(func.coalesce(args[0].expression, "") + func.coalesce(args[1].expression, ""), EdmType.STRING)
        raise bad_query(f"The function {name}() is not supported in $filter.")

    def _column_in(self, operand: Typed, values: tuple[Literal, ...]) -> Column:
        if not values:
            return false()
        coerced = [self._coerce(Typed(_bind(v), _LITERAL_TYPES.get(v.kind), v), operand.edm_type) for v in values]
        if operand.edm_type == EdmType.STRING:
            return func.lower(operand.expression).in_([func.lower(c) for c in coerced])
        return operand.expression.in_(coerced)

    def _query_function(self, node: QueryFunction, scope: Scope) -> Column:
        operand = self._walk(scope.entity, scope.source, [node.property])
        name = node.name
        column = operand.expression
        if name in ("In", "NotIn"):
            condition = self._column_in(operand, node.values)
            return not_(condition) if name == "NotIn" else condition
        if name in ("Between", "NotBetween"):
            if len(node.values) != 2:
                raise bad_query(f"{name} takes two PropertyValues: the lower and the upper bound.")
            low, high = (self._coerce(Typed(_bind(v), None, v), operand.edm_type) for v in node.values)
            condition = column.between(low, high)
            return not_(condition) if name == "NotBetween" else condition
        if name in ("Null", "NotNull"):
            return column.is_(None) if name == "Null" else column.is_not(None)
        if name in ("Equal", "NotEqual") and len(node.values) == 1:
            value = self._coerce(Typed(_bind(node.values[0]), None, node.values[0]), operand.edm_type)
            return column == value if name == "Equal" else column != value
        return self._date_function(node, column, operand.edm_type)

    def _date_function(self, node: QueryFunction, column: Any, edm_type: EdmType | None) -> Column:
        today = self.now.date()
        days = self._days(node) if node.name in ("LastXDays", "NextXDays") else 0
        ranges: dict[str, tuple[date, date]] = {
            "Today": (today, today + timedelta(days=1)),
            "Yesterday": (today - timedelta(days=1), today),
            "Tomorrow": (today + timedelta(days=1), today + timedelta(days=2)),
            "LastXDays": (today - timedelta(days=days), today + timedelta(days=1)),
            "NextXDays": (today, today + timedelta(days=days + 1)),
        }
        if node.name in ranges:
            start, end = ranges[node.name]
        elif node.name in ("On", "OnOrAfter", "OnOrBefore") and len(node.values) == 1:
            day = _as_date(node.values[0])
            start, end = {"On": (day, day + timedelta(days=1)), "OnOrAfter": (day, date.max),
                          "OnOrBefore": (date.min, day + timedelta(days=1))}[node.name]  # fmt: skip
        else:
            raise bad_query(f"The query function Microsoft.Dynamics.CRM.{node.name} is not supported.")
        if edm_type == EdmType.DATE_TIME_OFFSET:
            low: Any = datetime.combine(start, time(), UTC) if start != date.min else None
            high: Any = datetime.combine(end, time(), UTC) if end != date.max else None
        elif edm_type == EdmType.DATE:
            low, high = (start if start != date.min else None), (end if end != date.max else None)
        else:
            raise bad_query(f"{node.name} applies to date and time columns only.")
        conditions = [c for c in (column >= low if low else None, column < high if high else None) if c is not None]
        return and_(*conditions)

    @staticmethod
    def _days(node: QueryFunction) -> int:
        if len(node.values) != 1:
            raise bad_query(f"{node.name} takes one PropertyValue: the number of days.")
        value = node.values[0].value
        try:
            days = int(str(value))
        except ValueError:
            raise bad_query(f"{node.name} takes a whole number of days, not {value!r}.") from None
        if not 0 <= days <= 36_500:
            raise bad_query(f"{node.name} takes between 0 and 36500 days.")
        return days

    def _lambda(self, node: Lambda, scope: Scope) -> Column:
        segments = list(node.collection.segments)
        entity, source = scope.entity, scope.source
        if segments and segments[0] in scope.variables:
            entity, source = scope.variables[segments.pop(0)]
        if len(segments) != 1 or segments[0] not in entity.collections:
            raise bad_query(f"'{'/'.join(node.collection.segments)}' is not a collection of {entity.logical_name}.")
        collection = entity.collections[segments[0]]
        target = self.model.entity_type(collection.target)
        self.on_table(target.logical_name)
        self.subqueries += 1
        member: Any = aliased(target.model)
        correlated = record_of(source, getattr(member, collection.foreign_key))
        if node.predicate is None or node.variable is None:
            return exists(select(member.id).where(correlated))
        inner = Scope(scope.entity, scope.source, {**scope.variables, node.variable: (target, member)})
        predicate = self._boolean(node.predicate, inner)
        if node.kind == "any":
            return exists(select(member.id).where(correlated, predicate))
        return not_(exists(select(member.id).where(correlated, not_(func.coalesce(predicate, false())))))


_MIRRORED = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
_LITERAL_TYPES = {
    "string": EdmType.STRING, "int": EdmType.INT32, "decimal": EdmType.DECIMAL, "float": EdmType.DECIMAL,
    "bool": EdmType.BOOLEAN, "date": EdmType.DATE, "datetimeoffset": EdmType.DATE_TIME_OFFSET, "guid": EdmType.GUID,
}  # fmt: skip


def _bind(node: Literal) -> Any:
    return literal(node.value)


def _fits(value: Any, edm_type: EdmType) -> bool:
    expected: dict[str, tuple[type, ...]] = {
        EdmType.STRING: (str,), EdmType.GUID: (uuid.UUID,), EdmType.BOOLEAN: (bool,), EdmType.DATE: (date,),
        EdmType.DATE_TIME_OFFSET: (datetime,), EdmType.DECIMAL: (Decimal,), EdmType.INT32: (int,),
        EdmType.INT64: (int,),
    }  # fmt: skip
    types = expected.get(edm_type)
    if types is None:
        return True
    if edm_type in INTEGERS and isinstance(value, bool):
        return False
    if edm_type == EdmType.DATE and isinstance(value, datetime):
        return False
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            value.astimezone(UTC)  # a column holds UTC: 9999-12-31T23:59:59-01:00 is past its last day
        except OverflowError:
            return False
    return isinstance(value, types)


def _as_date(node: Literal) -> date:
    value = node.value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise bad_query(f"{value!r} is not a date (YYYY-MM-DD).") from None


def _describe(node: Node) -> str:
    if isinstance(node, Path):
        return "/".join(node.segments)
    if isinstance(node, Literal):
        return repr(node.value)
    return type(node).__name__
