"""What a security role can hold: a known table, a privilege that applies to it, a level that grants something."""

from __future__ import annotations

import pytest

from hirehub.errors import Invalid
from hirehub.security.grants import CheckedGrant, GrantRefused, check_grant, level_name
from hirehub.security.privileges import Depth, Privilege

TABLES = frozenset({"mshr_hcmworkerentity", "mshr_hcmpositionentity", "entity"})


def _refusal(table: str, privilege: str, level: str) -> GrantRefused:
    with pytest.raises(GrantRefused) as refused:
        check_grant(table, privilege, level, tables=TABLES)
    return refused.value


@pytest.mark.parametrize("level", ["Organization", "global", "None"])
def test_a_privilege_at_organization_or_none_on_a_known_table_is_accepted(level: str) -> None:
    checked = check_grant("mshr_hcmworkerentity", "read", level, tables=TABLES)

    assert checked == CheckedGrant("mshr_hcmworkerentity", Privilege.READ, Depth.parse(level))


def test_an_unknown_table_is_refused_naming_the_closest_table() -> None:
    refusal = _refusal("mshr_hcmworkerentities", "Read", "Organization")

    assert isinstance(refusal, Invalid) and refusal.field == "table"
    assert str(refusal) == (
        "'mshr_hcmworkerentities' is not a table a security role can grant privileges on; "
        "did you mean 'mshr_hcmworkerentity'?"
    )


def test_a_table_like_no_other_is_refused_saying_where_the_tables_are_listed() -> None:
    refusal = _refusal("payroll", "Read", "Organization")

    assert refusal.field == "table"
    assert "the tables are those of the Web API's $metadata" in str(refusal)


@pytest.mark.parametrize("level", ["User", "Business Unit", "Parent", "basic", "deep"])
def test_a_level_that_selects_rows_by_owner_is_refused_on_an_organization_owned_table(level: str) -> None:
    refusal = _refusal("mshr_hcmworkerentity", "Read", level)

    assert refusal.field == "level"
    assert "a privilege on it is Organization or None" in str(refusal)
    assert f"{level_name(Depth.parse(level))} would grant nothing" in str(refusal)


@pytest.mark.parametrize("privilege", ["Assign", "share"])
def test_assign_and_share_are_refused_on_an_organization_owned_table(privilege: str) -> None:
    refusal = _refusal("mshr_hcmworkerentity", privilege, "Organization")

    assert refusal.field == "privilege"
    assert "grant Create, Read, Write, Delete, Append, AppendTo" in str(refusal)


def test_levels_are_named_as_dataverses_role_editor_names_them() -> None:
    assert [level_name(d) for d in Depth] == [
        "None", "User", "Business Unit", "Parent: Child Business Units", "Organization"
    ]  # fmt: skip


def test_an_unknown_privilege_or_level_names_the_valid_ones() -> None:
    privilege = _refusal("mshr_hcmworkerentity", "Fly", "Organization")
    level = _refusal("mshr_hcmworkerentity", "Read", "Galaxy")

    assert (privilege.field, level.field) == ("privilege", "level")
    assert "Create, Read, Write" in str(privilege)
    assert "None, User, Business Unit, Parent, Organization" in str(level)
