"""``POST /admin/v1/roles/{role}/privileges``: a grant a role cannot hold is an RFC 9457 problem naming what is
valid, with the field, and changes nothing (no privilege, no audit entry)."""

from __future__ import annotations

from typing import Any

import pytest

from hirehub.db.session import Database
from tests.api.conftest import Hub, audit_count
from tests.security.conftest import Integration


async def _privileges(hub: Hub, headers: dict[str, str], role: str) -> list[dict[str, Any]]:
    roles = (await hub.client.get("/admin/v1/roles", headers=headers)).json()["roles"]
    privileges: list[dict[str, Any]] = next(r["privileges"] for r in roles if r["name"] == role)
    return privileges


@pytest.mark.parametrize(
    ("table", "privilege", "level", "field", "words"),
    [
        ("mshr_hcmworkerentities", "Read", "Organization", "table", "did you mean 'mshr_hcmworkerentity'?"),
        ("payroll", "Read", "Organization", "table", "is not a table a security role can grant privileges on"),
        ("mshr_hcmworkerentity", "Read", "User", "level", "a privilege on it is Organization or None"),
        ("mshr_hcmworkerentity", "Write", "Parent", "level", "Parent: Child Business Units would grant nothing"),
        ("mshr_hcmworkerentity", "Assign", "Organization", "privilege", "Assign applies only to user-owned tables"),
    ],
)
async def test_a_grant_the_role_cannot_hold_is_a_problem_naming_what_is_valid_and_changes_nothing(
    hub: Hub, database: Database, administrator: Integration, table: str, privilege: str, level: str, field: str,
    words: str,
) -> None:  # fmt: skip
    headers = await hub.bearer(administrator)
    await hub.client.post("/admin/v1/roles", json={"name": "Readers"}, headers=headers)
    granted = await hub.client.post(
        "/admin/v1/roles/Readers/privileges",
        json={"table": "mshr_hcmworkerentity", "privilege": "Read", "level": "Organization"},
        headers=headers,
    )
    assert granted.status_code == 200, granted.text
    before = (await _privileges(hub, headers, "Readers"), await audit_count(database, administrator.tenant_id))

    response = await hub.client.post(
        "/admin/v1/roles/Readers/privileges",
        json={"table": table, "privilege": privilege, "level": level},
        headers=headers,
    )

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["field"] == field
    assert words in problem["detail"]
    after = (await _privileges(hub, headers, "Readers"), await audit_count(database, administrator.tenant_id))
    assert after == before
