"""The entity data model the API serves, derived once per binding from the ORM and the binding's tables.

Every name a client sees comes from here: entity sets, the primary id attribute (``<logical>id``),
properties (the binding's name for each attribute), lookups (``_<navigation>_value`` on reads,
``<navigation>@odata.bind`` on writes) and collection navigations. Nothing in this module does I/O;
the model is a value the rest of the API reads from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Date, Integer, Numeric, String, Uuid, inspect
from sqlalchemy.orm import Mapper

from hirehub.db.base import UTCDateTime
from hirehub.odata.binding import Binding, BoundAction, TableDefinition, WriteHooks
from hirehub.odata.edm import EdmType

SYSTEM_COLUMNS = {"created_at": "createdon", "modified_at": "modifiedon", "version": "versionnumber"}
HIDDEN_COLUMNS = frozenset({"id", "tenant_id"})


@dataclass(frozen=True)
class Property:
    """A structural property: its API name, the ORM attribute behind it and its facts."""

    name: str
    attribute: str
    edm_type: EdmType
    nullable: bool = True
    max_length: int | None = None
    required: bool = False
    write_once: bool = False
    system: bool = False
    option_set: type[IntEnum] | None = None
    has_default: bool = False

    @property
    def writable(self) -> bool:
        return not self.system


@dataclass(frozen=True)
class Lookup:
    """A single-valued navigation and the foreign key behind it."""

    navigation: str
    value_property: str
    relationship: str
    foreign_key: str
    target: str
    """The target entity type's logical name."""


@dataclass(frozen=True)
class Collection:
    """A collection-valued navigation: the rows of ``target`` whose ``foreign_key`` points here."""

    navigation: str
    relationship: str
    target: str
    foreign_key: str


@dataclass(frozen=True)
class EntityType:
    logical_name: str
    entity_set: str
    display_name: str
    display_collection_name: str
    model: Any
    """The ORM class (``Any``: its columns are reached by name)."""
    key: str
    properties: dict[str, Property]
    lookups: dict[str, Lookup]
    collections: dict[str, Collection]
    alternate_keys: tuple[tuple[str, ...], ...]
    is_view: bool = False
    by_value_property: dict[str, Lookup] = field(default_factory=dict)
    primary_name: str | None = None
    virtual: bool = False
    read_only: str | None = None
    """Why a client may not write this set (``None``: it may)."""
    hooks: WriteHooks = field(default_factory=WriteHooks)
    shapers: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    """The reader's record functions for this type, one per ``$select`` (filled as requests come)."""

    def lookup_by_value(self, name: str) -> Lookup | None:
        return self.by_value_property.get(name)

    def selectable(self) -> list[str]:
        """Every name ``$select`` accepts: the key, properties and lookup values."""
        return [self.key, *self.properties, *self.by_value_property]


@dataclass(frozen=True, eq=False)
class EntityModel:
    types: dict[str, EntityType]
    by_entity_set: dict[str, EntityType]
    actions: dict[tuple[str, str], BoundAction] = field(default_factory=dict)
    """Bound actions by (the bound type's logical name, the action's name)."""

    def entity_type(self, logical_name: str) -> EntityType:
        return self.types[logical_name]

    def action(self, entity: EntityType, name: str) -> BoundAction | None:
        return self.actions.get((entity.logical_name, name))


# Checked in order: a subclass (UTCDateTime is a DateTime, Boolean an Integer on some dialects) before its base.
_EDM_TYPES: tuple[tuple[type, EdmType], ...] = (
    (UTCDateTime, EdmType.DATE_TIME_OFFSET),
    (Uuid, EdmType.GUID),
    (Boolean, EdmType.BOOLEAN),
    (Date, EdmType.DATE),
    (Numeric, EdmType.DECIMAL),
    (Integer, EdmType.INT32),
)


def _edm_type(column: Any) -> tuple[EdmType, int | None]:
    sql_type = column.type
    for sql_class, edm_type in _EDM_TYPES:
        if isinstance(sql_type, sql_class):
            return edm_type, None
    if isinstance(sql_type, String):
        return EdmType.STRING, sql_type.length
    raise TypeError(f"no EDM type for column {column} of type {sql_type!r}")


def _property(attribute: str, column: Any, property_name: Callable[[str], str]) -> Property:
    edm_type, max_length = _edm_type(column)
    info = column.info
    if attribute in SYSTEM_COLUMNS:
        edm_type = EdmType.INT64 if attribute == "version" else edm_type
        return Property(SYSTEM_COLUMNS[attribute], attribute, edm_type, nullable=False, system=True)
    return Property(
        name=property_name(attribute),
        attribute=attribute,
        edm_type=edm_type,
        nullable=bool(column.nullable),
        max_length=max_length,
        required=bool(info.get("required")),
        write_once=bool(info.get("write_once")),
        system=bool(info.get("system")),
        option_set=info.get("option_set"),
        has_default=column.default is not None and getattr(column.default, "arg", None) is not None,
    )


def _lookup_target(mapper: Mapper[Any], name: str) -> tuple[str, type]:
    """The foreign-key attribute and target class of a lookup: from its relationship, or from the
    ``<name>_id`` foreign key when the table declares no relationship for it."""
    if name in mapper.relationships:
        relationship = mapper.relationships[name]
        ((_, local),) = relationship.synchronize_pairs  # the reference column (the tenant is not written through it)
        return mapper.get_property_by_column(local).key, relationship.mapper.class_
    column = mapper.columns[f"{name}_id"]
    (foreign_key,) = column.foreign_keys
    target_table = foreign_key.column.table
    for target_mapper in mapper.registry.mappers:
        if target_mapper.local_table is target_table:
            return f"{name}_id", target_mapper.class_
    raise LookupError(f"no mapped class for {target_table.name}")


def _entity_type(
    table: TableDefinition, logical_of: dict[type, str], property_name: Callable[[str], str]
) -> EntityType:
    mapper: Mapper[Any] = inspect(table.model)
    lookups: dict[str, Lookup] = {}
    foreign_keys: set[str] = set()
    for relationship_name, navigation in table.lookups.items():
        fk_attribute, target_class = _lookup_target(mapper, relationship_name)
        foreign_keys.add(fk_attribute)
        target = logical_of.get(target_class)
        if target is None:
            continue
        lookups[navigation] = Lookup(
            navigation, f"_{navigation.lower()}_value", relationship_name, fk_attribute, target
        )
    collections: dict[str, Collection] = {}
    for relationship_name, navigation in table.collections.items():
        relationship = mapper.relationships[relationship_name]
        ((_, remote),) = relationship.synchronize_pairs
        fk_attribute = relationship.mapper.get_property_by_column(remote).key
        collections[navigation] = Collection(
            navigation, relationship_name, logical_of[relationship.mapper.class_], fk_attribute
        )
    wanted = set(table.columns) if table.columns is not None else None
    properties: dict[str, Property] = {}
    for attribute in mapper.column_attrs:
        name = attribute.key
        if name in HIDDEN_COLUMNS or name in foreign_keys:
            continue
        if wanted is not None and name not in wanted and name not in SYSTEM_COLUMNS:
            continue
        prop = _property(name, attribute.columns[0], property_name)
        properties[prop.name] = prop
    return EntityType(
        logical_name=table.logical_name,
        entity_set=table.entity_set,
        display_name=table.display_name,
        display_collection_name=table.display_collection_name,
        model=table.model,
        key=table.logical_name + "id",
        properties=properties,
        lookups=lookups,
        collections=collections,
        alternate_keys=tuple(tuple(property_name(a) for a in key) for key in table.alternate_keys),
        is_view=table.columns is not None,
        by_value_property={lookup.value_property: lookup for lookup in lookups.values()},
        primary_name=property_name(table.primary_name) if table.primary_name is not None else None,
        virtual=table.virtual,
        read_only=table.read_only,
        hooks=table.hooks,
    )


@cache
def build_model(binding: Binding) -> EntityModel:
    """The model of every table ``binding`` names (built once per binding: bindings live as long as the
    process, and the model is a value)."""
    # Navigations point at a table's own entity type, never at a view over the same class.
    logical_of = {t.model: t.logical_name for t in binding.tables if t.columns is None}
    types = {t.logical_name: _entity_type(t, logical_of, binding.property_name) for t in binding.tables}
    for action in binding.actions:
        if action.bound_to not in types or action.returns not in types:
            raise LookupError(f"the action {action.name} names a table the binding does not: "
                              f"{action.bound_to} or {action.returns}")  # fmt: skip
    actions = {(a.bound_to, a.name): a for a in binding.actions}
    return EntityModel(types, {t.entity_set: t for t in types.values()}, actions)
