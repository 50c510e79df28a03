"""Admin API for LinkedIn RSC, the same JSON as ``hirehub linkedin …`` (tenant-level operations only: the hub's
partner app is its operator's, set with ``hirehub linkedin partner set``, and no tenant administrator sees it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.api.admin import common
from hirehub.api.admin.caller import AdminCaller, AdminDependency
from hirehub.errors import Invalid
from hirehub.linkedin import operations
from hirehub.linkedin.apps import EnableOptions
from hirehub.linkedin.runtime import linkedin_runtime

router = APIRouter(prefix="/admin/v1/linkedin", tags=["admin: linkedin"])
Json = dict[str, Any]
TEXTS = ("client_id", "client_secret", "contract")
ALLOWED = frozenset({*TEXTS, "integration_types", "widget_width", "acl_based_visibility"})


def _options(document: dict[str, Any]) -> EnableOptions:
    unknown = sorted(set(document) - ALLOWED)
    if unknown:
        raise Invalid(f"unknown fields: {', '.join(unknown)} (allowed: {', '.join(sorted(ALLOWED))})", field=unknown[0])
    types, width = document.get("integration_types"), document.get("widget_width")
    acl = document.get("acl_based_visibility")
    texts = {name: document.get(name) for name in TEXTS}
    for name, value in texts.items():
        if value is not None and not isinstance(value, str):
            raise Invalid("client_id, client_secret and contract are strings", field=name)
    if types is not None and (not isinstance(types, list) or not all(isinstance(t, str) for t in types)):
        raise Invalid("integration_types is a list of strings", field="integration_types")
    if width is not None and (not isinstance(width, int) or isinstance(width, bool)):
        raise Invalid("widget_width is an integer", field="widget_width")
    if acl is not None and not isinstance(acl, bool):
        raise Invalid("acl_based_visibility is true or false", field="acl_based_visibility")
    return EnableOptions(texts["client_id"], texts["client_secret"], types, width, acl, texts["contract"])


@router.get("")
async def show(request: Request, caller: AdminCaller = AdminDependency) -> Json:
    async def reader(session: AsyncSession) -> Json:
        async with linkedin_runtime() as runtime:
            return await operations.show(session, runtime)

    return await common.read(request, caller, reader)


@router.post("/enable")
async def enable(
    request: Request, document: dict[str, Any] = Body(default={}), caller: AdminCaller = AdminDependency
) -> Json:
    """Turn RSC on (provisioning the customer app, or taking the key in ``client_id``/``client_secret``)."""
    options = _options(document)
    async with linkedin_runtime() as runtime:
        result = await operations.enable(common.database_of(request), caller.tenant_id, runtime, options)

    async def audit(_session: AsyncSession) -> Json:
        return result

    return await common.change(request, caller, "linkedin.enable", ("linkedin", str(caller.tenant_id)), audit)


@router.post("/disable")
async def disable(request: Request, caller: AdminCaller = AdminDependency) -> Json:
    async def changer(session: AsyncSession) -> Json:
        async with linkedin_runtime() as runtime:
            return await operations.disable(session, runtime)

    return await common.change(request, caller, "linkedin.disable", ("linkedin", str(caller.tenant_id)), changer)


@router.get("/integrations")
async def list_integrations(request: Request, caller: AdminCaller = AdminDependency) -> Json:
    return await common.read(request, caller, operations.list_integrations)


@router.post("/integrations/sync")
async def sync(request: Request, caller: AdminCaller = AdminDependency) -> Json:
    return await common.change(
        request, caller, "linkedin.integrations.sync", ("linkedin", str(caller.tenant_id)), operations.queue_sync
    )


@router.post("/status/refresh")
async def refresh_status(request: Request, caller: AdminCaller = AdminDependency) -> Json:
    async with linkedin_runtime() as runtime:
        return await operations.refresh_status(common.database_of(request), caller.tenant_id, runtime)
