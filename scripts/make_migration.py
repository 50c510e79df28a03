"""Autogenerate a migration: upgrade a scratch SQLite database to head, then diff it against the models.

Usage: python scripts/make_migration.py "message"
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from alembic import command

from hirehub.db import migrate
from hirehub.db.session import create_engine


async def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'scratch.db'}")
        await migrate.upgrade(engine)

        def revise(connection: object) -> None:
            command.revision(migrate.alembic_config(connection), message=message, autogenerate=True)  # type: ignore[arg-type]

        async with engine.begin() as conn:
            await conn.run_sync(revise)
        await engine.dispose()


asyncio.run(main(sys.argv[1]))
