"""The Entra sandbox as one ASGI application, and the host map that sends every national cloud's hosts to it.

One server answers for all clouds' authority, Graph and Exchange hosts: the caller's ``X-Original-Host`` (added by
:mod:`hirehub.outbound`) tells the endpoints which host was meant, so product code keeps building the real URLs.
"""

from __future__ import annotations

from fastapi import FastAPI

from hirehub.directories.entra.clouds import CLOUDS
from hirehub.sandbox.entra.exchange import exchange_router
from hirehub.sandbox.entra.faults import Latency, LatencyMiddleware
from hirehub.sandbox.entra.graph import graph_router
from hirehub.sandbox.entra.identity import INSTANCE_METADATA, identity_router
from hirehub.sandbox.entra.world import EntraWorld


def create_app(world: EntraWorld, latency: Latency | None = None) -> FastAPI:
    """Entra ID, Microsoft Graph and Exchange Online emulated on ``world``, each call held for ``latency``."""
    app = FastAPI(title="hirehub Entra sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    if latency is not None and latency.enabled:
        app.add_middleware(LatencyMiddleware, latency=latency)
    app.state.world = world
    app.include_router(identity_router(world))
    app.include_router(graph_router(world))
    app.include_router(exchange_router(world))
    return app


def sandbox_hosts() -> list[str]:
    """Every host the sandbox stands in for: each cloud's authority (with its aliases), Graph and Exchange."""
    hosts: list[str] = []
    for cloud in CLOUDS.values():
        hosts += [cloud.authority_host, cloud.graph_host, cloud.exchange_host]
    for group in INSTANCE_METADATA:
        if any(alias in hosts for alias in group["aliases"]):
            hosts += group["aliases"]
    return list(dict.fromkeys(hosts))


def host_map_for(base_url: str) -> dict[str, str]:
    """Routes for :class:`hirehub.outbound.HostMap` (or ``HIREHUB_OUTBOUND_HOST_MAP``): all sandbox hosts to
    ``base_url``."""
    return {f"https://{host}": base_url.rstrip("/") for host in sandbox_hosts()}
