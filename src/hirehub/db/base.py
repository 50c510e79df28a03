"""The declarative base every table derives from, and the mix-ins that give rows their common columns.

Every customer-owned row derives from :class:`TenantOwned`: the tenant-scoped session (see
:mod:`hirehub.db.session`) recognises the mix-in and filters every ORM query by it, which is how a
cross-tenant read is made impossible by construction rather than by care.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
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
        return mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True, nullable=False)
