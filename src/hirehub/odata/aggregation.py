"""``$apply`` aggregation: ``filter`` steps, then one ``groupby`` (with its ``aggregate``) or one ``aggregate``.

The transformations compile to one ``GROUP BY`` statement through the same filter compiler as ``$filter``,
so a path in ``$apply`` is checked (and its tables' Read privilege required) exactly as in a filter.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select, true

from hirehub.odata.edm import NUMBERS
from hirehub.odata.errors import bad_query
from hirehub.odata.filters import Scope
from hirehub.odata.model import EntityType
from hirehub.odata.options import QueryOptions
from hirehub.odata.reading import Reader
from hirehub.odata.syntax import Aggregate, FilterStep, GroupBy, Transformation

AGGREGATES: dict[str, Any] = {"sum": func.sum, "min": func.min, "max": func.max, "average": func.avg}


async def aggregate(reader: Reader, entity: EntityType, options: QueryOptions, *, root: str) -> dict[str, Any]:
    """``$apply``: filters, then at most one ``groupby`` (with its aggregate) or one ``aggregate``."""
    assert options.apply is not None
    reader.on_table(entity.logical_name)
    source = entity.model
    conditions = []
    if options.filter is not None:
        conditions.append(reader.compiler.compile(options.filter, entity, source))
    groups: list[tuple[str, Any]] = []
    measures: list[tuple[str, Any]] = []
    steps: list[Transformation] = list(options.apply)
    while steps:
        step = steps.pop(0)
        if isinstance(step, FilterStep):
            if groups or measures:
                raise bad_query("$apply filters come before groupby and aggregate.")
            conditions.append(reader.compiler.compile(step.predicate, entity, source))
        elif isinstance(step, GroupBy):
            if groups or measures:
                raise bad_query("$apply takes one groupby.")
            for path in step.paths:
                typed = reader.compiler._path(path, Scope(entity, source))
                groups.append(("/".join(path.segments), typed.expression))
            steps = [*step.then, *steps]
        elif isinstance(step, Aggregate):
            if measures:
                raise bad_query("$apply takes one aggregate.")
            measures = [_measure(reader, Scope(entity, source), item) for item in step.items]
        if steps and not isinstance(steps[0], FilterStep | GroupBy | Aggregate):
            raise bad_query("$apply supports filter, groupby and aggregate.")
    if not groups and not measures:
        raise bad_query("$apply needs groupby or aggregate.")
    columns = [expression.label(f"g{i}") for i, (_, expression) in enumerate(groups)]
    columns += [expression.label(f"m{i}") for i, (_, expression) in enumerate(measures)]
    statement = select(*columns).where(and_(true(), *conditions))
    if groups:
        statement = statement.group_by(*[expression for _, expression in groups]).order_by(
            *[expression for _, expression in groups]
        )
    rows = (await reader.session.execute(statement.limit(5000))).all()
    names = [name for name, _ in groups] + [name for name, _ in measures]
    return {
        "@odata.context": f"{root}/$metadata#{entity.entity_set}",
        "value": [dict(zip(names, row, strict=True)) for row in rows],
    }


def _measure(reader: Reader, scope: Scope, item: Any) -> tuple[str, Any]:
    if item.path is None:
        return item.alias, func.count(scope.source.id)
    typed = reader.compiler._path(item.path, scope)
    if item.method == "countdistinct":
        return item.alias, func.count(typed.expression.distinct())
    if item.method in ("sum", "average") and typed.edm_type not in NUMBERS:
        raise bad_query(f"{item.method} applies to numbers; '{'/'.join(item.path.segments)}' is {typed.edm_type}.")
    function = AGGREGATES.get(item.method)
    if function is None:
        raise bad_query(f"The aggregation method '{item.method}' is not supported.")
    return item.alias, function(typed.expression)
