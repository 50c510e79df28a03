"""``hirehub serve``: run the hub with uvicorn, over TLS when given a certificate.

Microsoft's client libraries accept only ``https`` authorities, so serving TLS directly (not only behind a
proxy) matters for local integrations and tests. Outside development it refuses to start with an unsafe
``HIREHUB_SECRET_KEY`` (:func:`hirehub.sealing.require_safe_key`): a hub that starts is a hub that is safe to reach.
"""

from __future__ import annotations

import os

import typer
import uvicorn

from hirehub.cli.output import JsonOption, refuse
from hirehub.errors import HubError
from hirehub.sealing import require_safe_key
from hirehub.settings import get_settings


def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    ssl_certfile: str | None = typer.Option(None, "--ssl-certfile", help="PEM certificate chain for TLS."),
    ssl_keyfile: str | None = typer.Option(None, "--ssl-keyfile", help="PEM private key for TLS."),
    workers: int = typer.Option(1, "--workers", help="Worker processes (PostgreSQL for more than one)."),
    as_json: bool = JsonOption,
) -> None:
    """Serve the hub (OAuth, the Dataverse-compatible API, admin API, console, health and metrics)."""
    if bool(ssl_certfile) != bool(ssl_keyfile):
        raise typer.BadParameter("--ssl-certfile and --ssl-keyfile go together")
    settings = get_settings()
    try:
        require_safe_key(settings)
    except HubError as exc:
        refuse(exc, as_json)
    os.environ.setdefault("HIREHUB_FREEZE_GC_AT_STARTUP", "true")  # a long-running server: see Settings
    uvicorn.run(
        "hirehub.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
        workers=workers,
        log_config=None,
        access_log=False,  # the observability middleware logs every request, with its id
        log_level=settings.log_level.lower(),
    )
