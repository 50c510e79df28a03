"""The worker page's *Directory account* summary, read from the provisioning job's audit entries."""

from __future__ import annotations

from datetime import UTC, datetime

from hirehub.audit.models import AuditEntry
from hirehub.web.directory_account import summarise

AT = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def step(kind: str, outcome: str = "ok", **after: object) -> AuditEntry:
    return AuditEntry(at=AT, actor="provisioning", action=f"directory.{kind}", subject_type="worker",
                      subject_id="HR000001", after={"kind": kind, **after}, outcome=outcome)  # fmt: skip


def test_a_created_account_is_shown_enabled_with_its_user_principal_name() -> None:
    account = {"userPrincipalName": "ada@contoso.example", "accountEnabled": True}
    summary = summarise([step("create_account", account=account), step("add_to_group", group="All staff")])
    assert (summary.user_principal_name, summary.state) == ("ada@contoso.example", "Enabled")
    assert [s.label for s in summary.recent] == ["Added to a group", "Account created"]


def test_a_failed_disable_leaves_the_account_shown_enabled() -> None:
    account = {"userPrincipalName": "ada@contoso.example", "accountEnabled": True}
    summary = summarise([step("create_account", account=account), step("disable_account", outcome="failed")])
    assert summary.state == "Enabled"
    assert summary.recent[0].outcome == "failed"


def test_nothing_provisioned_yet_is_not_an_account() -> None:
    assert not summarise([]).provisioned
