"""Errors in the Dataverse Web API's shape: ``{"error": {"code": "0x…", "message": "…"}}``.

Codes are Dataverse's own where one exists, so a client's error handling (and a person searching for the
code) finds what it expects; every message says what was wrong and, where it helps, what to do. The rest of
the hub refuses with :mod:`hirehub.errors`; :func:`as_dataverse_error` is the one place that turns such a
refusal, or a database's, into this shape, by its kind and never by its words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from hirehub.db.integrity import Violation, violation
from hirehub.errors import AlreadyExists, Forbidden, HubError, NotFound, Unavailable
from hirehub.odata.responses import ODATA_HEADERS
from hirehub.security.principal import HRSetupMissing, NotAMember, NotAuthenticated

RESOURCE_NOT_FOUND = "0x80060888"
RECORD_NOT_FOUND = "0x80040217"
BAD_PAYLOAD = "0x80048d19"
INVALID_ARGUMENT = "0x80040203"
DUPLICATE_KEY = "0x80060892"
VERSION_MISMATCH = "0x80060882"
QUERY_SYNTAX = "0x80060888"
TOO_MANY_ROWS = "0x80060891"
REFERENCED = "0x80040227"
OPERATION_REFUSED = "0x80040265"
NOT_AUTHENTICATED = "0x80072553"
NOT_A_MEMBER = "0x80072560"  # "The user is not a member of the organization."
MISSING_PRIVILEGE = "0x80040220"  # SecLib::AccessCheck / missing privilege
HR_SETUP_MISSING = "0x80072561"
SERVICE_UNAVAILABLE = "0x80040216"  # Dataverse's generic "unexpected error"; it documents no code for 503


@dataclass
class DataverseError(Exception):
    """A refusal as the Web API answers it: HTTP status, Dataverse code, message and extra headers."""

    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def body(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}

    def response_headers(self) -> dict[str, str]:
        return {**ODATA_HEADERS, **self.headers}


def resource_not_found(segment: str) -> DataverseError:
    return DataverseError(404, RESOURCE_NOT_FOUND, f"Resource not found for the segment '{segment}'.")


def record_not_found(logical_name: str, key: str) -> DataverseError:
    return DataverseError(404, RECORD_NOT_FOUND, f"{logical_name} With Id = {key} Does Not Exist")


def unknown_property(name: str, logical_name: str) -> DataverseError:
    message = f"Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{logical_name}'."
    return DataverseError(400, RESOURCE_NOT_FOUND, message)


bad_query = partial(DataverseError, 400, QUERY_SYNTAX)
bad_payload = partial(DataverseError, 400, BAD_PAYLOAD)
invalid_argument = partial(DataverseError, 400, INVALID_ARGUMENT)
method_not_allowed = partial(DataverseError, 405, RESOURCE_NOT_FOUND)
too_large = partial(DataverseError, 413, BAD_PAYLOAD)
"""A request body over the hub's cap (Dataverse documents no code of its own for a 413)."""
over_budget = partial(DataverseError, 400, OPERATION_REFUSED)
"""A ``$batch`` that would read or answer more than its budget: the part that crosses it, and what follows."""


def duplicate_key() -> DataverseError:
    return DataverseError(412, DUPLICATE_KEY, "A record with matching key values already exists.")


def version_mismatch() -> DataverseError:
    return DataverseError(
        412, VERSION_MISMATCH, "The version of the existing record doesn't match the RowVersion property provided."
    )


def as_dataverse_error(error: Exception) -> DataverseError:
    """``error`` — a refusal of the hub, a database constraint, a lost optimistic-concurrency race — as the
    Web API answers it. Anything else is a fault, not a refusal, and is raised again."""
    if isinstance(error, DataverseError):
        return error
    if isinstance(error, HubError):
        return _refusal(error)
    if isinstance(error, IntegrityError):
        return _constraint(violation(error))
    if isinstance(error, StaleDataError):
        return version_mismatch()
    raise error


def _refusal(error: HubError) -> DataverseError:
    message = str(error)
    if isinstance(error, NotAuthenticated):
        return DataverseError(401, NOT_AUTHENTICATED, message, {"WWW-Authenticate": error.challenge})
    if isinstance(error, Forbidden):
        code = NOT_A_MEMBER if isinstance(error, NotAMember) else MISSING_PRIVILEGE
        return DataverseError(403, HR_SETUP_MISSING if isinstance(error, HRSetupMissing) else code, message)
    if isinstance(error, NotFound):
        return DataverseError(404, RECORD_NOT_FOUND, message)
    if isinstance(error, AlreadyExists):
        return duplicate_key()
    if isinstance(error, Unavailable):
        retry = {} if error.retry_after is None else {"Retry-After": str(max(1, round(error.retry_after)))}
        return DataverseError(503, SERVICE_UNAVAILABLE, message, retry)
    return DataverseError(400, OPERATION_REFUSED, message)  # Invalid, Conflict


def _constraint(broken: Violation) -> DataverseError:
    if broken is Violation.UNIQUE:
        return duplicate_key()
    if broken is Violation.FOREIGN_KEY:
        return DataverseError(
            400, REFERENCED, "The record cannot be deleted or changed because other records refer to it."
        )
    return bad_payload("The change does not fit the table's rules (a required value or a reference is missing).")
