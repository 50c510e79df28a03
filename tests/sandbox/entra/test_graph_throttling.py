"""Graph's throttling and faults in the sandbox: documented limits as token buckets on the sandbox clock."""

from __future__ import annotations

import pytest

from hirehub.directories.entra.graph_errors import GraphError
from hirehub.sandbox.entra.throttling import GraphLimits, GraphThrottle, Limit, read_cost, retry_after_header
from hirehub.sandbox.entra.world import Faults, SandboxClock
from tests.sandbox.entra.graph_support import GraphRig, person


class FakeMonotonic:
    """Real time as the sandbox clock reads it, moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# Graph's limits with the 2,000-requests-per-second ceiling lifted, to look at one other limit at a time.
WITHOUT_RATE_CEILING = GraphLimits(requests_per_app=Limit(10**9, 1))


def test_an_app_may_write_3000_times_per_150_seconds_in_one_tenant() -> None:
    clock = SandboxClock(monotonic=FakeMonotonic())
    throttle = GraphThrottle(clock, WITHOUT_RATE_CEILING)

    admitted = [throttle.admit("app", "tenant", write=True, cost=1, tenant_users=10) for _ in range(3000)]
    refused = throttle.admit("app", "tenant", write=True, cost=1, tenant_users=10)

    assert all(a is None for a in admitted)
    assert refused is not None and refused.limit_name == "writes per app per tenant"
    assert refused.wait_seconds == pytest.approx(150 / 3000)


def test_on_a_sped_up_clock_the_bucket_refills_proportionally_faster_in_real_time() -> None:
    real = FakeMonotonic()
    clock = SandboxClock(speed=10, monotonic=real)
    throttle = GraphThrottle(clock, WITHOUT_RATE_CEILING)
    for _ in range(3000):
        throttle.admit("app", "tenant", write=True, cost=1, tenant_users=10)

    real.now += 1.5  # 15 sandbox seconds: a tenth of the window, so 300 writes
    admitted = [throttle.admit("app", "tenant", write=True, cost=1, tenant_users=10) for _ in range(300)]
    refused = throttle.admit("app", "tenant", write=True, cost=1, tenant_users=10)

    assert all(a is None for a in admitted) and refused is not None
    assert retry_after_header(refused.wait_seconds, clock.speed) == "0.005"  # 0.05 sandbox s is 5 real ms


def test_retry_after_is_whole_seconds_at_normal_speed() -> None:
    assert retry_after_header(0.05, 1.0) == "1"
    assert retry_after_header(2.2, 1.0) == "3"


def test_all_apps_of_a_tenant_share_the_tenant_write_limit() -> None:
    throttle = GraphThrottle(SandboxClock(monotonic=FakeMonotonic()), WITHOUT_RATE_CEILING)
    for n in range(6):
        for _ in range(3000):
            assert throttle.admit(f"app{n}", "tenant", write=True, cost=1, tenant_users=10) is None

    refused = throttle.admit("app6", "tenant", write=True, cost=1, tenant_users=10)

    assert refused is not None and refused.limit_name == "writes per tenant"  # 18,000 per 5 minutes


@pytest.mark.parametrize(("users", "units"), [(10, 3500), (50, 5000), (501, 8000)])
def test_read_units_per_ten_seconds_grow_with_the_tenant(users: int, units: int) -> None:
    throttle = GraphThrottle(SandboxClock(monotonic=FakeMonotonic()), WITHOUT_RATE_CEILING)
    for _ in range(units):
        assert throttle.admit("app", "tenant", write=False, cost=1, tenant_users=users) is None
    assert throttle.admit("app", "tenant", write=False, cost=1, tenant_users=users) is not None


def test_an_app_may_send_at_most_2000_requests_a_second() -> None:
    real = FakeMonotonic()
    throttle = GraphThrottle(SandboxClock(monotonic=real))
    for n in range(2000):
        assert throttle.admit("app", f"tenant{n % 4}", write=False, cost=1, tenant_users=10) is None

    refused = throttle.admit("app", "tenant9", write=False, cost=1, tenant_users=10)
    real.now += 0.5

    assert refused is not None and refused.limit_name == "requests per app"
    assert throttle.admit("app", "tenant9", write=False, cost=1, tenant_users=10) is None


def test_a_collection_read_costs_two_units_and_select_saves_one() -> None:
    assert (read_cost(collection=True, selected=False), read_cost(collection=True, selected=True)) == (2, 1)
    assert read_cost(collection=False, selected=True) == 1


async def test_a_burst_beyond_the_bucket_gets_429_with_retry_after_and_the_client_waits_it_out() -> None:
    rig = GraphRig.create()
    rig.world.graph_throttle.limits = GraphLimits(writes_per_app_per_tenant=Limit(5, 10))
    directory = rig.directory_client()
    for n in range(5):
        await directory.create_user(person(f"u{n}"))

    response = await rig.http.post(
        "https://graph.microsoft.com/v1.0/users",
        json={"displayName": "x"},
        headers={"Authorization": f"Bearer {rig.app_token('https://graph.microsoft.com')}"},
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "TooManyRequests"
    assert response.headers["Retry-After"] == "2"  # one write per 2 s refills the bucket
    assert response.headers["request-id"] == response.json()["error"]["innerError"]["request-id"]

    await directory.create_user(person("u5"))  # GraphClient sleeps Retry-After (on the sandbox clock) and retries

    assert 2.0 in rig.slept
    assert rig.world.graph_stats.throttled == 2
    assert rig.store.user_count == 6


async def test_each_batch_item_is_throttled_on_its_own() -> None:
    rig = GraphRig.create()
    rig.world.graph_throttle.limits = GraphLimits(writes_per_app_per_tenant=Limit(3, 30))
    body = {
        "requests": [
            {"id": str(n), "method": "POST", "url": "/users", "body": {"displayName": "x"},
             "headers": {"Content-Type": "application/json"}}
            for n in range(5)
        ]
    }  # fmt: skip

    answer = await rig.graph(max_attempts=1).request("POST", "/$batch", json=body)

    statuses = [r["status"] for r in answer["responses"]]
    assert statuses == [400, 400, 400, 429, 429]  # three admitted (and refused by validation), two throttled
    assert answer["responses"][3]["headers"]["Retry-After"] == "10"


async def test_injected_unavailability_is_a_503_service_not_available_with_retry_after() -> None:
    rig = GraphRig.create(faults=Faults(unavailable_rate=1.0, retry_after_seconds=4))

    with pytest.raises(GraphError) as failed:
        await rig.graph(max_attempts=2).request("GET", "/users")

    assert (failed.value.status, failed.value.code) == (503, "serviceNotAvailable")
    assert rig.slept == [4.0]


async def test_a_service_that_is_down_answers_every_call_with_503() -> None:
    rig = GraphRig.create(faults=Faults(down=True))

    graph_call = await rig.http.get("https://graph.microsoft.com/v1.0/users")
    exchange_call = await rig.http.post(
        f"https://outlook.office365.com/adminapi/beta/{rig.directory.tenant_id}/InvokeCommand", json={}
    )

    assert graph_call.status_code == 503 and "Retry-After" in graph_call.headers
    assert exchange_call.status_code == 503


async def test_the_stats_count_requests_writes_and_throttled_answers() -> None:
    rig = GraphRig.create()
    rig.world.graph_throttle.limits = GraphLimits(writes_per_app_per_tenant=Limit(1, 100))
    directory = rig.directory_client(max_attempts=1)
    await directory.create_user(person("a"))
    await directory.get_user("a@contoso.onmicrosoft.com")
    with pytest.raises(GraphError):
        await directory.create_user(person("b"))

    stats = rig.world.graph_stats
    assert (stats.requests, stats.writes, stats.reads, stats.throttled) == (3, 1, 1, 1)
    assert stats.statuses[201] == 1 and stats.statuses[429] == 1
