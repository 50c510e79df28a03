"""Reading records: one statement per page (plus one per expanded navigation), shaped as Dataverse
shapes them — ``@odata.etag``, the primary id always present, lookups as ``_<navigation>_value``.

Only the columns a request selects are loaded. Filters, orderings and skiptoken values reach SQL as
bound parameters. Every table a request reads, directly or through a filter, an ordering or an
expansion, is checked for the Read privilege before anything is fetched.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

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

    Built once per (type, selection) and cached: a page of 5,000 rows then costs one loop per row. Values
    stay as the database gives them (GUIDs, dates, timestamps, decimals); the response encoder writes them
    in Dataverse's form (:mod:`hirehub.odata.responses`)."""

    key: str
    attributes: tuple[str, ...]
    """The ORM attributes to load, in row order: always the id and the version first."""
    fields: tuple[tuple[str, int], ...]

    @staticmethod
    def of(entity: EntityType, select_names: Sequence[str] | None) -> Shaper:
        selection = tuple(select_names) if select_names is not None else None
        cached = _SHAPERS.get((entity.logical_name, selection))
        if cached is None:
            cached = _SHAPERS.setdefault((entity.logical_name, selection), Shaper._build(entity, selection))
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
        return Shaper(entity.key, tuple(attributes), tuple(fields))

    def __call__(self, row: Sequence[Any]) -> Record:
        record: Record = {"@odata.etag": f'W/"{row[1]}"'}
        for name, index in self.fields:
            record[name] = row[index]
        record[self.key] = str(row[0])
        return record


_SHAPERS: dict[tuple[str, tuple[str, ...] | None], Shaper] = {}


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
        source = entity.model
        conditions = [*extra]
        if filter_node is not None:
            conditions.append(self.compiler.compile(filter_node, entity, source))
        keys = self.sort_keys(entity, source, orderby)
        total = await self.count(entity, conditions) if count else None
        if skiptoken is not None:
            conditions.append(after(keys, decode_token(skiptoken, keys)))
        limit = top if top is not None else page_size + 1
        shaper = Shaper.of(entity, select_names)
        rows = await self._fetch(source, shaper, conditions, keys, limit)
        next_token = None
        if top is None and len(rows) > page_size:
            rows = rows[:page_size]
            width = len(shaper.attributes)
            next_token = encode_token(list(rows[-1][width : width + len(keys)]))
        records = [shaper(row) for row in rows]
        await self.expand(entity, records, expand, depth=1)
        return Page(records, next_token, total)

    async def count(self, entity: EntityType, conditions: Sequence[ColumnElement[bool]]) -> int:
        statement = select(func.count(entity.model.id)).where(*conditions)
        return int(await self.session.scalar(statement) or 0)

    async def one(
        self, entity: EntityType, condition: ColumnElement[bool], select_names: Sequence[str] | None,
        expand: Sequence[ExpandItem],
    ) -> Record | None:  # fmt: skip
        self.on_table(entity.logical_name)
        self.check_expand(entity, expand)
        shaper = Shaper.of(entity, select_names)
        rows = await self._fetch(entity.model, shaper, [condition], [], 2)
        if not rows:
            return None
        record = shaper(rows[0])
        await self.expand(entity, [record], expand, depth=1)
        return record

    def sort_keys(self, entity: EntityType, source: Any, orderby: Sequence[OrderBy]) -> list[SortKey]:
        keys = []
        for item in orderby:
            typed = self.compiler._path(item.path, Scope(entity, source))
            keys.append(SortKey(typed.expression, typed.edm_type or "Edm.String", item.descending))
        keys.append(SortKey(source.id, "Edm.Guid", False, nullable=False))
        return keys

    # --- fetching and shaping ---------------------------------------------------------------------

    async def _fetch(
        self, source: Any, shaper: Shaper, conditions: Sequence[ColumnElement[bool]], keys: Sequence[SortKey],
        limit: int, extra_columns: Sequence[Any] = (),
    ) -> Sequence[Any]:  # fmt: skip
        """Rows as tuples: the shaper's attributes, then the sort values, then ``extra_columns``."""
        columns = [getattr(source, a) for a in shaper.attributes]
        statement = (
            select(*columns, *[k.expression for k in keys], *extra_columns)
            .where(*conditions)
            .order_by(*[k.ordering() for k in keys])
            .limit(limit)
        )
        return (await self.session.execute(statement)).all()

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

    async def expand(self, entity: EntityType, records: list[Record], items: Sequence[ExpandItem], depth: int) -> None:
        if not items or not records:
            return
        for item in items:
            if item.navigation in entity.lookups:
                await self._expand_lookup(entity, records, item, depth)
            elif item.navigation in entity.collections:
                await self._expand_collection(entity, records, item, depth)
            else:
                raise unknown_property(item.navigation, entity.logical_name)

    async def _expand_lookup(self, entity: EntityType, records: list[Record], item: ExpandItem, depth: int) -> None:
        lookup = entity.lookups[item.navigation]
        target = self.model.entity_type(lookup.target)
        foreign_keys = await self._foreign_keys(entity, records, lookup.foreign_key)
        ids = sorted({fk for fk in foreign_keys.values() if fk is not None}, key=str)
        related: dict[uuid.UUID, Record] = {}
        if ids:
            shaper = Shaper.of(target, item.select)
            rows = await self._fetch(target.model, shaper, [target.model.id.in_(ids)], [], len(ids))
            shaped = [shaper(row) for row in rows]
            await self.expand(target, shaped, item.expand, depth + 1)
            related = {uuid.UUID(r[target.key]): r for r in shaped}
        for record in records:
            fk = foreign_keys.get(record[entity.key])
            record[item.navigation] = related.get(fk) if fk is not None else None

    async def _foreign_keys(self, entity: EntityType, records: list[Record], attribute: str) -> dict[str, Any]:
        ids = [uuid.UUID(r[entity.key]) for r in records]
        source = entity.model
        result = await self.session.execute(select(source.id, getattr(source, attribute)).where(source.id.in_(ids)))
        return {str(row[0]): row[1] for row in result}

    async def _expand_collection(self, entity: EntityType, records: list[Record], item: ExpandItem, depth: int) -> None:
        collection = entity.collections[item.navigation]
        target = self.model.entity_type(collection.target)
        member = target.model
        parent_ids = [uuid.UUID(r[entity.key]) for r in records]
        fk_column = getattr(member, collection.foreign_key)
        conditions: list[ColumnElement[bool]] = [fk_column.in_(parent_ids)]
        if item.filter is not None:
            conditions.append(self.compiler.compile(item.filter, target, member))
        keys = [SortKey(fk_column, "Edm.Guid", False, nullable=False), *self.sort_keys(target, member, item.orderby)]
        shaper = Shaper.of(target, item.select)
        rows = await self._fetch(member, shaper, conditions, keys, MAX_PAGE_SIZE, [fk_column])
        grouped: dict[str, list[Record]] = {str(p): [] for p in parent_ids}
        for row in rows:
            children = grouped[str(row[-1])]
            if item.top is None or len(children) < item.top:
                children.append(shaper(row))
        await self.expand(target, [c for group in grouped.values() for c in group], item.expand, depth + 1)
        for record in records:
            record[item.navigation] = grouped[record[entity.key]]


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
        parts.append(getattr(source, prop.attribute) == (str(value) if prop.edm_type == "Edm.String" else value))
    return and_(*parts)
