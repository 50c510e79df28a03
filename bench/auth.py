"""What authentication costs: tokens issued per second, and a protected request against an open one.

The hub runs in-process (httpx's ASGI transport, so the network does not blur the figures) on SQLite.
Two trivial endpoints differ only in the principal dependency. Three comparisons with the open endpoint:

* **warm** (``protected_to_open_ratio``, the headline, printed last; goal at most 1.2): one client sends
  one token over and over, in alternating rounds with the open endpoint — the validation cache knows the
  token, so this is the steady state of a client holding its token for an hour;
* **cold** (``cold_token_ratio``): the first request of each newly issued token, each right after an open
  request — the token's signature, issuer, audience and tenant are checked, since the validation cache has
  never seen it (the principal of its client may still be cached: tokens of one client within five seconds
  share it, as they do in production);
* **many clients** (``concurrent_protected_to_open_ratio``): 50 clients at once across 10 tenants, each
  tenant with its own app registration and token, five clients per token; alternating rounds in which all
  50 send their requests to one endpoint; throughput is requests per second of wall clock.

    .venv/bin/python bench/auth.py            # 2,000 tokens, 20,000 requests per endpoint (and per run below)
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
CLIENTS = 50
TENANTS = 10


async def _set_up(url: str) -> list[tuple[str, str, str]]:
    """The schema, and :data:`TENANTS` tenants with an ATS integration each: (tenant id, client id, secret)."""
    await create_schema(url)
    return [await ats_integration(url, domain=f"t{index}.bench.example") for index in range(TENANTS)]


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


async def _token(client: httpx.AsyncClient, tenant_id: str, client_id: str, secret: str) -> str:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
            "scope": f"{BASE}/.default"}  # fmt: skip
    response = await client.post(f"/{tenant_id}/oauth2/v2.0/token", data=form)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def _cold(client: httpx.AsyncClient, tokens: list[str]) -> tuple[float, float]:
    """Seconds for an open request and for the first request of each new token, alternately."""
    open_seconds = cold_seconds = 0.0
    for token in tokens:
        open_seconds += await _timed(client, "/bench/open", 1, {})
        cold_seconds += await _timed(client, "/bench/protected", 1, {"Authorization": f"Bearer {token}"})
    return open_seconds, cold_seconds


async def _concurrently(client: httpx.AsyncClient, path: str, tokens: list[str], each: int) -> float:
    """Wall-clock seconds for :data:`CLIENTS` clients sending ``each`` requests at once, client i with
    ``tokens[i % TENANTS]`` (none for the open endpoint)."""
    started = time.perf_counter()
    await asyncio.gather(
        *(
            _timed(client, path, each, {"Authorization": f"Bearer {tokens[i % len(tokens)]}"} if tokens else {})
            for i in range(CLIENTS)
        )
    )
    return time.perf_counter() - started


async def _many_clients(client: httpx.AsyncClient, tokens: list[str], requests: int) -> tuple[float, float]:
    """Seconds of wall clock for ``requests`` open, and as many protected, requests from many clients at once."""
    each = max(1, requests // (ROUNDS * CLIENTS))
    await _concurrently(client, "/bench/protected", tokens, 2)  # each tenant's token seen once: warm
    open_seconds = protected_seconds = 0.0
    for _ in range(ROUNDS):
        open_seconds += await _concurrently(client, "/bench/open", [], each)
        protected_seconds += await _concurrently(client, "/bench/protected", tokens, each)
    return open_seconds, protected_seconds


async def main() -> None:
    parser = argparse.ArgumentParser(description="Authentication cost")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    configure_logging("WARNING")  # the request log would otherwise be most of what is measured
    tokens, requests = (200, 2_000) if args.quick else (2_000, 20_000)
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite+aiosqlite:///{Path(scratch) / 'auth.db'}"
        integrations = await _set_up(url)
        tenant_id, client_id, secret = integrations[0]
        app = _bench_app(url)
        async with LifespanManager(app), httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE) as client:
            started = time.perf_counter()
            issued = [await _token(client, tenant_id, client_id, secret) for _ in range(tokens)]
            issuing = time.perf_counter() - started
            token = issued.pop()  # the warm token; the others are first used by the cold run
            bearer = {"Authorization": f"Bearer {token}"}
            await _timed(client, "/bench/open", 200, {})  # warm up both paths
            await _timed(client, "/bench/protected", 200, bearer)
            # Alternating rounds, so that neither endpoint gets the warmer half of the run.
            open_seconds = protected_seconds = 0.0
            for _ in range(ROUNDS):
                open_seconds += await _timed(client, "/bench/open", requests // ROUNDS, {})
                protected_seconds += await _timed(client, "/bench/protected", requests // ROUNDS, bearer)
            cold_open_seconds, cold_seconds = await _cold(client, issued)
            tenant_tokens = [await _token(client, *integration) for integration in integrations]
            many_open_seconds, many_protected_seconds = await _many_clients(client, tenant_tokens, requests)
    many_requests = max(1, requests // (ROUNDS * CLIENTS)) * ROUNDS * CLIENTS
    print(f"tokens_issued: {tokens}")
    print(f"tokens_per_second: {tokens / issuing:,.1f}")
    print(f"requests_per_endpoint: {requests}")
    print(f"open_requests_per_second: {requests / open_seconds:,.1f}")
    print(f"protected_requests_per_second: {requests / protected_seconds:,.1f}")
    print(f"cold_tokens: {len(issued)}")
    print(f"cold_open_request_ms: {cold_open_seconds / len(issued) * 1000:.3f}")
    print(f"cold_first_request_ms: {cold_seconds / len(issued) * 1000:.3f}")
    print(f"cold_token_ratio: {cold_seconds / cold_open_seconds:.2f}")
    print(f"concurrent_clients: {CLIENTS}")
    print(f"concurrent_tenants: {TENANTS}")
    print(f"concurrent_requests_per_endpoint: {many_requests}")
    print(f"concurrent_open_requests_per_second: {many_requests / many_open_seconds:,.1f}")
    print(f"concurrent_protected_requests_per_second: {many_requests / many_protected_seconds:,.1f}")
    print(f"concurrent_protected_to_open_ratio: {many_protected_seconds / many_open_seconds:.2f}")
    print(f"protected_to_open_ratio: {protected_seconds / open_seconds:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
