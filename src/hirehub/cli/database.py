"""``hirehub db …``: migrate the schema up or down."""

from __future__ import annotations

import typer

from hirehub.cli.context import open_database
from hirehub.cli.output import JsonOption, emit, run
from hirehub.db import migrate

db_app = typer.Typer(help="The database schema (Alembic migrations, on SQLite and PostgreSQL).")


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Option("head", "--revision", help="Target revision."),
    as_json: bool = JsonOption,
) -> None:
    """Upgrade the schema (to the newest revision by default)."""

    async def action() -> dict[str, str | None]:
        async with open_database() as database:
            before = await migrate.current_revision(database.engine)
            after = await migrate.upgrade(database.engine, revision)
            return {"from": before, "revision": after, "head": migrate.head_revision()}

    emit(run(action, as_json), as_json)


@db_app.command("downgrade")
def db_downgrade(
    revision: str = typer.Option(..., "--revision", help="Target revision, or 'base' to empty the schema."),
    as_json: bool = JsonOption,
) -> None:
    """Downgrade the schema to a revision."""

    async def action() -> dict[str, str | None]:
        async with open_database() as database:
            before = await migrate.current_revision(database.engine)
            after = await migrate.downgrade(database.engine, revision)
            return {"from": before, "revision": after, "head": migrate.head_revision()}

    emit(run(action, as_json), as_json)


@db_app.command("current")
def db_current(as_json: bool = JsonOption) -> None:
    """Show the schema revision of the database and the newest one available."""

    async def action() -> dict[str, str | None]:
        async with open_database() as database:
            return {
                "revision": await migrate.current_revision(database.engine),
                "head": migrate.head_revision(),
            }

    emit(run(action, as_json), as_json)
