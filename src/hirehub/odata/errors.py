"""The Dataverse error codes the OData API answers with, one constructor per kind of refusal.

Codes are Dataverse's own where one exists, so a client's error handling (and a person searching for
the code) finds what it expects; every message says what was wrong and, where it helps, what to do.
"""

from __future__ import annotations

from hirehub.api.dataverse_errors import DataverseError

RESOURCE_NOT_FOUND = "0x80060888"
RECORD_NOT_FOUND = "0x80040217"
BAD_PAYLOAD = "0x80048d19"
INVALID_ARGUMENT = "0x80040203"
DUPLICATE_KEY = "0x80060892"
VERSION_MISMATCH = "0x80060882"
NOT_SUPPORTED = "0x8006088a"
QUERY_SYNTAX = "0x80060888"
TOO_MANY_ROWS = "0x80060891"
REFERENCED = "0x80040227"


def resource_not_found(segment: str) -> DataverseError:
    return DataverseError(404, RESOURCE_NOT_FOUND, f"Resource not found for the segment '{segment}'.")


def record_not_found(logical_name: str, key: str) -> DataverseError:
    return DataverseError(404, RECORD_NOT_FOUND, f"{logical_name} With Id = {key} Does Not Exist")


def unknown_property(name: str, logical_name: str) -> DataverseError:
    message = f"Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{logical_name}'."
    return DataverseError(400, RESOURCE_NOT_FOUND, message)


def bad_query(message: str) -> DataverseError:
    return DataverseError(400, QUERY_SYNTAX, message)


def bad_payload(message: str) -> DataverseError:
    return DataverseError(400, BAD_PAYLOAD, message)


def invalid_argument(message: str) -> DataverseError:
    return DataverseError(400, INVALID_ARGUMENT, message)


def not_supported(message: str) -> DataverseError:
    return DataverseError(501, NOT_SUPPORTED, message)


def duplicate_key() -> DataverseError:
    return DataverseError(412, DUPLICATE_KEY, "A record with matching key values already exists.")


def version_mismatch() -> DataverseError:
    return DataverseError(
        412, VERSION_MISMATCH, "The version of the existing record doesn't match the RowVersion property provided."
    )
