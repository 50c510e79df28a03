"""The FastAPI application factory: one place that assembles every router of the hub.

Routers live with their feature (OAuth, OData, admin, webhooks, console) and are included here; the hub
behind them (database, connectors, Entra runtime) comes from the composition root, :mod:`hirehub.bootstrap`.
The factory takes its settings and database as arguments so tests build as many isolated hubs as they need.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from hirehub import __version__, dataverse
from hirehub.api import browser_redirects, health
from hirehub.api.admin import entra as admin_entra
from hirehub.api.admin import linkedin as admin_linkedin
from hirehub.api.admin import provisioning as admin_provisioning
from hirehub.api.admin import security as admin_security
from hirehub.api.body_limit import BodyLimitMiddleware
from hirehub.api.middleware import ObservabilityMiddleware
from hirehub.api.operations_access import OperationsAccess
from hirehub.api.problems import (
    Problem,
    handle_http_exception,
    handle_problem,
    handle_refusal,
    handle_validation_error,
)
from hirehub.api.security_headers import SecurityHeaders
from hirehub.bootstrap import build_hub
from hirehub.db.session import Database
from hirehub.errors import HubError
from hirehub.linkedin import push as linkedin_push
from hirehub.odata import routes as odata_routes
from hirehub.security import routes as oauth_routes
from hirehub.security.addressing import TenantAddress
from hirehub.settings import Environment, Settings
from hirehub.web.routes import install_console


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """A hub application (built by :func:`hirehub.bootstrap.build_hub`, on ``database`` when given, which must be
    one from :func:`hirehub.bootstrap.open_database`); it disposes of the database it opened itself."""
    hub = build_hub(settings, database=database)
    settings, database = hub.settings, hub.database

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.freeze_gc_at_startup:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await hub.aclose()

    app = FastAPI(title="hirehub", version=__version__, lifespan=lifespan)
    app.state.hub = hub
    app.state.settings = settings
    app.state.database = database
    app.state.entra_runtime = hub.entra_runtime
    app.state.connectors = hub.connectors
    app.state.security = oauth_routes.security_runtime(database, settings.base_url, settings.secret_key)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)  # inside: its 413s are logged
    operations_open = settings.env is Environment.DEVELOPMENT
    app.add_middleware(OperationsAccess, open_to_all=operations_open, token=settings.operations_token)
    app.add_middleware(ObservabilityMiddleware)
    app.add_middleware(SecurityHeaders, tls=settings.base_url.startswith("https://"))  # every answer, refusals too
    if operations_open and settings.browser_host_map:  # development: a browser sent to a sandbox, not the real host
        app.add_middleware(browser_redirects.BrowserRedirects, host_map=settings.browser_host_map)
    app.add_middleware(TenantAddress)  # outermost: /{tenant}/api/data/… is routed, measured and limited as /api/data/…
    app.add_exception_handler(Problem, handle_problem)
    app.add_exception_handler(HubError, handle_refusal)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.include_router(health.router)
    app.include_router(browser_redirects.router)
    # Early (its /api/data/{version}/{path} is a catch-all): routes are matched one by one, and the Web API is
    # what integrations call thousands of times an hour.
    odata_routes.install(app, dataverse.binding())
    app.include_router(admin_security.router)
    app.include_router(admin_provisioning.router)
    app.include_router(admin_linkedin.router)
    app.include_router(admin_entra.router)
    app.include_router(linkedin_push.router)
    install_console(app)
    app.include_router(oauth_routes.router)  # last: its /{tenant}/… paths must not shadow the others
    return app
