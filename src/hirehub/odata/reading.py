"""Reading records: one statement per page (plus one per expanded navigation), shaped as Dataverse
shapes them — ``@odata.etag``, the primary id always present, lookups as ``_<navigation>_value``.

Only the columns a request selects are loaded. Filters, orderings and skiptoken values reach SQL as
bound parameters. Every table a request reads, directly or through a filter, an ordering or an
expansion, is checked for the Read privilege before anything is fetched.

A statement over one table only runs as Core on the session's connection, with the condition
``tenant_id = <the session's tenant>`` written into it: the ORM's execution (its tenant criterion added
per statement, its row loading) costs close to a millisecond on a page of 50 and a sixth of the time of
a page of 5,000 on PostgreSQL. A statement with a subquery over other rows (a lookup path, a lambda)
runs through the ORM session, whose criterion reaches every table in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import CHAR, ColumnElement, Dialect, TypeDecorator, Uuid, and_, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from hirehub.db.base import TenantOwned
from hirehub.db.driver_rows import fetch_all
from hirehub.db.session import SYSTEM_KEY, TENANT_KEY
from hirehub.odata.budget import Budget
from hirehub.odata.edm import EdmType
from hirehub.odata.errors import bad_query, unknown_property
from hirehub.odata.filters import FilterCompiler, Scope
from hirehub.odata.model import EntityModel, EntityType
from hirehub.odata.paging import MAX_PAGE_SIZE, SortKey, after, decode_token, encode_token
from hirehub.odata.syntax import ExpandItem, Node, OrderBy

Record = dict[str, Any]
MAX_EXPAND_DEPTH = 3


@dataclass(frozen=True)
class Shaper:
    """Turns a row tuple into a record as Dataverse writes it, for one entity type and one ``$select``.

    Built once per (type, selection) and cached on the type. Values stay as the database gives them (GUIDs, dates,
    timestamps, decimals); the response encoder writes them in Dataverse's form
    (:mod:`hirehub.odata.responses`)."""

    key: str
    attributes: tuple[str, ...]
    """The ORM attributes to load, in row order: always the id and the version first."""
    fields: tuple[tuple[str, int], ...]
    shape: Callable[[Sequence[Any]], Record] = field(compare=False, repr=False)
    """One row to one record: a function written for this selection (see :func:`_record_function`)."""

    @staticmethod
    def of(entity: EntityType, select_names: Sequence[str] | None) -> Shaper:
        selection = tuple(select_names) if select_names is not None else None
        cached: Shaper | None = entity.shapers.get(selection)
        if cached is None:
            cached = entity.shapers.setdefault(selection, Shaper._build(entity, selection))
        return cached

    @staticmethod
    def _build(entity: EntityType, select_names: tuple[str, ...] | None) -> Shaper:
        attributes: list[str] = ["id", "version"]
        fields: list[tuple[str, int]] = []
        for name in select_names if select_names is not None else entity.selectable():
            if name == entity.key:
                continue
            prop = entity.properties.get(name)
            if prop is not None:
                attribute = prop.attribute
            else:
                lookup = entity.lookup_by_value(name)
                if lookup is None:
                    raise unknown_property(name, entity.logical_name)
                attribute = lookup.foreign_key
            if attribute not in attributes:
                attributes.append(attribute)
            fields.append((name, attributes.index(attribute)))
        shape = _record_function(entity.key, tuple(fields))
        return Shaper(entity.key, tuple(attributes), tuple(fields), shape)

    def __call__(self, row: Sequence[Any]) -> Record:
        return self.shape(row)

    def many(self, rows: Sequence[Sequence[Any]]) -> list[Record]:
        shape = self.shape
        return [shape(row) for row in rows]


def _record_function(key: str, fields: tuple[tuple[str, int], ...]) -> Callable[[Sequence[Any]], Record]:
    """The function that turns one row into one record, written out for these fields as :mod:`dataclasses`
    writes an ``__init__``: far cheaper per row than a loop over the fields, which was the largest cost of a
    paged read after the database (docs/decisions/0005-compiled-row-readers.md).

    Nothing from a request reaches the source text but through :func:`repr` of a property name the entity
    model already declared (:meth:`Shaper._build` refuses any other), and the row positions are integers."""
    entries = ["'@odata.etag': f'W/\"{row[1]}\"'"]
    entries += [f"{name!r}: row[{int(index)}]" for name, index in fields]
    entries.append(f"{key!r}: str(row[0])")
    source = f"def shape(row):\n    return {{{', '.join(entries)}}}\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<record of {key}>", "exec"), {"__builtins__": {"str": str}}, namespace)
    function: Callable[[Sequence[Any]], Record] = namespace["shape"]
    return function


class GuidText(TypeDecorator[Any]):
    """A record id read for output. SQLite stores a GUID as 32 hex digits, which SQLAlchemy turns into a
    ``uuid.UUID`` that the shaper turns back into text: both cost more per row than the rest of the row, so
    the digits are hyphenated as they come. PostgreSQL's driver hands over its own UUID, whose text is cheap,
    and gets no processing at all."""

    impl = Uuid
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        return dialect.type_descriptor(Uuid() if dialect.supports_native_uuid else CHAR(32))

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        return None if dialect.supports_native_uuid else super().result_processor(dialect, coltype)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, str) and len(value) == 32:
            digits = value.lower()
            return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
        return value if value is None else str(uuid.UUID(str(value)))


@dataclass(frozen=True)
class _Plan:
    """A page's statement before its skiptoken condition, and what it was built from."""

    statement: Select[Any]
    keys: tuple[SortKey, ...]
    conditions: tuple[ColumnElement[bool], ...]
    """The request's own conditions (for ``$count``), without the tenant's."""
    shaper: Shaper
    tenant_id: uuid.UUID | None
    """Set when ``statement`` holds ``tenant_id = <tenant_id>`` and so may run as Core."""
    tables: tuple[str, ...]
    """The tables the filter and ordering read: checked again for Read each time the plan is reused."""


_PlanKey = tuple[uuid.UUID, str, tuple[str, ...] | None, Node | None, tuple[OrderBy, ...], int]
_PLANS: dict[_PlanKey, _Plan] = {}
PLANS_KEPT = 1024


@dataclass(frozen=True)
class Page:
    records: list[Record]
    next_token: str | None
    count: int | None = None


@dataclass
class Reader:
    """Reads one entity type for one request; ``on_table`` checks Read on every table touched."""

    session: AsyncSession
    model: EntityModel
    on_table: Callable[[str], None]
    now: datetime
    compiler: FilterCompiler = field(init=False)
    budget: Budget | None = None
    """The rows a ``$batch`` has left, spent as rows are fetched; a lone request has none."""

    def __post_init__(self) -> None:
        self.compiler = FilterCompiler(self.model, self.on_table, self.now)

    # --- collections ------------------------------------------------------------------------------

    async def page(
        self, entity: EntityType, *, select_names: Sequence[str] | None, filter_node: Node | None,
        orderby: Sequence[OrderBy], top: int | None, page_size: int, skiptoken: str | None,
        expand: Sequence[ExpandItem], count: bool, extra: Sequence[ColumnElement[bool]] = (),
    ) -> Page:  # fmt: skip
        self.on_table(entity.logical_name)
        self.check_expand(entity, expand)
        limit = top if top is not None else page_size + 1
        plan = self._plan(entity, select_names, filter_node=filter_node, orderby=orderby, limit=limit, extra=extra)
        total = await self.count(entity, plan.conditions) if count else None
        statement = plan.statement
        if skiptoken is not None:
            statement = statement.where(after(list(plan.keys), decode_token(skiptoken, list(plan.keys))))
        rows = await self._run(entity.model, statement, plan.tenant_id)
        self._spend(len(rows))
        shaper = plan.shaper
        next_token = None
        if top is None and len(rows) > page_size:
            rows = rows[:page_size]
            last = rows[-1]
            next_token = encode_token([last[i] for i in _key_positions(entity.model, shaper, plan.keys)])
        records = shaper.many(rows)
        await self.expand(entity, records, expand, depth=1)
        return Page(records, next_token, total)

    def _plan(
        self, entity: EntityType, select_names: Sequence[str] | None, *, filter_node: Node | None,
        orderby: Sequence[OrderBy], limit: int, extra: Sequence[ColumnElement[bool]],
    ) -> _Plan:  # fmt: skip
        """The page's statement before any skiptoken condition. An ATS asks the same query again and again;
        compiling its filter, building the statement and computing its cache key cost as much as a small page,
        so a statement over one table that does not depend on the clock is kept per tenant and reused."""
        tenant_id = self._core_tenant(entity.model)
        cache_key: _PlanKey | None = None
        if tenant_id is not None and not extra:
            selection = tuple(select_names) if select_names is not None else None
            cache_key = (tenant_id, entity.logical_name, selection, filter_node, tuple(orderby), limit)
            try:
                cached = _PLANS.get(cache_key)
            except TypeError:  # a literal that cannot be hashed: build the statement afresh
                cached, cache_key = None, None
            if cached is not None:
                for table in cached.tables:
                    self.on_table(table)
                return cached
        tables: list[str] = []

        def on_table(table: str) -> None:
            tables.append(table)
            self.on_table(table)

        self.compiler.on_table = on_table
        try:
            source = entity.model
            conditions = [*extra]
            if filter_node is not None:
                conditions.append(self.compiler.compile(filter_node, entity, source))
            keys = self.sort_keys(entity, source, orderby)
        finally:
            self.compiler.on_table = self.on_table
        shaper = Shaper.of(entity, select_names)
        statement = self._statement(source, shaper, conditions=conditions, keys=keys, limit=limit)
        tenant_id = self._core_tenant(source)
        if tenant_id is not None:
            statement = statement.where(source.tenant_id == tenant_id)
        plan = _Plan(statement, tuple(keys), tuple(conditions), shaper, tenant_id, tuple(tables))
        if cache_key is not None and tenant_id is not None and not self.compiler.reads_clock:
            if len(_PLANS) >= PLANS_KEPT:
                _PLANS.clear()
            _PLANS[cache_key] = plan
        return plan

    async def count(self, entity: EntityType, conditions: Sequence[ColumnElement[bool]]) -> int:
        statement = select(func.count(entity.model.id)).where(*conditions)
        rows = await self._rows(entity.model, statement)
        return int(rows[0][0] or 0)

    async def one(
        self, entity: EntityType, condition: ColumnElement[bool], *, select_names: Sequence[str] | None = None,
        expand: Sequence[ExpandItem] = (),
    ) -> Record | None:  # fmt: skip
        self.on_table(entity.logical_name)
        self.check_expand(entity, expand)
        shaper = Shaper.of(entity, select_names)
        rows = await self._fetch(entity.model, shaper, conditions=[condition], keys=[], limit=2)
        self._spend(len(rows))
        if not rows:
            return None
        record = shaper(rows[0])
        await self.expand(entity, [record], expand, depth=1)
        return record

    def _spend(self, rows: int) -> None:
        if self.budget is not None:
            self.budget.spend_rows(rows)

    def sort_keys(self, entity: EntityType, source: Any, orderby: Sequence[OrderBy]) -> list[SortKey]:
        keys = []
        for item in orderby:
            typed = self.compiler._path(item.path, Scope(entity, source))
            keys.append(SortKey(typed.expression, typed.edm_type or EdmType.STRING, item.descending))
        keys.append(SortKey(source.id, EdmType.GUID, False, nullable=False))
        return keys

    # --- fetching and shaping ---------------------------------------------------------------------

    async def _fetch(
        self, source: Any, shaper: Shaper, *, conditions: Sequence[ColumnElement[bool]], keys: Sequence[SortKey],
        limit: int, extra_columns: Sequence[Any] = (),
    ) -> Sequence[Any]:  # fmt: skip
        """Rows as tuples: the shaper's attributes, then the sort values (but the id, which the shaper's
        attributes start with), then ``extra_columns``."""
        statement = self._statement(
            source, shaper, conditions=conditions, keys=keys, limit=limit, extra_columns=extra_columns
        )
        return await self._rows(source, statement)

    @staticmethod
    def _statement(
        source: Any, shaper: Shaper, *, conditions: Sequence[ColumnElement[bool]], keys: Sequence[SortKey],
        limit: int, extra_columns: Sequence[Any] = (),
    ) -> Select[Any]:  # fmt: skip
        columns = [type_coerce(source.id, GuidText()), *[getattr(source, a) for a in shaper.attributes[1:]]]
        sort_columns = [k.expression for k in keys if not _is_id(source, k)]
        return (
            select(*columns, *sort_columns, *extra_columns)
            .where(*conditions)
            .order_by(*[k.ordering() for k in keys])
            .limit(limit)
        )

    async def _rows(self, source: Any, statement: Select[Any]) -> Sequence[Any]:
        """All rows of ``statement``, a select from ``source`` alone or with subqueries the compiler built."""
        tenant_id = self._core_tenant(source)
        if tenant_id is not None:
            statement = statement.where(source.tenant_id == tenant_id)
        return await self._run(source, statement, tenant_id)

    async def _run(self, source: Any, statement: Select[Any], tenant_id: uuid.UUID | None) -> Sequence[Any]:
        """Run ``statement`` as Core when it already holds ``tenant_id = <tenant_id>`` for ``source`` (on
        PostgreSQL in autocommit, straight from asyncpg when nothing needs converting: :mod:`hirehub.db.driver_rows`),
        else through the ORM session (which adds the tenant criterion to every table itself)."""
        if tenant_id is None or self._core_tenant(source) != tenant_id:
            return (await self.session.execute(statement)).all()
        return await fetch_all(await self.session.connection(), statement)

    def _core_tenant(self, source: Any) -> uuid.UUID | None:
        """The tenant to write into a statement over ``source`` run as Core, or ``None`` when it must run
        through the ORM session: in a session without a tenant, with changes not yet flushed (the ORM
        flushes them first), or when the request's filters or orderings built a subquery over other rows."""
        info = self.session.info
        tenant_id = info.get(TENANT_KEY)
        if tenant_id is None or info.get(SYSTEM_KEY) or self.compiler.subqueries:
            return None
        if not (isinstance(source, type) and issubclass(source, TenantOwned)):
            return None
        session = self.session
        if session.new or session.dirty or session.deleted:
            return None
        return tenant_id

    @staticmethod
    def attributes(entity: EntityType, select_names: Sequence[str] | None) -> list[str]:
        """The ORM attributes a $select needs (checks every name)."""
        return list(Shaper.of(entity, select_names).attributes)

    # --- expansion --------------------------------------------------------------------------------

    def check_expand(self, entity: EntityType, items: Sequence[ExpandItem], depth: int = 1) -> None:
        """Refuse a bad or unauthorized ``$expand`` before reading, whether or not any row would be expanded."""
        if items and depth > MAX_EXPAND_DEPTH:
            raise bad_query(f"$expand is nested more than {MAX_EXPAND_DEPTH} levels deep.")
        for item in items:
            if item.navigation in entity.lookups:
                target = self.model.entity_type(entity.lookups[item.navigation].target)
                if item.filter is not None or item.orderby or item.top is not None:
                    raise bad_query(f"'{item.navigation}' is single-valued: only $select and $expand apply to it.")
            elif item.navigation in entity.collections:
                target = self.model.entity_type(entity.collections[item.navigation].target)
                if item.filter is not None:
                    self.compiler.compile(item.filter, target, target.model)
                self.sort_keys(target, target.model, item.orderby)
            else:
                raise unknown_property(item.navigation, entity.logical_name)
            self.on_table(target.logical_name)
            self.attributes(target, item.select)
            self.check_expand(target, item.expand, depth + 1)

    async def expand(
        self, entity: EntityType, records: list[Record], items: Sequence[ExpandItem], *, depth: int
    ) -> None:
        if not items or not records:
            return
        for item in items:
            if item.navigation in entity.lookups:
                await self._expand_lookup(entity, records, item, depth=depth)
            elif item.navigation in entity.collections:
                await self._expand_collection(entity, records, item, depth=depth)
            else:
                raise unknown_property(item.navigation, entity.logical_name)

    async def _expand_lookup(self, entity: EntityType, records: list[Record], item: ExpandItem, *, depth: int) -> None:
        lookup = entity.lookups[item.navigation]
        target = self.model.entity_type(lookup.target)
        foreign_keys = await self._foreign_keys(entity, records, lookup.foreign_key)
        ids = sorted({fk for fk in foreign_keys.values() if fk is not None}, key=str)
        related: dict[uuid.UUID, Record] = {}
        if ids:
            shaper = Shaper.of(target, item.select)
            rows = await self._fetch(
                target.model, shaper, conditions=[target.model.id.in_(ids)], keys=[], limit=len(ids)
            )
            self._spend(len(rows))
            shaped = shaper.many(rows)
            await self.expand(target, shaped, item.expand, depth=depth + 1)
            related = {uuid.UUID(r[target.key]): r for r in shaped}
        for record in records:
            fk = foreign_keys.get(record[entity.key])
            record[item.navigation] = related.get(fk) if fk is not None else None

    async def _foreign_keys(self, entity: EntityType, records: list[Record], attribute: str) -> dict[str, Any]:
        ids = [uuid.UUID(r[entity.key]) for r in records]
        source = entity.model
        rows = await self._rows(source, select(source.id, getattr(source, attribute)).where(source.id.in_(ids)))
        return {str(row[0]): row[1] for row in rows}

    async def _expand_collection(
        self, entity: EntityType, records: list[Record], item: ExpandItem, *, depth: int
    ) -> None:
        collection = entity.collections[item.navigation]
        target = self.model.entity_type(collection.target)
        member = target.model
        parent_ids = [uuid.UUID(r[entity.key]) for r in records]
        fk_column = getattr(member, collection.foreign_key)
        conditions: list[ColumnElement[bool]] = [fk_column.in_(parent_ids)]
        if item.filter is not None:
            conditions.append(self.compiler.compile(item.filter, target, member))
        keys = [SortKey(fk_column, EdmType.GUID, False, nullable=False), *self.sort_keys(target, member, item.orderby)]
        shaper = Shaper.of(target, item.select)
        rows = await self._fetch(
            member, shaper, conditions=conditions, keys=keys, limit=MAX_PAGE_SIZE, extra_columns=[fk_column]
        )
        self._spend(len(rows))
        grouped: dict[str, list[Record]] = {str(p): [] for p in parent_ids}
        for row in rows:
            children = grouped[str(row[-1])]
            if item.top is None or len(children) < item.top:
                children.append(shaper(row))
        await self.expand(target, [c for group in grouped.values() for c in group], item.expand, depth=depth + 1)
        for record in records:
            record[item.navigation] = grouped[record[entity.key]]


def _is_id(source: Any, key: SortKey) -> bool:
    """Whether ``key`` sorts by the record id, which every row loads first already: a page of 5,000 does not
    select it twice (a second copy costs a decoded value and an object per row)."""
    return key.expression is source.id


def _key_positions(source: Any, shaper: Shaper, keys: Sequence[SortKey]) -> list[int]:
    """Where each sort value sits in a row :meth:`Reader._statement` selected."""
    positions, next_column = [], len(shaper.attributes)
    for key in keys:
        if _is_id(source, key):
            positions.append(0)
        else:
            positions.append(next_column)
            next_column += 1
    return positions


def key_condition(entity: EntityType, key: uuid.UUID | dict[str, Any]) -> ColumnElement[bool]:
    """The condition that selects the record a key addresses (the GUID, or a declared alternate key)."""
    source = entity.model
    if isinstance(key, uuid.UUID):
        return source.id == key
    if entity.key in key and len(key) == 1:
        value = key[entity.key]
        if not isinstance(value, uuid.UUID):
            raise bad_query(f"The key {entity.key} is a GUID.")
        return source.id == value
    if tuple(sorted(key)) not in {tuple(sorted(k)) for k in entity.alternate_keys}:
        declared = "; ".join(",".join(k) for k in entity.alternate_keys) or "none"
        raise bad_query(
            f"The key ({','.join(key)}) is not an alternate key of {entity.logical_name} (declared: {declared})."
        )
    parts = []
    for name, value in key.items():
        prop = entity.properties[name]
        parts.append(getattr(source, prop.attribute) == (str(value) if prop.edm_type == EdmType.STRING else value))
    return and_(*parts)
