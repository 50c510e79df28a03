"""The sandbox's latency and fault knobs: seeded draws in range, calls held without blocking each other, and the
command line that sets them (defaults shown, a scenario's own faults kept unless an option changes them)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from hirehub.sandbox.entra.__main__ import parser, world_from_json
from hirehub.sandbox.entra.app import create_app
from hirehub.sandbox.entra.faults import Latency, LatencyMiddleware, check_arguments, fault_fields, latency_from
from hirehub.sandbox.entra.world import EntraWorld, Faults


class RecordingSleep:
    """A sleep that only notes how long it was asked to last."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


async def answer_ok(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def test_latency_draws_stay_within_the_range() -> None:
    latency = Latency(0.05, 0.3, seed=1)

    draws = [latency.draw() for _ in range(1000)]

    assert all(0.05 <= d <= 0.3 for d in draws)
    assert max(draws) - min(draws) > 0.2  # spread over the range, not one value


def test_the_same_seed_repeats_the_same_delays() -> None:
    first, second = Latency(0.05, 0.3, seed=7), Latency(0.05, 0.3, seed=7)

    assert [first.draw() for _ in range(20)] == [second.draw() for _ in range(20)]


def test_a_range_upside_down_is_refused() -> None:
    with pytest.raises(ValueError):
        Latency(0.3, 0.05)


async def test_each_call_waits_its_drawn_delay_before_it_is_answered() -> None:
    sleep = RecordingSleep()
    expected = Latency(0.05, 0.3, seed=3)
    app = LatencyMiddleware(answer_ok, Latency(0.05, 0.3, seed=3), sleep=sleep)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        answers = [await client.get("/v1.0/users") for _ in range(3)]

    assert [a.text for a in answers] == ["ok"] * 3
    assert sleep.delays == [expected.draw() for _ in range(3)]


async def test_concurrent_calls_wait_their_delays_side_by_side() -> None:
    started = asyncio.Event()
    waiting = 0

    async def sleep(_: float) -> None:
        nonlocal waiting
        waiting += 1
        if waiting == 2:
            started.set()
        await started.wait()  # only returns once the other call is waiting too

    app = LatencyMiddleware(answer_ok, Latency(0.05, 0.3, seed=3), sleep=sleep)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        answers = await asyncio.wait_for(asyncio.gather(client.get("/a"), client.get("/b")), timeout=5)

    assert [a.status_code for a in answers] == [200, 200]


def test_without_latency_the_sandbox_adds_no_middleware() -> None:
    plain = create_app(EntraWorld())
    slowed = create_app(EntraWorld(), Latency(0.05, 0.3))

    assert not any(m.cls is LatencyMiddleware for m in plain.user_middleware)
    assert any(m.cls is LatencyMiddleware for m in slowed.user_middleware)


def test_the_command_line_defaults_leave_the_sandbox_instant_and_faultless() -> None:
    args = parser().parse_args([])

    assert fault_fields(args, {}) == {}
    assert not latency_from(args).enabled


def test_help_shows_the_knobs_with_their_defaults() -> None:
    text = " ".join(parser().format_help().split())

    for option in ("--latency-min-ms", "--latency-max-ms", "--throttle-rate", "--unavailable-rate",
                   "--consistency-lag-seconds", "--fault-seed"):  # fmt: skip
        assert option in text
    assert "Shortest delay of an HTTP call. (default: 0)" in text
    assert "(default: 0.0)" in text


def test_the_options_set_graph_like_latency_and_faults() -> None:
    args = parser().parse_args(
        ["--latency-min-ms", "50", "--latency-max-ms", "300", "--throttle-rate", "0.01", "--unavailable-rate", "0.01",
         "--consistency-lag-seconds", "2", "--fault-seed", "42"]
    )  # fmt: skip

    faults = Faults(**fault_fields(args, {}))
    latency = latency_from(args)

    assert (faults.throttle_rate, faults.unavailable_rate, faults.consistency_lag_seconds) == (0.01, 0.01, 2.0)
    assert faults.seed == 42 and latency.seed == 42
    assert (latency.min_seconds, latency.max_seconds) == (0.05, 0.3)


@pytest.mark.parametrize(
    "argv", [["--throttle-rate", "1.5"], ["--unavailable-rate", "-0.1"], ["--latency-max-ms", "-1"]]
)
def test_a_rate_or_delay_out_of_range_is_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(argv)


def test_a_shortest_delay_above_the_longest_is_refused() -> None:
    program = parser()
    args = program.parse_args(["--latency-min-ms", "300", "--latency-max-ms", "50"])

    with pytest.raises(SystemExit):
        check_arguments(program, args)


def test_a_scenarios_own_faults_stay_unless_an_option_changes_them() -> None:
    scenario = {"throttle_rate": 0.5, "consistency_lag_seconds": 3.0}

    untouched = fault_fields(parser().parse_args([]), scenario)
    changed = fault_fields(parser().parse_args(["--throttle-rate", "0.02"]), scenario)

    assert untouched == scenario
    assert changed == {"throttle_rate": 0.02, "consistency_lag_seconds": 3.0}
    assert world_from_json({"faults": changed}).faults.throttle_rate == 0.02


def test_seeded_faults_repeat_the_same_injections() -> None:
    first, second = Faults(throttle_rate=0.02, seed=5), Faults(throttle_rate=0.02, seed=5)

    rolls = [first.roll(first.throttle_rate) for _ in range(2000)]

    assert rolls == [second.roll(second.throttle_rate) for _ in range(2000)]
    assert 10 < sum(rolls) < 80  # about 2 % of 2,000
