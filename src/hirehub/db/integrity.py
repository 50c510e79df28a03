"""What kind of rule a database refused a write for, read from the driver's codes rather than its words.

Drivers phrase the same violation differently (and translate it on some servers); the codes are stable:
PostgreSQL's SQLSTATE class 23 and SQLite's extended result codes.
"""

from __future__ import annotations

import sqlite3
from enum import StrEnum

from sqlalchemy.exc import IntegrityError


class Violation(StrEnum):
    UNIQUE = "unique"
    FOREIGN_KEY = "foreign_key"
    NOT_NULL = "not_null"
    CHECK = "check"
    OTHER = "other"


_SQLSTATES = {
    "23505": Violation.UNIQUE,
    "23503": Violation.FOREIGN_KEY,
    "23502": Violation.NOT_NULL,
    "23514": Violation.CHECK,
}

_SQLITE_CODES = {
    sqlite3.SQLITE_CONSTRAINT_UNIQUE: Violation.UNIQUE,
    sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY: Violation.UNIQUE,
    sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY: Violation.FOREIGN_KEY,
    # SQLite carries out ON DELETE/UPDATE RESTRICT as a trigger, and reports its refusal with the trigger code.
    sqlite3.SQLITE_CONSTRAINT_TRIGGER: Violation.FOREIGN_KEY,
    sqlite3.SQLITE_CONSTRAINT_NOTNULL: Violation.NOT_NULL,
    sqlite3.SQLITE_CONSTRAINT_CHECK: Violation.CHECK,
}


def violation(error: IntegrityError) -> Violation:
    """The rule ``error`` broke, whichever engine raised it."""
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None) or getattr(getattr(original, "__cause__", None), "sqlstate", None)
    if sqlstate is not None:
        return _SQLSTATES.get(str(sqlstate), Violation.OTHER)
    code = getattr(original, "sqlite_errorcode", None)
    if code is None:
        code = getattr(getattr(original, "__cause__", None), "sqlite_errorcode", None)
    return _SQLITE_CODES.get(code, Violation.OTHER) if code is not None else Violation.OTHER


def constraint_name(error: IntegrityError) -> str | None:
    """The name of the constraint PostgreSQL reports (SQLite names none)."""
    original = error.orig
    for candidate in (original, getattr(original, "__cause__", None)):
        name = getattr(candidate, "constraint_name", None)
        if name:
            return str(name)
    return None
