"""``hirehub db …``: migrate the schema up or down."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from hirehub.bootstrap import Hub
from hirehub.cli.context import with_hub
from hirehub.cli.output import JsonOption
from hirehub.db import migrate

db_app = typer.Typer(help="The database schema (Alembic migrations, on SQLite and PostgreSQL).")


def _migrating(to: Callable[[AsyncEngine], Awaitable[str | None]], as_json: bool) -> None:
    """Run one migration and print where the schema was, where it is now, and the newest revision."""

    async def migration(hub: Hub) -> dict[str, str | None]:
        before = await migrate.current_revision(hub.database.engine)
        return {"from": before, "revision": await to(hub.database.engine), "head": migrate.head_revision()}

    with_hub(migration, as_json)


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Option("head", "--revision", help="Target revision."),
    as_json: bool = JsonOption,
) -> None:
    """Upgrade the schema (to the newest revision by default)."""
    _migrating(lambda engine: migrate.upgrade(engine, revision), as_json)


@db_app.command("downgrade")
def db_downgrade(
    revision: str = typer.Option(..., "--revision", help="Target revision, or 'base' to empty the schema."),
    as_json: bool = JsonOption,
) -> None:
    """Downgrade the schema to a revision."""
    _migrating(lambda engine: migrate.downgrade(engine, revision), as_json)


@db_app.command("current")
def db_current(as_json: bool = JsonOption) -> None:
    """Show the schema revision of the database and the newest one available."""

    async def current(hub: Hub) -> dict[str, str | None]:
        return {"revision": await migrate.current_revision(hub.database.engine), "head": migrate.head_revision()}

    with_hub(current, as_json)
