"""What the API does beyond reading and writing rows: the bound *Hire* action on a candidate to hire, and
``$apply`` aggregation (``filter``, ``groupby``, ``aggregate``).

*Hire* calls the same domain service as the console's *Hire new worker* dialog, so the API and the
console cannot hire differently; it needs Write on the candidate and Create on the worker table, which
an ATS's *Recruiting application* role does not grant — HR hires, the ATS proposes.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select, true

from hirehub.api.dataverse_errors import DataverseError
from hirehub.hr import services
from hirehub.hr.domain import HireDetails
from hirehub.odata.csdl import HIRE_ACTION
from hirehub.odata.errors import bad_payload, bad_query, record_not_found, resource_not_found
from hirehub.odata.filters import Scope
from hirehub.odata.model import EntityType
from hirehub.odata.options import QueryOptions
from hirehub.odata.reading import Reader
from hirehub.odata.resource_path import ResourcePath
from hirehub.odata.responses import odata_json
from hirehub.odata.syntax import Aggregate, FilterStep, GroupBy, Transformation
from hirehub.odata.writing import Writer
from hirehub.security.privileges import Privilege

CANDIDATE_TABLE = "mshr_hcmcandidatetohireentity"
WORKER_TABLE = "mshr_hcmworkerentity"
HIRE_PARAMETERS = frozenset({"StartDate", "PositionId", "ManagerId", "CompanyCode", "FirstName", "LastName", "Email",
                             "Phone"})  # fmt: skip


async def bound_action(writer: Writer, entity: EntityType, resource: ResourcePath, body: Any, root: str) -> Any:
    if resource.action != HIRE_ACTION or entity.logical_name != CANDIDATE_TABLE:
        raise resource_not_found(f"Microsoft.Dynamics.CRM.{resource.action}")
    assert resource.key is not None
    writer.require(CANDIDATE_TABLE, Privilege.WRITE)
    writer.require(WORKER_TABLE, Privilege.CREATE)
    if not isinstance(body, dict):
        raise bad_payload("The Hire action takes a JSON object of parameters.")
    unknown = set(body) - HIRE_PARAMETERS
    if unknown:
        raise bad_payload(f"The Hire action has no parameter {', '.join(sorted(unknown))} (it takes "
                          f"{', '.join(sorted(HIRE_PARAMETERS))}).")  # fmt: skip
    candidate = await writer.find(entity, resource.key)
    if candidate is None:
        raise record_not_found(entity.logical_name, str(resource.key))
    details = HireDetails(
        start_date=_date(body.get("StartDate")),
        first_name=_text(body, "FirstName"), last_name=_text(body, "LastName"),
        email=_text(body, "Email"), phone=_text(body, "Phone"),
    )  # fmt: skip
    outcome = await services.hire(
        writer.session, candidate.id, details, position_id=_guid(body.get("PositionId"), "PositionId"),
        manager_id=_guid(body.get("ManagerId"), "ManagerId"), company_code=_text(body, "CompanyCode"),
    )  # fmt: skip
    await writer.session.flush()
    worker_type = writer.model.entity_type(WORKER_TABLE)
    reader = Reader(writer.session, writer.model, lambda table: None, outcome.worker.created_at)
    record = await reader.one(worker_type, worker_type.model.id == outcome.worker.id, None, ())
    assert record is not None
    return odata_json({"@odata.context": f"{root}/$metadata#{worker_type.entity_set}/$entity", **record})


def _date(raw: Any) -> date | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise bad_payload('StartDate is a date, e.g. "2026-12-01".')
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise bad_payload(f"StartDate '{raw}' is not a date (YYYY-MM-DD).") from None


def _guid(raw: Any, name: str) -> uuid.UUID | None:
    if raw is None:
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise bad_payload(f"{name} is a GUID.") from None


def _text(body: dict[str, Any], name: str) -> str | None:
    raw = body.get(name)
    if raw is not None and not isinstance(raw, str):
        raise bad_payload(f"{name} is a string.")
    return raw


# --- $apply -------------------------------------------------------------------------------------------

AGGREGATES: dict[str, Any] = {"sum": func.sum, "min": func.min, "max": func.max, "average": func.avg}


async def aggregate(reader: Reader, entity: EntityType, options: QueryOptions, root: str) -> dict[str, Any]:
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
            measures = [_measure(reader, entity, source, item) for item in step.items]
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


def _measure(reader: Reader, entity: EntityType, source: Any, item: Any) -> tuple[str, Any]:
    if item.path is None:
        return item.alias, func.count(source.id)
    typed = reader.compiler._path(item.path, Scope(entity, source))
    if item.method == "countdistinct":
        return item.alias, func.count(typed.expression.distinct())
    if item.method in ("sum", "average") and typed.edm_type not in ("Edm.Int32", "Edm.Int64", "Edm.Decimal"):
        raise bad_query(f"{item.method} applies to numbers; '{'/'.join(item.path.segments)}' is {typed.edm_type}.")
    function = AGGREGATES.get(item.method)
    if function is None:
        raise DataverseError(400, "0x80060888", f"The aggregation method '{item.method}' is not supported.")
    return item.alias, function(typed.expression)
