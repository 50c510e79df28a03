"""``/healthz`` (the process answers), ``/readyz`` (it can serve: database reachable, schema current, and
outside development a secret key that is safe) and ``/metrics`` (Prometheus text format).

``hirehub serve`` refuses an unsafe key already; ``/readyz`` catches a hub started some other way (an ASGI
server pointed at the factory), so a load balancer never sends it traffic."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from hirehub.db import migrate
from hirehub.db.session import Database
from hirehub.directories.entra.certificate_expiry import refresh_certificate_gauge
from hirehub.metrics import REGISTRY
from hirehub.sealing import UnsafeSecretKey, require_safe_key
from hirehub.settings import Settings

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    database: Database = request.app.state.database
    checks: dict[str, str] = {}
    ready = True
    try:
        async with database.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not ready", and says which
        checks["database"] = f"unreachable: {type(exc).__name__}"
        ready = False
    if ready:
        current = await migrate.current_revision(database.engine)
        head = migrate.head_revision()
        if current == head:
            checks["migrations"] = "current"
        else:
            checks["migrations"] = f"at {current}, head is {head}: run `hirehub db upgrade`"
            ready = False
    settings: Settings = request.app.state.settings
    try:
        require_safe_key(settings)
    except UnsafeSecretKey as exc:
        checks["secret_key"] = str(exc)
        ready = False
    status = "ready" if ready else "not ready"
    return JSONResponse({"status": status, "checks": checks}, status_code=200 if ready else 503)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    await refresh_certificate_gauge(request.app.state.database, datetime.now(UTC))
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
