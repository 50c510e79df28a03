"""The job runner's ``--metrics-port``: the same rule as the API's ``/metrics``, and loopback unless told otherwise.

An open metrics port on every interface, without a token, told anyone on the network what the hub runs and how
busy it is (issue 18's leftovers).
"""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from hirehub.cli.runner import MetricsEndpoint, _serving_metrics, metrics_app, run_jobs
from hirehub.db.session import Database
from hirehub.settings import Environment, Settings
from tests.security.conftest import SECRET_KEY


def _settings(env: Environment, token: str = "") -> Settings:
    return Settings(database_url="sqlite+aiosqlite://", env=env, secret_key=SECRET_KEY, operations_token=token)


async def _get(settings: Settings, path: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=metrics_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://runner") as client:
        return await client.get(path, headers=headers)


async def test_in_development_the_runners_metrics_are_open() -> None:
    answer = await _get(_settings(Environment.DEVELOPMENT), "/metrics")
    assert answer.status_code == 200
    assert "hirehub" in answer.text


async def test_in_production_without_an_operations_token_the_metrics_are_closed() -> None:
    assert (await _get(_settings(Environment.PRODUCTION), "/metrics")).status_code == 404


async def test_in_production_the_operations_token_opens_them_and_nothing_else_does() -> None:
    settings = _settings(Environment.PRODUCTION, token="t" * 40)
    assert (await _get(settings, "/metrics")).status_code == 401
    assert (await _get(settings, "/metrics", token="wrong")).status_code == 401
    assert (await _get(settings, "/metrics", token="t" * 40)).status_code == 200


async def test_only_the_metrics_path_is_served() -> None:
    assert (await _get(_settings(Environment.DEVELOPMENT), "/anything")).status_code == 404


def test_the_metrics_port_listens_on_loopback_by_default() -> None:
    import inspect

    default = inspect.signature(run_jobs).parameters["metrics_host"].default
    assert default.default == "127.0.0.1"


async def test_the_runner_serves_its_metrics_while_it_runs_and_stops_serving_after(database: Database) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stop = asyncio.Event()
    endpoint = MetricsEndpoint(host="127.0.0.1", port=port)
    async with _serving_metrics(database, endpoint, _settings(Environment.DEVELOPMENT), stop):
        for _ in range(50):
            try:
                async with httpx.AsyncClient() as client:
                    answer = await client.get(f"http://127.0.0.1:{port}/metrics")
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.05)
        assert answer.status_code == 200
        stop.set()
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(f"http://127.0.0.1:{port}/metrics")
