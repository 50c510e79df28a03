"""The admin API for the lifecycle engine: the policy, dry runs, approvals and the job queue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from hirehub.audit.models import AuditEntry
from hirehub.bootstrap import event_routes
from hirehub.db.session import Database
from hirehub.events.dispatch import OutboxDispatcher
from hirehub.hr import services
from hirehub.hr.domain import HireDetails
from tests.api.conftest import Hub
from tests.security.conftest import Integration


async def hire(database: Database, integration: Integration, first: str = "Ann") -> str:
    async with database.tenant_transaction(integration.tenant_id) as session:
        candidate = await services.create_candidate(session, services.NewCandidate(first_name=first, last_name="Lee"))
    async with database.tenant_transaction(integration.tenant_id) as session:
        outcome = await services.hire(session, candidate.id, HireDetails(date.today()))
        return outcome.worker.personnel_number


async def test_the_policy_is_read_replaced_and_refused_whole(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    headers = await hub.bearer(administrator)
    starter = (await hub.client.get("/admin/v1/policy", headers=headers)).json()["policy"]
    assert starter["naming"]["userPrincipalName"]["domain"] == "contoso.example"
    wrong = await hub.client.put("/admin/v1/policy", json={**starter, "supervised": "yes", "nonsense": 1},
                                 headers=headers)  # fmt: skip
    assert wrong.status_code == 400 and wrong.headers["content-type"] == "application/problem+json"
    assert len(wrong.json()["problems"]) == 2
    replaced = await hub.client.put("/admin/v1/policy", json={**starter, "supervised": True}, headers=headers)
    assert replaced.status_code == 200 and replaced.json()["policy"]["supervised"] is True
    async with database.tenant_session(administrator.tenant_id) as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions.count("lifecycle.policy.set") == 1


async def test_a_dry_run_shows_the_plan_and_the_queue_shows_the_sync(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    headers = await hub.bearer(administrator)
    number = await hire(database, administrator)
    preview = (await hub.client.get(f"/admin/v1/workers/{number}/plan", headers=headers)).json()
    assert preview["directory"].startswith("not connected")
    assert preview["steps"][0].startswith("create")
    assert (await hub.client.get("/admin/v1/workers/HR999999/plan", headers=headers)).status_code == 404

    assert await OutboxDispatcher(database, event_routes())() >= 1
    jobs = (await hub.client.get("/admin/v1/jobs", headers=headers)).json()["jobs"]
    (sync,) = [j for j in jobs if j["kind"] == "provisioning.sync"]
    assert sync["status"] == "queued"
    shown = (await hub.client.get(f"/admin/v1/jobs/{sync['id']}", headers=headers)).json()
    assert shown["payload"]["reason"] == "worker.hired"
    assert (await hub.client.post(f"/admin/v1/jobs/{sync['id']}/retry", headers=headers)).status_code == 409
    cancelled = await hub.client.post(f"/admin/v1/jobs/{sync['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (await hub.client.get("/admin/v1/jobs/not-a-guid", headers=headers)).status_code == 400
    missing = await hub.client.get("/admin/v1/jobs/00000000-0000-4000-8000-000000000001", headers=headers)
    assert missing.status_code == 404


async def test_plans_are_listed_and_decisions_on_unknown_plans_are_refused(
    hub: Hub, administrator: Integration
) -> None:
    headers = await hub.bearer(administrator)
    assert (await hub.client.get("/admin/v1/plans", headers=headers)).json() == {"plans": []}
    unknown = await hub.client.post("/admin/v1/plans/00000000-0000-4000-8000-000000000001/approve", headers=headers)
    assert unknown.status_code == 404
    assert (await hub.client.post("/admin/v1/plans/x/reject", headers=headers)).status_code == 400
