"""Fail early, with the fix, when the PostgreSQL the test suite needs is not reachable."""

from __future__ import annotations

import asyncio
import os
import sys

import asyncpg

URL = os.environ.get(
    "HIREHUB_TEST_POSTGRES_ADMIN_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def main() -> int:
    dsn = URL.replace("postgresql+asyncpg://", "postgresql://")
    try:
        conn = await asyncpg.connect(dsn, timeout=5)
    except Exception as exc:
        print(f"PostgreSQL is not reachable at {dsn}: {exc}", file=sys.stderr)
        print(
            "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
            file=sys.stderr,
        )
        return 1
    await conn.close()
    return 0


sys.exit(asyncio.run(main()))
