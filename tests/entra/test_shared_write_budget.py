"""Graph's write budget kept in the database: what each process's bucket does with it, on a clock the test moves.

Several buckets on one budget here are several processes' views of it, run one after the other; the real
processes, at the same time, are in ``test_write_budget_processes``.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from hirehub.bootstrap import Hub
from hirehub.db.session import Database
from hirehub.directories.entra.budget_ledger import Limit
from hirehub.directories.entra.budget_store import BudgetKey, BudgetStore
from hirehub.directories.entra.connection_runtime import ConnectionRuntime
from hirehub.directories.entra.graph import BatchRequest, GraphClient
from hirehub.directories.entra.models import ConnectionType, EntraConnection
from hirehub.directories.entra.msal_client import OutboundConfig
from hirehub.directories.entra.throttle import SharedBucket, TokenBucket
from hirehub.metrics import REGISTRY
from hirehub.outbound import HostMap
from hirehub.sealing import Sealer
from tests.entra.budget_support import FakeTime, excess_writes

LIMIT = Limit(capacity=40, window_seconds=4)  # 10 writes a second


def budget_key(**changes: str) -> BudgetKey:
    """A budget of its own for each test (the metrics are the process's, and outlive a test)."""
    parts = {"cloud": "global", "directory_tenant_id": str(uuid.uuid4()), "client_id": str(uuid.uuid4())}
    return BudgetKey(**{**parts, **changes})


def bucket(store: BudgetStore, key: BudgetKey, time: FakeTime, **kwargs: int | float) -> SharedBucket:
    return SharedBucket(store, key, clock=time.monotonic, sleep=time.sleep, **kwargs)  # type: ignore[arg-type]


def metric(name: str, key: BudgetKey) -> float:
    return REGISTRY.get_sample_value(name, {"budget": key.label}) or 0.0


async def test_a_process_alone_uses_the_whole_limit_without_a_transaction_per_write(database: Database) -> None:
    time = FakeTime()
    key = budget_key()
    store = BudgetStore(database, LIMIT, clock=time.now)
    alone = bucket(store, key, time, lease_size=10)
    writes: list[float] = []
    while time.seconds < 10:
        await alone.take()
        writes.append(time.seconds)
    allowed = LIMIT.capacity + LIMIT.rate * 10  # a full bucket, then ten seconds of refill
    assert len(writes) >= 0.9 * allowed
    assert excess_writes(writes, LIMIT) == []
    # the full bucket went in leases of ten; at the pace of the refill there are no spare tokens to lease
    assert metric("hirehub_graph_write_budget_leases_total", key) < len(writes) - 30


async def test_two_processes_share_one_budget_and_the_second_waits_for_the_first(database: Database) -> None:
    time = FakeTime()
    key = budget_key()
    store = BudgetStore(database, LIMIT, clock=time.now)
    first, second = bucket(store, key, time, lease_size=10), bucket(store, key, time, lease_size=1)
    await first.take()  # one write, and nine spare tokens in its lease
    await second.take(25)
    await second.take(10)  # 40 - 10 - 25 = 5 left: five more writes' worth of refill, the first's nine untouched
    assert time.seconds == pytest.approx(0.5)
    assert metric("hirehub_graph_write_budget_waits_total", key) == 1


async def test_a_429_seen_by_one_process_holds_the_others_until_the_time_graph_said(database: Database) -> None:
    time = FakeTime()
    key = budget_key()
    store = BudgetStore(database, LIMIT, clock=time.now)
    writer, throttled = bucket(store, key, time, lease_size=10, lease_seconds=1), bucket(store, key, time)
    await writer.take()
    await throttled.hold(5.0)
    await writer.take()  # a lease already in hand is used within its second...
    assert time.seconds == 0
    time.seconds = 1.5
    await writer.take()  # ...and the next one waits for the hold's end
    assert time.seconds >= 5.0
    held = await store.ledger(key)
    assert held is not None and held.held_until == time.at(5.0)
    assert metric("hirehub_graph_throttled_total", key) == 1


async def test_a_lease_granted_before_a_hold_and_not_yet_due_waits_for_the_hold(database: Database) -> None:
    time = FakeTime()
    key = budget_key()
    store = BudgetStore(database, LIMIT, clock=time.now)
    throttled = bucket(store, key, time)
    await throttled.take(40)  # the bucket is empty: the next 20 writes are seconds away
    waits = 0

    async def sleep(seconds: float) -> None:
        nonlocal waits
        waits += 1
        if waits == 1:
            await throttled.hold(30.0)  # the other process is told to wait 30 s while this one waits its turn
        await time.sleep(seconds)

    queued = SharedBucket(store, key, lease_seconds=1, clock=time.monotonic, sleep=sleep)
    await queued.take(20)
    assert time.seconds >= 30.0


async def test_the_lease_of_a_process_that_died_comes_back_after_it_expires(database: Database) -> None:
    time = FakeTime()
    key = budget_key()
    limit = Limit(capacity=40, window_seconds=8)  # 5 writes a second: a full refill takes longer than a lease lives
    store = BudgetStore(database, limit, clock=time.now)
    dead = bucket(store, key, time, lease_size=40, lease_seconds=1)
    await dead.take()  # leases the whole bucket, writes once, and is never heard of again
    time.seconds = 2.5
    survivor = bucket(store, key, time, lease_size=1, lease_seconds=1)
    await survivor.take()
    # its lease left the ledger three seconds after it was granted (one second's life, two of grace): the write
    # waited for that, not for the dead process
    assert time.seconds == pytest.approx(3.2)
    time.seconds = 3.2 + limit.window_seconds
    await survivor.take(40)  # and the whole capacity is there again
    assert time.seconds == pytest.approx(11.2)


async def test_budgets_of_other_directories_apps_and_clouds_are_independent(database: Database) -> None:
    time = FakeTime()
    key = budget_key()
    store = BudgetStore(database, LIMIT, clock=time.now)
    await bucket(store, key, time).hold(60.0)
    for other in (
        budget_key(client_id=key.client_id),  # another directory, the same app
        budget_key(directory_tenant_id=key.directory_tenant_id),  # another app in the same directory
        BudgetKey("us_gov_l4", key.directory_tenant_id, key.client_id),  # the same ids in another cloud
    ):
        await bucket(store, other, time).take(40)
    assert time.seconds == 0


def _connection(tenant_id: uuid.UUID, *, cloud: str = "global", client_id: str = "app-1") -> EntraConnection:
    return EntraConnection(
        tenant_id=tenant_id, name="Directory", cloud=cloud, connection_type=ConnectionType.CUSTOMER_OWNED,
        directory_tenant_id="contoso-directory", client_id=client_id,
    )  # fmt: skip


async def test_the_runtime_gives_every_connection_writing_as_one_app_in_one_directory_the_same_budget(
    database: Database,
) -> None:
    runtime = ConnectionRuntime(
        outbound=OutboundConfig(HostMap({})), box=Sealer("runtime test key of thirty-two b.", "entra"),
        budgets=BudgetStore(database),
    )  # fmt: skip
    contoso, fabrikam = uuid.uuid4(), uuid.uuid4()
    shared = runtime.bucket(_connection(contoso))
    assert isinstance(shared, SharedBucket)
    assert runtime.bucket(_connection(fabrikam)) is shared  # two hub tenants, one directory and app: one budget
    assert runtime.bucket(_connection(contoso, client_id="app-2")) is not shared
    assert runtime.bucket(_connection(contoso, cloud="us_gov_l4")) is not shared
    alone = ConnectionRuntime(
        outbound=OutboundConfig(HostMap({})), box=Sealer("runtime test key of thirty-two b.", "e")
    )
    assert isinstance(alone.bucket(_connection(contoso)), TokenBucket)  # no database: this process's own


async def test_the_graph_client_puts_the_shared_budget_on_hold_when_graph_answers_429(database: Database) -> None:
    time = FakeTime()
    key = budget_key()
    store = BudgetStore(database, LIMIT, clock=time.now)
    answers = [httpx.Response(429, json={"error": {"code": "TooManyRequests"}}, headers={"Retry-After": "7"})]

    def graph(request: httpx.Request) -> httpx.Response:
        return answers.pop(0) if answers else httpx.Response(204)

    async def token() -> str:
        return "token"

    http = httpx.AsyncClient(transport=httpx.MockTransport(graph))
    client = GraphClient(
        "https://graph.microsoft.com/v1.0", token, http, bucket=bucket(store, key, time), sleep=time.sleep
    )
    await client.request("PATCH", "/users/u1", json={"accountEnabled": False})
    held = await store.ledger(key)
    assert held is not None and held.held_until == time.at(7.0)
    other_process = bucket(store, key, time)
    await other_process.take()
    assert time.seconds >= 7.0


@pytest.mark.parametrize(("status", "held"), [(429, True), (404, False), (503, False)])
async def test_only_a_batch_items_429_puts_the_budget_on_hold(database: Database, status: int, held: bool) -> None:
    """A just-created object's 404 or a 503 is retried after its wait, but says nothing of the write budget."""
    time = FakeTime()
    key = budget_key()
    store = BudgetStore(database, LIMIT, clock=time.now)
    calls = 0

    def graph(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        first = {"id": "1", "status": status, "headers": {"Retry-After": "3"}, "body": {"error": {"code": "x"}}}
        later = {"id": "1", "status": 204, "headers": {}}
        return httpx.Response(200, json={"responses": [first if calls == 1 else later]})

    async def token() -> str:
        return "token"

    http = httpx.AsyncClient(transport=httpx.MockTransport(graph))
    client = GraphClient(
        "https://graph.microsoft.com/v1.0", token, http, bucket=bucket(store, key, time), sleep=time.sleep
    )
    answers = await client.batch([BatchRequest("1", "PATCH", "/users/u1", {"jobTitle": "x"}, retry_not_found=True)])
    assert answers["1"].status == 204
    ledger = await store.ledger(key)
    assert ledger is not None and (ledger.held_until is not None) is held


async def test_the_hub_shares_graphs_write_budgets_through_its_own_database(composed_hub: Hub) -> None:
    """The API and every job runner are built by the composition root: each one's budgets are the database's."""
    budgets = composed_hub.entra_runtime.budgets
    assert budgets is not None and budgets.database is composed_hub.database
