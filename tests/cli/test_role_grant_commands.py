"""``hirehub role grant``: a grant a role cannot hold is one ``{"error"}`` naming what is valid, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli.support import hirehub

TENANT = ("--tenant", "contoso.example")


@pytest.fixture
def readers(hub_database: str) -> str:
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    hirehub("role", "create", *TENANT, "--name", "Readers")
    hirehub("role", "grant", *TENANT, "--role", "Readers", "--table", "mshr_hcmworkerentity", "--privilege", "Read")
    return "Readers"


def _privileges(role: str) -> list[dict[str, Any]]:
    roles = hirehub("role", "list", *TENANT)["roles"]
    privileges: list[dict[str, Any]] = next(r["privileges"] for r in roles if r["name"] == role)
    return privileges


def _grant(role: str, table: str, privilege: str, level: str, expect: int = 0) -> dict[str, Any]:
    return hirehub("role", "grant", *TENANT, "--role", role, "--table", table, "--privilege", privilege,
                   "--level", level, expect=expect)  # fmt: skip


@pytest.mark.parametrize(
    ("table", "privilege", "level", "words"),
    [
        ("mshr_hcmworkerentities", "Read", "Organization", "did you mean 'mshr_hcmworkerentity'?"),
        ("payroll", "Read", "Organization", "is not a table a security role can grant privileges on"),
        ("mshr_hcmworkerentity", "Read", "User", "a privilege on it is Organization or None"),
        ("mshr_hcmworkerentity", "Read", "Business Unit", "Business Unit would grant nothing"),
        ("mshr_hcmworkerentity", "Share", "Organization", "grant Create, Read, Write, Delete, Append, AppendTo"),
        ("mshr_hcmworkerentity", "Fly", "Organization", "unknown privilege 'Fly'"),
    ],
)
def test_a_grant_the_role_cannot_hold_is_refused_naming_what_is_valid_and_changes_nothing(
    readers: str, table: str, privilege: str, level: str, words: str
) -> None:
    before = _privileges(readers)

    refused = _grant(readers, table, privilege, level, expect=1)

    assert list(refused) == ["error"]
    assert words in refused["error"]
    assert _privileges(readers) == before


def test_a_refused_change_of_level_leaves_the_existing_grant_as_it_was(readers: str) -> None:
    _grant(readers, "mshr_hcmworkerentity", "Read", "Parent", expect=1)

    assert _privileges(readers) == [{"table": "mshr_hcmworkerentity", "privilege": "Read", "level": 4}]


def test_a_privilege_can_be_withdrawn_with_the_level_none(readers: str) -> None:
    granted = _grant(readers, "mshr_hcmworkerentity", "Read", "None")

    assert granted == {"role": readers, "table": "mshr_hcmworkerentity", "privilege": "Read", "level": 0}
