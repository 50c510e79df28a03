"""What authentication costs: tokens issued per second, and a protected request against an open one.

The hub runs in-process (httpx's ASGI transport, so the network does not blur the figures) on SQLite.
Two trivial endpoints differ only in the principal dependency; the headline is the ratio of their
request times (goal: at most 1.2).

    .venv/bin/python bench/auth.py            # 2,000 tokens, 20,000 requests per endpoint
    .venv/bin/python bench/auth.py --quick    # 200 tokens, 2,000 requests per endpoint
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from support import ats_integration, create_schema  # bench/support.py: the scripts run from this folder

from hirehub.api.app import create_app
from hirehub.logging import configure_logging
from hirehub.security.principal import Principal
from hirehub.security.routes import PrincipalDependency
from hirehub.settings import Settings

BASE = "https://hr.bench.example"
ROUNDS = 10


async def _set_up(url: str) -> tuple[str, str, str]:
    await create_schema(url)
    return await ats_integration(url)


def _bench_app(url: str) -> Any:
    app = create_app(
        Settings(database_url=url, base_url=BASE, secret_key="bench-secret-key-0123456789", log_level="ERROR")
    )

    @app.get("/bench/open")
    async def open_endpoint() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/bench/protected")
    async def protected_endpoint(principal: Principal = PrincipalDependency) -> dict[str, bool]:
        return {"ok": True}

    return app


async def _timed(client: httpx.AsyncClient, path: str, count: int, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    for _ in range(count):
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, response.text
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description="Authentication cost")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    configure_logging("WARNING")  # the request log would otherwise be most of what is measured
    tokens, requests = (200, 2_000) if args.quick else (2_000, 20_000)
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite+aiosqlite:///{Path(scratch) / 'auth.db'}"
        tenant_id, client_id, secret = await _set_up(url)
        app = _bench_app(url)
        async with LifespanManager(app), httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE) as client:
            form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
                    "scope": f"{BASE}/.default"}  # fmt: skip
            token = ""
            started = time.perf_counter()
            for _ in range(tokens):
                response = await client.post(f"/{tenant_id}/oauth2/v2.0/token", data=form)
                assert response.status_code == 200, response.text
                token = response.json()["access_token"]
            issuing = time.perf_counter() - started
            bearer = {"Authorization": f"Bearer {token}"}
            await _timed(client, "/bench/open", 200, {})  # warm up both paths
            await _timed(client, "/bench/protected", 200, bearer)
            # Alternating rounds, so that neither endpoint gets the warmer half of the run.
            open_seconds = protected_seconds = 0.0
            for _ in range(ROUNDS):
                open_seconds += await _timed(client, "/bench/open", requests // ROUNDS, {})
                protected_seconds += await _timed(client, "/bench/protected", requests // ROUNDS, bearer)
    print(f"tokens_issued: {tokens}")
    print(f"tokens_per_second: {tokens / issuing:,.1f}")
    print(f"requests_per_endpoint: {requests}")
    print(f"open_requests_per_second: {requests / open_seconds:,.1f}")
    print(f"protected_requests_per_second: {requests / protected_seconds:,.1f}")
    print(f"protected_to_open_ratio: {protected_seconds / open_seconds:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
