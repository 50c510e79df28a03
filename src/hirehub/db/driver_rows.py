"""Rows straight from the database driver, for reads that return thousands of rows at a time.

SQLAlchemy turns each row the driver returns into a ``Row``, and runs each statement through its execution
context and its own prepared-statement cache: for a page of thousands of rows that costs more than the query
itself (docs/decisions/0005-compiled-row-readers.md; bench/odata.py measures it).

When no column of a statement needs a result processor and no parameter a bind processor (true of the
strings, numbers, GUIDs, dates and timestamps the Web API reads), asyncpg's records hold exactly the values
SQLAlchemy's rows would. Such a statement is compiled by SQLAlchemy, so the SQL and its bound parameters are
the same, and run by asyncpg. Anything else runs through SQLAlchemy as before.

Only on a connection in autocommit, as a read on PostgreSQL is (:func:`hirehub.odata.routes._reading`):
SQLAlchemy's asyncpg adapter begins its transactions lazily, on its own first statement, so a statement run
past it in a transaction could land outside that transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.cache_key import CacheKey
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine


async def fetch_all(connection: AsyncConnection, statement: Select[Any]) -> Sequence[Sequence[Any]]:
    """Every row of ``statement``, as a sequence of tuples (asyncpg's records, or SQLAlchemy's rows)."""
    query = _driver_query(connection, statement)
    if query is None:
        return (await connection.execute(statement)).all()
    sql, arguments = query
    raw = await connection.get_raw_connection()
    records: Sequence[Sequence[Any]] = await raw.driver_connection.fetch(sql, *arguments)  # type: ignore[union-attr]
    return records


@dataclass(frozen=True)
class _DriverStatement:
    """A statement compiled once for asyncpg: its SQL, and what each positional parameter goes through."""

    compiled: SQLCompiler
    names: tuple[str, ...]
    """The bound parameters' names, in ``$1, $2, …`` order."""
    processors: tuple[Callable[[Any], Any] | None, ...]


_STATEMENTS: dict[tuple[Dialect, Any], _DriverStatement | None] = {}
"""By SQLAlchemy's own cache key (the statement's structure, not its values); ``None`` for a statement that
must run through SQLAlchemy."""
STATEMENTS_KEPT = 512


def _driver_query(connection: AsyncConnection, statement: Select[Any]) -> tuple[str, list[Any]] | None:
    """The SQL text and positional arguments to hand asyncpg, or ``None`` when SQLAlchemy must run it."""
    dialect, sync = connection.dialect, connection.sync_connection
    if dialect.driver != "asyncpg" or sync is None:
        return None
    if sync.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        return None
    cache_key = statement._generate_cache_key()  # what SQLAlchemy's compiled cache is keyed on, too
    if cache_key is None:
        prepared = _prepare(statement, dialect, None)
    else:
        lookup = (dialect, cache_key.key)
        try:
            prepared = _STATEMENTS[lookup]
        except KeyError:
            if len(_STATEMENTS) >= STATEMENTS_KEPT:
                _STATEMENTS.clear()
            prepared = _STATEMENTS[lookup] = _prepare(statement, dialect, cache_key)
    if prepared is None:
        return None
    parameters = prepared.compiled.construct_params(extracted_parameters=cache_key.bindparams if cache_key else None)
    assert parameters is not None
    arguments = [
        parameters[name] if process is None else process(parameters[name])
        for name, process in zip(prepared.names, prepared.processors, strict=True)
    ]
    return prepared.compiled.string, arguments


def _prepare(statement: Select[Any], dialect: Dialect, cache_key: CacheKey | None) -> _DriverStatement | None:
    if any(_converts_results(column.type, dialect) for column in statement.selected_columns):
        return None
    compiled = statement.compile(dialect=dialect, cache_key=cache_key)  # so it takes another's parameters
    if not isinstance(compiled, SQLCompiler) or compiled.post_compile_params or compiled.positiontup is None:
        return None  # an IN list is expanded per execution
    names = tuple(compiled.positiontup)
    processors = tuple(compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
    return _DriverStatement(compiled, names, processors)


def _converts_results(column_type: TypeEngine[Any], dialect: Dialect) -> bool:
    """Whether SQLAlchemy would change the values the driver returns for a column of this type. A type whose
    processor depends on the column's type code in the result (``Numeric``) counts as converting."""
    try:
        return column_type.dialect_impl(dialect).result_processor(dialect, None) is not None
    except (TypeError, KeyError, ValueError):
        return True
