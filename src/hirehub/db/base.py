"""The declarative base every table derives from, and the mix-ins that give rows their common columns.

Every customer-owned row derives from :class:`TenantOwned`: the tenant-scoped session (see
:mod:`hirehub.db.session`) recognises the mix-in and filters every ORM query by it, which is how a
cross-tenant read is made impossible by construction rather than by care.

A tenant-owned entity row (:class:`Row` and :class:`TenantOwned`) is identified by ``(tenant_id, id)``: the
same GUID may name one record in each tenant, so a create naming a GUID another tenant holds succeeds as for a
fresh one and tells the caller nothing. Every reference between tenant-owned rows is made a composite foreign
key ``(tenant_id, x_id) -> (tenant_id, id)`` when the table is declared, so a reference cannot cross tenants
in the database either, whichever way the model wrote its ``ForeignKey``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, cast

from sqlalchemy import Column, DateTime, ForeignKey, ForeignKeyConstraint, Integer, MetaData, Table, Uuid, and_
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    MappedColumn,
    RelationshipProperty,
    declared_attr,
    foreign,
    mapped_column,
    remote,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.naming import conv
from sqlalchemy.types import TypeDecorator

from hirehub.db.clock_offset import current_offset

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the only kind of datetime hirehub stores); shifted only by a
    development hub's time travel (:mod:`hirehub.db.clock_offset`)."""
    return datetime.now(UTC) + current_offset()


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware, on SQLite as on PostgreSQL.

    SQLite has no time zones, so without this a value read back would be naive and compare wrongly
    with the aware datetimes the rest of the code uses.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        return value.astimezone(UTC)

    def result_processor(self, dialect: Any, coltype: object) -> Any:
        if dialect.driver == "asyncpg":  # it returns a timestamptz aware and in UTC already
            return None
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """The declarative base: one metadata with a naming convention, so migrations name constraints alike."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
    }

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table = cls.__dict__.get("__table__")
        if isinstance(table, Table) and issubclass(cls, TenantOwned):
            scope_foreign_keys(table)
            for prop in cls.__mapper__._props.values():
                if isinstance(prop, RelationshipProperty):
                    scope_relationship(prop, table)


TENANT_COLUMN = "tenant_id"
PLATFORM_TABLES = frozenset({"tenant"})


def scope_foreign_keys(table: Table) -> None:
    """Turn each reference ``x_id -> t.id`` of a tenant-owned table into ``(tenant_id, x_id) -> (t.tenant_id, t.id)``.

    The referenced table is tenant-owned too (references to the platform's tables are left as they are), so the
    pair is its primary key: the database itself refuses a reference to another tenant's row, and a join along
    the key can only meet rows of one tenant. Composite keys already written out are left as they are.
    """
    for constraint in list(table.foreign_key_constraints):
        if len(constraint.elements) != 1:
            continue
        (element,) = constraint.elements
        column = element.parent
        target_table, _, target_column = element.target_fullname.rpartition(".")
        if column.name == TENANT_COLUMN or target_column != "id" or not _tenant_owned(table.metadata, target_table):
            continue
        table.constraints.discard(constraint)
        table.foreign_keys.discard(element)
        column.foreign_keys.discard(element)
        # Named as the convention names the single-column key it replaces, so each name stays distinct.
        name = conv(f"fk_{table.name}_{column.name}_{target_table}")
        table.append_constraint(
            ForeignKeyConstraint(
                [TENANT_COLUMN, column.name],
                [f"{target_table}.{TENANT_COLUMN}", f"{target_table}.id"],
                ondelete=constraint.ondelete,
                onupdate=constraint.onupdate,
                name=name,
            )
        )


def _tenant_owned(metadata: MetaData, name: str) -> bool:
    """Whether the table ``name`` is keyed by ``(tenant_id, id)``: a platform table, one declared without a tenant,
    or a tenant's table keyed otherwise (the job queue's, numbered by the hub) is not (a table not declared yet is
    taken to be, as every entity row's table is)."""
    declared = metadata.tables.get(name)
    if name in PLATFORM_TABLES:
        return False
    return declared is None or set(declared.primary_key.columns.keys()) == {TENANT_COLUMN, "id"}


class Row:
    """Columns every entity row has: a GUID id (as Dataverse records do), a row version, timestamps.

    ``version`` is SQLAlchemy's version counter: an UPDATE that finds another version fails, which is
    the optimistic concurrency that weak ETags (``W/"7"``) expose on the API.
    """

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class TenantOwned:
    """Mix-in for a row that belongs to one tenant (one customer organisation)."""

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        # An entity row's identity is (tenant_id, id): its key's leading column serves the tenant filter.
        if issubclass(cast(type, cls), Row):
            return mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True, sort_order=-1)
        return mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True, nullable=False)


def record_of(target: Any, reference: Any) -> ColumnElement[bool]:
    """The join condition from a reference column (``Worker.department_id``) to the record it names (``Department``).

    A record is its tenant and its id, so the condition compares both: a join written with it cannot meet
    another tenant's row even in the platform's session, where no tenant criterion is added. ``target`` and the
    reference's owner may be mapped classes or aliases of them.
    """
    source = reference.parent.entity
    return and_(target.tenant_id == source.tenant_id, target.id == reference)


def _resolve(prop: RelationshipProperty[Any], argument: Any) -> Any:
    """The class a relationship's target argument names (a class, its name, or a callable returning it)."""
    if isinstance(argument, str):
        resolve_arg: Any = prop._clsregistry_resolvers[1]
        return resolve_arg(argument)()
    if callable(argument) and not isinstance(argument, type):
        return argument()
    return argument


def _as_list(argument: Any) -> list[Any]:
    if argument is None:
        return []
    if callable(argument) and not isinstance(argument, (str, Column, MappedColumn)):
        argument = argument()
    return list(argument) if isinstance(argument, (list, tuple, set)) else [argument]


def _column_name(column: Any) -> str:
    if isinstance(column, str):
        return column.rpartition(".")[2]
    if isinstance(column, MappedColumn):
        return str(column.column.name)
    return str(column.key)


def _composite_keys(source: Table, target: Table) -> list[ForeignKeyConstraint]:
    return [
        constraint
        for constraint in source.foreign_key_constraints
        if constraint.referred_table is target
        and TENANT_COLUMN in constraint.column_keys
        and len(constraint.column_keys) == 2
    ]


def scope_relationship(prop: RelationshipProperty[Any], table: Table) -> None:
    """Join a relationship between tenant-owned rows along the whole key, and write only the reference column.

    Left to itself, SQLAlchemy would make every relationship over a composite key copy ``tenant_id`` too, so each
    pair of relationships on one table would claim the same column. The join built here compares the tenants
    (the join never meets another tenant's row) but marks only ``x_id`` as the foreign column: ``tenant_id`` is
    the session's to stamp. A relationship that states its own ``primaryjoin`` is left alone; one that names its
    ``foreign_keys`` (two references to one table) chooses among the composite keys by them.
    """
    args = prop._init_args
    if args.primaryjoin.argument is not None or args.secondary.argument is not None:
        return
    chosen = args.foreign_keys.argument
    remote_side = args.remote_side.argument

    def primaryjoin() -> ColumnElement[bool]:
        target = _resolve(prop, prop.argument).__table__
        names = {_column_name(column) for column in _as_list(chosen)}
        many_to_one = [c for c in _composite_keys(table, target) if not names or set(c.column_keys) & names]
        one_to_many = [c for c in _composite_keys(target, table) if not names or set(c.column_keys) & names]
        if target is table:  # self-referential: the side holding the key is the one named by remote_side
            one_to_many = [] if remote_side is not None else one_to_many
            many_to_one = many_to_one if remote_side is not None else []
        if len(many_to_one) + len(one_to_many) != 1:
            raise ArgumentError(f"{prop}: cannot tell which tenant-scoped key it follows; name its foreign_keys")
        if many_to_one:
            (reference,) = [name for name in many_to_one[0].column_keys if name != TENANT_COLUMN]
            return and_(
                remote(target.c[TENANT_COLUMN]) == table.c[TENANT_COLUMN],
                remote(target.c.id) == foreign(table.c[reference]),
            )
        (reference,) = [name for name in one_to_many[0].column_keys if name != TENANT_COLUMN]
        return and_(
            table.c[TENANT_COLUMN] == remote(target.c[TENANT_COLUMN]),
            table.c.id == foreign(remote(target.c[reference])),
        )

    args.primaryjoin.argument = primaryjoin
    args.foreign_keys.argument = None
    args.remote_side.argument = None
