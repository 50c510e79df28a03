"""``hirehub secret-key rotate``: re-seal every secret at rest under a new ``HIREHUB_SECRET_KEY``.

The keys come from the options or, better (a command line is visible to other users of the machine), from the
environment: the old one is ``HIREHUB_SECRET_KEY``, the new one ``HIREHUB_NEW_SECRET_KEY``. Stop the hub's
processes first, and start them again with the new key as ``HIREHUB_SECRET_KEY``: a process still holding the
old key cannot open what was re-sealed.
"""

from __future__ import annotations

import typer

from hirehub import bootstrap
from hirehub.cli.context import Result
from hirehub.cli.output import JsonOption, respond
from hirehub.rekeying import rotate_secret_key
from hirehub.sealing import require_safe_key
from hirehub.settings import get_settings

secret_key_app = typer.Typer(help="The key that seals secrets at rest: rotate it.")


@secret_key_app.command("rotate")
def rotate(
    old_key: str | None = typer.Option(None, "--old-key", help="The key now in use (default: HIREHUB_SECRET_KEY)."),
    new_key: str | None = typer.Option(
        None, "--new-key", help="The key to re-seal to (default: HIREHUB_NEW_SECRET_KEY)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Re-seal signing keys, LinkedIn secrets and Entra credentials and token caches, in one transaction."""

    async def action() -> Result:
        settings = get_settings()
        new = new_key or settings.new_secret_key
        if new:
            require_safe_key(settings.model_copy(update={"secret_key": new}))
        database = bootstrap.open_database(settings.effective_database_url)
        try:
            rotation = await rotate_secret_key(database, old_key=old_key or settings.secret_key, new_key=new)
        finally:
            await database.dispose()
        return rotation.as_dict()

    respond(action, as_json)
