"""Tokens follow the grants: a token carries the permissions of the moment it was issued, so the hub drops it and
fetches a new one when Graph or Exchange refuses it (once per call; then the refusal stands) and before every *Test
connection*. Granting a permission works at once: no process is restarted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from hirehub.db.session import Database
from hirehub.directories.entra.clouds import CLOUDS, CloudName
from hirehub.directories.entra.connections import test_connection as run_test
from hirehub.directories.entra.connector_factory import EntraConnectors
from hirehub.directories.entra.exchange import ExchangeClient
from hirehub.directories.entra.graph import GraphClient
from hirehub.directories.entra.graph_errors import GraphError
from hirehub.directories.entra.models import EntraConnection
from hirehub.jobs import queue
from hirehub.jobs.models import DurableJob
from hirehub.lifecycle.connector import Connector
from hirehub.lifecycle.policy import policy_to_json, starter_policy
from hirehub.provisioning.connectors import Connectors
from hirehub.provisioning.policies import set_policy
from tests.entra.connection_rig import Rig, customer_owned, recording_runtime
from tests.entra.support import Clock, Hub
from tests.sandbox.entra.conftest import (  # noqa: F401
    EntraSandbox,
    entra_sandbox,
    entra_world,
    sandbox_certificate_authority,
)

GLOBAL = CLOUDS[CloudName.GLOBAL]
DOMAIN = "contoso.onmicrosoft.com"


async def _test(rig: Rig) -> list[str]:
    async with rig.database.tenant_transaction(rig.tenant_id) as session:
        connection = await session.get_one(EntraConnection, rig.connection_id)
        check = await run_test(rig.runtime, connection, datetime.now(UTC))
    return [p.code for p in check.problems]


async def test_a_permission_granted_after_a_failed_test_counts_at_the_next_test_without_a_restart(
    database: Database,
    entra_sandbox: EntraSandbox,  # noqa: F811
) -> None:
    rig = await customer_owned(database, entra_sandbox, granted=False)
    assert await _test(rig) != []

    rig.grant_everything(exchange=False)

    assert await _test(rig) == []
    assert (await rig.connection()).last_test == {
        "ok": True, "problems": [], "token_ok": True, "missing_permissions": [], "missing_roles": [], "messages": [],
    }  # fmt: skip


async def test_every_test_starts_from_a_new_token(
    database: Database,
    entra_sandbox: EntraSandbox,  # noqa: F811
) -> None:
    rig = await customer_owned(database, entra_sandbox)
    await _test(rig)
    await _test(rig)
    first, second = (t for t in rig.sent.by_host[GLOBAL.graph_host][::3][:2])
    assert first != second  # each test's first Graph call carried a token fetched for that test


@pytest.fixture
async def provisioning(database: Database, entra_sandbox: EntraSandbox) -> AsyncIterator[tuple[Rig, Hub]]:  # noqa: F811
    """A connection with no permission granted yet, and a job worker with a runtime of its own (another process)
    that provisions through it."""
    rig = await customer_owned(database, entra_sandbox, granted=False)
    rig.store.create_group(
        {"displayName": "All staff", "mailEnabled": False, "mailNickname": "staff", "securityEnabled": True}
    )
    entra_sandbox.world.clock.advance(60)
    async with database.tenant_transaction(rig.tenant_id) as session:
        await set_policy(session, policy_to_json(starter_policy(DOMAIN)), by="test")
    worker_runtime, _ = recording_runtime(entra_sandbox)
    factory = EntraConnectors(database, worker_runtime)

    async def connector(tenant_id: object) -> Connector:
        return factory.connector(rig.tenant_id, await rig.connection())

    clock = Clock(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    hub = Hub(database, rig.tenant_id, clock, entra_sandbox.world, rig.directory, Connectors([connector]))
    yield rig, hub
    for runtime in (rig.runtime, worker_runtime):
        assert runtime.http is not None
        await runtime.http.aclose()


async def test_a_provisioning_job_retried_after_the_grant_succeeds_in_a_worker_that_kept_its_old_token(
    provisioning: tuple[Rig, Hub],
) -> None:
    rig, hub = provisioning
    await hub.hire("José", "Núñez")
    await hub.settle(horizon=timedelta(seconds=0))
    (job,) = [j for j in await hub.jobs() if j.kind == "provisioning.sync"]
    assert job.status != "succeeded" and "Authorization_RequestDenied" in (job.last_error or "")

    rig.grant_everything(exchange=False)
    assert await _test(rig) == []  # in the console's process; the worker's token predates the grant
    await hub.settle()  # the job's next attempt, at its backoff

    account = hub.account(f"jose.nunez@{DOMAIN}")
    assert account["accountEnabled"] is True
    async with hub.database.tenant_session(hub.tenant_id) as session:
        retried = await queue.get_job(session, job.id)
        assert retried.status == "succeeded" and retried.attempts >= 2
        assert (await session.scalars(select(DurableJob).where(DurableJob.status == "dead"))).all() == []


def _answering(statuses: list[int]) -> tuple[httpx.AsyncClient, list[str]]:
    """A client whose server answers the given statuses in turn (then 200), recording the bearer tokens."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        status = statuses.pop(0) if statuses else 200
        if status == 200:
            return httpx.Response(200, json={"value": []})
        return httpx.Response(status, json={"error": {"code": "InvalidAuthenticationToken", "message": "expired"}})

    return httpx.AsyncClient(transport=httpx.MockTransport(answer)), seen


class Tokens:
    """A token source that hands out a new token each time the previous one was dropped."""

    def __init__(self) -> None:
        self.issued = 0
        self.dropped = 0

    async def __call__(self) -> str:
        return f"token-{self.dropped}"

    def drop(self) -> None:
        self.dropped += 1


async def test_graph_drops_a_refused_token_and_calls_again_once_with_a_new_one() -> None:
    http, seen = _answering([401])
    tokens = Tokens()
    graph = GraphClient(GLOBAL.graph_base, tokens, http, on_unauthorized=tokens.drop)

    assert await graph.request("GET", "/users") == {"value": []}
    assert seen == ["Bearer token-0", "Bearer token-1"]


async def test_graph_lets_the_refusal_stand_when_the_new_token_is_refused_too() -> None:
    http, seen = _answering([401, 401, 401])
    tokens = Tokens()
    graph = GraphClient(GLOBAL.graph_base, tokens, http, on_unauthorized=tokens.drop)

    with pytest.raises(GraphError) as refused:
        await graph.request("GET", "/users")
    assert refused.value.status == 401 and seen == ["Bearer token-0", "Bearer token-1"]


async def test_exchange_drops_a_refused_token_once_then_the_refusal_stands() -> None:
    tokens = Tokens()
    http, seen = _answering([401])
    exchange = ExchangeClient(GLOBAL.exchange_invoke_url("contoso"), tokens, http, on_unauthorized=tokens.drop)
    assert await exchange.invoke("Get-Mailbox", {}) == []
    assert seen == ["Bearer token-0", "Bearer token-1"]

    http, seen = _answering([401, 401])
    exchange = ExchangeClient(GLOBAL.exchange_invoke_url("contoso"), tokens, http, on_unauthorized=tokens.drop)
    with pytest.raises(GraphError):
        await exchange.invoke("Get-Mailbox", {})
    assert seen == ["Bearer token-1", "Bearer token-2"]


async def test_a_token_graph_finds_expired_is_replaced_through_the_runtime(
    database: Database,
    entra_sandbox: EntraSandbox,  # noqa: F811
) -> None:
    rig = await customer_owned(database, entra_sandbox)
    connection = await rig.connection()
    graph = rig.runtime.graph(connection)
    await graph.request("GET", "/users")
    entra_sandbox.world.clock.advance(timedelta(hours=3).total_seconds())  # MSAL still believes in its cached token

    await graph.request("GET", "/users")

    first, expired, fresh = rig.sent.by_host[GLOBAL.graph_host]
    assert first == expired != fresh
