"""The composition root's event map: a change to a worker queues a directory sync of that person, a change to a
recruiting record queues LinkedIn's data sync, and only through the hub's own database."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from hirehub.bootstrap import Hub, build_hub, event_routes, queue_directory_sync
from hirehub.db.session import Database
from hirehub.hr import services
from hirehub.hr.domain import HireDetails
from hirehub.hr.events import WORKER_EVENTS
from hirehub.hr.record_changes import RecordChanged
from hirehub.jobs.models import DurableJob
from hirehub.linkedin.data_queue import queue_record_change
from hirehub.provisioning.sync import SYNC
from hirehub.settings import Settings
from hirehub.tenancy import service as tenancy


def test_every_worker_event_is_routed_to_a_directory_sync_and_record_changes_to_linkedin() -> None:
    routes = event_routes()

    assert set(routes) == {*WORKER_EVENTS, RecordChanged}
    assert all(handlers == (queue_directory_sync,) for event, handlers in routes.items() if event in WORKER_EVENTS)
    assert routes[RecordChanged] == (queue_record_change,)


async def test_a_hire_becomes_a_sync_job_of_the_person_when_the_outbox_is_dispatched(
    composed_hub: Hub, tenant_id: uuid.UUID
) -> None:
    database = composed_hub.database
    async with database.tenant_transaction(tenant_id) as session:
        await tenancy.create_company(session, code="USMF", name="Contoso USA")
        candidate = await services.create_candidate(session, services.NewCandidate(first_name="Ada", last_name="L"))
    async with database.tenant_transaction(tenant_id) as session:
        await services.hire(session, candidate.id, HireDetails(date(2027, 1, 4)))

    assert await composed_hub.dispatch_outbox() >= 1  # the hire, and the changes of the records it wrote

    async with database.system_session() as session:
        [job] = (await session.scalars(select(DurableJob).where(DurableJob.kind == SYNC))).all()
    assert (job.tenant_id, job.kind, job.ordering_key) == (tenant_id, SYNC, str(candidate.person_ref_id))
    assert job.payload == {"person_id": str(candidate.person_ref_id), "reason": "worker.hired"}


async def test_the_hub_refuses_a_database_whose_sessions_would_lose_its_events(database_url: str) -> None:
    plain = Database(database_url)
    try:
        with pytest.raises(TypeError, match="outbox"):
            build_hub(Settings(database_url=database_url), database=plain)
    finally:
        await plain.dispose()
