"""Graph's write budget shared by real processes (``budget_writer.py``), on the test's database.

Each process takes its tokens through its own :class:`~hirehub.directories.entra.throttle.SharedBucket`, as each
job runner does; every write's moment is replayed through Graph's token bucket (an exact counter), so a window
in which the processes together wrote more than Graph allows would show as a refused write. The limit is made
small (20 writes, 10 a second) so that seconds of writing meet it many times over.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hirehub.db.session import Database
from hirehub.directories.entra.budget_ledger import Limit
from hirehub.directories.entra.budget_store import BudgetKey, BudgetStore
from hirehub.directories.entra.throttle import SharedBucket
from tests.entra.budget_support import excess_writes

pytestmark = pytest.mark.slow

WRITER = str(Path(__file__).with_name("budget_writer.py"))
LIMIT = Limit(capacity=20, window_seconds=2)
KEY = BudgetKey("global", "contoso-directory", "provisioning-app")  # the writer's defaults
SECONDS = 4.0
LEASE_SECONDS = 0.5


async def _spawn(url: str, *options: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, WRITER, "--url", url, "--capacity", str(LIMIT.capacity), "--window",
        str(LIMIT.window_seconds), "--seconds", str(SECONDS), "--lease-seconds", str(LEASE_SECONDS), *options,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _line(process: asyncio.subprocess.Process) -> dict[str, Any]:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 120)
    assert line, (await process.communicate())[1].decode()
    answer: dict[str, Any] = json.loads(line)
    return answer


async def _started(url: str, *option_lists: tuple[str, ...]) -> tuple[float, list[asyncio.subprocess.Process]]:
    """Start the processes, and once each has opened the database, tell them all the same moment to begin."""
    processes = [await _spawn(url, *options) for options in option_lists]
    for process in processes:
        assert await _line(process) == {"ready": True}
    start = time.monotonic() + 0.3
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(f"{start}\n".encode())
        await process.stdin.drain()
    return start, processes


async def _run(url: str, *option_lists: tuple[str, ...]) -> tuple[float, list[dict[str, Any]]]:
    start, processes = await _started(url, *option_lists)
    answers = []
    for process in processes:
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, err.decode()
        answers.append(json.loads(out.decode().strip().splitlines()[-1]))
    return start, answers


def _fraction_of_limit(writes: list[float], start: float) -> float:
    """The writes made from the first until the writers stopped, over what Graph's bucket, full at the first
    write, admits in that time (the moments before the first write, spent starting up, are not counted)."""
    end = start + SECONDS
    first = min(writes)
    return sum(1 for at in writes if at <= end) / (LIMIT.capacity + LIMIT.rate * (end - first))


async def test_a_process_alone_reaches_the_limit(database_url: str) -> None:
    start, [alone] = await _run(database_url, ("--lease-size", "5"))
    assert excess_writes(alone["writes"], LIMIT) == []
    assert _fraction_of_limit(alone["writes"], start) >= 0.9


async def test_two_processes_sharing_a_budget_never_exceed_it_together(database_url: str) -> None:
    start, answers = await _run(database_url, ("--lease-size", "5"), ("--lease-size", "5"))
    writes = [at for answer in answers for at in answer["writes"]]
    assert all(answer["writes"] for answer in answers)  # both wrote
    assert excess_writes(writes, LIMIT) == []
    assert 0.9 <= _fraction_of_limit(writes, start) <= 1.0  # together, what one process alone may


async def test_processes_on_different_directories_each_have_the_whole_limit(database_url: str) -> None:
    start, answers = await _run(database_url, ("--directory", "contoso"), ("--directory", "fabrikam"))
    for answer in answers:
        assert excess_writes(answer["writes"], LIMIT) == []
        assert _fraction_of_limit(answer["writes"], start) >= 0.9


async def test_a_429_in_one_process_holds_the_other_until_the_time_graph_said(database_url: str) -> None:
    hold_seconds = 2.0
    _, [writer, throttled] = await _run(
        database_url, ("--lease-size", "5"), ("--mode", "hold", "--hold-after", "1.5", "--hold-seconds", "2")
    )
    reported, answered = throttled["hold"]
    writes = writer["writes"]
    # writes already granted may go for one lease's life; after that, none until the hold is over
    during = [at for at in writes if answered + 2 * LEASE_SECONDS < at < reported + hold_seconds]
    assert during == []
    assert [at for at in writes if at >= reported + hold_seconds]  # and then the writer goes on
    assert excess_writes(writes, LIMIT) == []


async def test_the_lease_of_a_killed_process_is_given_up_and_its_capacity_comes_back(
    database: Database, database_url: str
) -> None:
    _, [doomed] = await _started(database_url, ("--mode", "lease", "--lease-size", str(LIMIT.capacity)))
    assert await _line(doomed) == {"leased": True}
    doomed.send_signal(signal.SIGKILL)
    await doomed.wait()
    store = BudgetStore(database, LIMIT)
    ledger = await store.ledger(KEY)
    assert ledger is not None and [lease.tokens for lease in ledger.leases.values()] == [LIMIT.capacity]
    [dead_lease] = ledger.leases

    survivor = SharedBucket(store, KEY, lease_size=1, lease_seconds=LEASE_SECONDS)
    await survivor.take(LIMIT.capacity)  # the whole capacity: only once the dead process's lease is gone
    await survivor.release()
    after = await store.ledger(KEY)
    assert after is not None and after.leases == {}
    assert after.stamp >= ledger.leases[dead_lease].expires
