"""``hirehub policy …`` and ``hirehub plan …`` against a real database."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.support import hirehub


def test_a_policy_is_shown_changed_and_refused_whole_when_wrong(hub_database: str, tmp_path: Path) -> None:
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    shown = hirehub("policy", "show", "--tenant", "contoso.example")
    assert shown["policy"]["supervised"] is False  # the starter policy until one is set
    changed = tmp_path / "policy.json"
    changed.write_text(json.dumps({**shown, "policy": {**shown["policy"], "supervised": True}}))
    assert hirehub("policy", "set", "--tenant", "contoso.example", "--file", str(changed))["policy"]["supervised"]
    assert hirehub("policy", "show", "--tenant", "contoso.example")["policy"]["supervised"] is True

    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({**shown["policy"], "attributes": {"displayName": "Concat([FirstName]"},
                                 "supervised": "yes"}))  # fmt: skip
    refused = hirehub("policy", "set", "--tenant", "contoso.example", "--file", str(wrong), expect=1)
    assert "displayName" in refused["error"] and "supervised" in refused["error"]
    assert hirehub("policy", "show", "--tenant", "contoso.example")["policy"]["supervised"] is True  # unchanged
    missing = hirehub("policy", "set", "--tenant", "contoso.example", "--file", str(tmp_path / "nope.json"), expect=1)
    assert "cannot read" in missing["error"]


def test_plans_are_listed_and_an_unknown_plan_cannot_be_approved(hub_database: str) -> None:
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    assert hirehub("plan", "list", "--tenant", "contoso.example") == {"plans": []}
    unknown = hirehub("plan", "approve", "--tenant", "contoso.example", "--id", "00000000-0000-4000-8000-000000000001",
                      expect=1)  # fmt: skip
    assert "no held plan" in unknown["error"]
    assert "not a plan id" in hirehub("plan", "reject", "--tenant", "contoso.example", "--id", "x", expect=1)["error"]
    absent = hirehub("plan", "preview", "--tenant", "contoso.example", "--personnel-number", "HR000001", expect=1)
    assert "no worker" in absent["error"]
