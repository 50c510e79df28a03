"""``hirehub reconcile run|list|show`` and ``/admin/v1/reconciliations`` answer with the same JSON."""

from __future__ import annotations

from hirehub.db.session import Database
from tests.api.conftest import Hub, administrator, hub  # noqa: F401  (fixtures)
from tests.cli.conftest import hub_database  # noqa: F401  (fixture)
from tests.cli.support import hirehub
from tests.security.conftest import Integration


async def test_the_admin_api_queues_lists_and_shows_a_reconciliation(
    hub: Hub,  # noqa: F811
    database: Database,
    administrator: Integration,  # noqa: F811
) -> None:
    headers = await hub.bearer(administrator)
    queued = await hub.client.post("/admin/v1/reconciliations", headers=headers)
    assert queued.status_code == 200 and queued.json()["status"] == "queued"
    again = (await hub.client.post("/admin/v1/reconciliations", headers=headers)).json()
    assert again["id"] == queued.json()["id"]  # one pending run, not two
    listed = (await hub.client.get("/admin/v1/reconciliations", headers=headers)).json()
    assert [run["id"] for run in listed["reconciliations"]] == [again["id"]]
    shown = (await hub.client.get(f"/admin/v1/reconciliations/{again['id']}", headers=headers)).json()
    assert shown["report"] is None and shown["job_id"] == again["job_id"]
    assert (await hub.client.get("/admin/v1/reconciliations/nope", headers=headers)).status_code == 400
    missing = await hub.client.get("/admin/v1/reconciliations/00000000-0000-4000-8000-000000000001", headers=headers)
    assert missing.status_code == 404


def test_the_command_line_queues_lists_and_shows_a_reconciliation(hub_database: str) -> None:  # noqa: F811
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    queued = hirehub("reconcile", "run", "--tenant", "contoso.example")
    assert queued["status"] == "queued" and queued["requested_by"] == "cli"
    listed = hirehub("reconcile", "list", "--tenant", "contoso.example")
    assert [run["id"] for run in listed["reconciliations"]] == [queued["id"]]
    assert hirehub("reconcile", "show", "--tenant", "contoso.example", "--id", queued["id"])["fixed"] is None
    assert "not a reconciliation id" in hirehub("reconcile", "show", "--tenant", "contoso.example", "--id", "x",
                                                expect=1)["error"]  # fmt: skip
