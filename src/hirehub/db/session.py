"""Engines and sessions, and the rule that makes a cross-tenant read impossible by construction.

A session is opened either for one tenant (:meth:`Database.tenant_session`) or explicitly as the
platform (:meth:`Database.system_session`, for work that spans tenants such as claiming jobs). In a
tenant session every ORM statement (SELECT, UPDATE, DELETE, relationship loads, ``session.get``) is
given the criterion ``tenant_id = <tenant>`` for every :class:`~hirehub.db.base.TenantOwned` entity it
touches, and every new row is stamped with the tenant (a row stamped with another tenant refuses to
flush). A session opened neither way refuses to run ORM statements at all, so forgetting to choose is an
error, not a leak.

The rule lives on :class:`TenantScopedSession`, the class a :class:`Database` makes its sessions from,
not on SQLAlchemy's ``Session``: it binds the hub's own sessions and nothing else in the process. A layer
above (the outbox) adds its own behaviour by handing the :class:`Database` a subclass.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from hirehub.db.base import Row, TenantOwned

TENANT_KEY = "hirehub.tenant_id"
SYSTEM_KEY = "hirehub.system"
READ_ONLY = "hirehub_read_only"
"""An execution option: the transaction only reads (on SQLite it then begins without taking the write lock)."""


class TenantScopeError(RuntimeError):
    """An ORM operation ran outside a tenant scope, or tried to write another tenant's row."""


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine tuned for hirehub: SQLite with WAL, foreign keys and a busy timeout."""
    if _is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine.sync_engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return create_async_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # aiosqlite's driver opens a transaction lazily; pysqlite's own handling would hide BEGIN from us.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # BEGIN IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking
        # on a lock upgrade (SQLite's classic "database is locked" under concurrency). A read that says so
        # (READ_ONLY) takes no lock: in WAL mode readers never wait for the writer, nor it for them.
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


class TenantScopedSession(Session):
    """The hub's session: scoped to one tenant, or explicitly to the platform (see the module docstring).

    A tenant-owned entity row is identified by ``(tenant_id, id)`` (see :mod:`hirehub.db.base`); in a tenant
    session ``get(Model, id)`` means this tenant's ``id``, so callers name records by their GUID as the API does.
    The platform's session sees every tenant, where a GUID alone may name one record in each: it must pass the
    whole identity, ``{"tenant_id": …, "id": …}``.
    """

    def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        return super().get(entity, self._identity(entity, ident), **kwargs)

    def _identity(self, entity: Any, ident: Any) -> Any:
        if isinstance(ident, (dict, tuple)) or not _is_tenant_keyed(entity):
            return ident
        if self.info.get(SYSTEM_KEY):
            raise TenantScopeError(f"a {entity.__name__} id names a record per tenant: pass tenant_id and id")
        tenant_id = self.info.get(TENANT_KEY)
        if tenant_id is None:
            raise TenantScopeError("ORM statement outside a tenant scope: open a tenant or system session")
        return {"tenant_id": tenant_id, "id": ident}


def _is_tenant_keyed(entity: Any) -> bool:
    return isinstance(entity, type) and issubclass(entity, TenantOwned) and issubclass(entity, Row)


@event.listens_for(TenantScopedSession, "do_orm_execute")
def _scope_orm_statements(state: ORMExecuteState) -> None:
    info = state.session.info
    if info.get(SYSTEM_KEY):
        return
    tenant_id = info.get(TENANT_KEY)
    if tenant_id is None:
        raise TenantScopeError("ORM statement outside a tenant scope: open a tenant or system session")
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(
            with_loader_criteria(
                TenantOwned,
                lambda cls: cls.tenant_id == tenant_id,
                include_aliases=True,
            )
        )


@event.listens_for(TenantScopedSession, "before_flush")
def _stamp_new_rows(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(SYSTEM_KEY):
        return
    tenant_id = session.info.get(TENANT_KEY)
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantOwned):
            continue
        if tenant_id is None:
            raise TenantScopeError("writing a tenant-owned row outside a tenant scope")
        current = obj.tenant_id
        if current is None:
            obj.tenant_id = tenant_id
        elif current != tenant_id:
            raise TenantScopeError(f"row {type(obj).__name__} belongs to another tenant")


class Database:
    """One database: its engine and the two ways of opening a session on it.

    ``session_class`` is what each session is made of underneath its async face; it must keep the tenant
    scoping, so it is :class:`TenantScopedSession` or a subclass (the composition root passes the outbox's).
    """

    def __init__(
        self, url: str, *, session_class: type[TenantScopedSession] = TenantScopedSession, **engine_kwargs: Any
    ) -> None:
        if not issubclass(session_class, TenantScopedSession):
            raise TypeError("a Database's sessions must be tenant-scoped (a TenantScopedSession subclass)")
        self.url = url
        self.session_class = session_class
        self.engine = create_engine(url, **engine_kwargs)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False, sync_session_class=session_class)

    @property
    def is_sqlite(self) -> bool:
        return _is_sqlite(self.url)

    @property
    def is_postgresql(self) -> bool:
        return self.url.startswith("postgresql")

    def tenant_session(self, tenant_id: uuid.UUID) -> AsyncSession:
        """A session that sees and writes only ``tenant_id``'s rows."""
        return self._sessions(info={TENANT_KEY: tenant_id})

    def system_session(self) -> AsyncSession:
        """A session for the platform itself (tenants, cross-tenant job claiming): sees every tenant."""
        return self._sessions(info={SYSTEM_KEY: True})

    @asynccontextmanager
    async def tenant_transaction(self, tenant_id: uuid.UUID) -> AsyncIterator[AsyncSession]:
        """A tenant session inside one transaction: commits on success, rolls back on any exception."""
        async with self.tenant_session(tenant_id) as session, session.begin():
            yield session

    @asynccontextmanager
    async def system_transaction(self) -> AsyncIterator[AsyncSession]:
        """A system session inside one transaction: commits on success, rolls back on any exception."""
        async with self.system_session() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
