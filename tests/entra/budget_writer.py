"""A process writing through a shared Graph write budget, as a job runner does: for ``test_write_budget_processes``.

It opens the database, prints ``ready``, reads the moment to start from its standard input (on ``time.monotonic``,
one clock for every process of the machine), then, by ``--mode``:

* ``write``: takes one token per write for ``--seconds`` and prints the moment of each write;
* ``hold``: after ``--hold-after`` seconds, reports a 429 with ``Retry-After: --hold-seconds`` and prints when;
* ``lease``: takes one token (leasing ``--lease-size``), prints ``leased`` and waits to be killed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from sqlalchemy import text

from hirehub.db.session import Database
from hirehub.directories.entra.budget_ledger import Limit
from hirehub.directories.entra.budget_store import BudgetKey, BudgetStore
from hirehub.directories.entra.throttle import SharedBucket


def _say(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


async def _until(moment: float) -> None:
    await asyncio.sleep(max(0.0, moment - time.monotonic()))


async def main(args: argparse.Namespace) -> None:
    database = Database(args.url)
    try:
        async with database.system_session() as session:
            await session.execute(text("SELECT 1"))  # connected before the start, as a running hub is
        store = BudgetStore(database, Limit(args.capacity, args.window))
        key = BudgetKey("global", args.directory, args.app)
        bucket = SharedBucket(store, key, lease_size=args.lease_size, lease_seconds=args.lease_seconds)
        _say(ready=True)
        start = float(await asyncio.to_thread(sys.stdin.readline))
        await _until(start)
        if args.mode == "write":
            writes: list[float] = []
            while time.monotonic() < start + args.seconds:
                await bucket.take()
                writes.append(time.monotonic())
            _say(writes=writes)
        elif args.mode == "hold":
            await _until(start + args.hold_after)
            before = time.monotonic()
            await bucket.hold(args.hold_seconds)
            _say(hold=[before, time.monotonic()])
        else:
            await bucket.take()
            _say(leased=True)
            await asyncio.sleep(3600)
    finally:
        await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--mode", choices=("write", "hold", "lease"), default="write")
    parser.add_argument("--directory", default="contoso-directory")
    parser.add_argument("--app", default="provisioning-app")
    parser.add_argument("--capacity", type=int, default=20)
    parser.add_argument("--window", type=float, default=2.0)
    parser.add_argument("--lease-size", type=int, default=5)
    parser.add_argument("--lease-seconds", type=float, default=0.5)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--hold-after", type=float, default=1.5)
    parser.add_argument("--hold-seconds", type=float, default=3.0)
    asyncio.run(main(parser.parse_args()))
