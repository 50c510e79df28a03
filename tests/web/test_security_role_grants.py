"""The console's *Grant* on a security role refuses, beside the field, what the CLI and the admin API refuse."""

from __future__ import annotations

import html

import pytest

from hirehub.db.session import Database
from hirehub.security import operations
from tests.web.console_support import post_form, signed_in
from tests.web.security_setup import tenant_with_security

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("table", "level", "control", "words"),
    [
        ("mshr_hcmworkerentities", "Organization", "grant-table", "did you mean 'mshr_hcmworkerentity'?"),
        ("mshr_hcmworkerentity", "User", "grant-level", "a privilege on it is Organization or None"),
    ],
)
async def test_a_grant_the_role_cannot_hold_is_refused_beside_its_field_and_changes_nothing(
    live_hub: str, database: Database, table: str, level: str, control: str, words: str
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    async with setup.transaction() as session:
        role = await operations.create_role(session, "Readers")
    before = await setup.state()
    role_page = f"/console/security/roles/{role['id']}"
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(
            client, "/console/security/", f"{role_page}/privileges",
            {"table": table, "privilege": "Read", "level": level},
        )  # fmt: skip

    assert answer.status_code == 400
    assert f'id="{control}-error">' in answer.text
    assert words in html.unescape(answer.text)
    assert await setup.state() == before
