"""Console pages that exist only in development mode: time travel, and the sandbox directory as it is now.

A person trying the chain on a laptop wants to watch it work: move the clock so a start or a last day takes
effect (the same :func:`hirehub.demo.advance_clock` as ``hirehub demo clock advance``), and see the account
appear, change and be disabled in the directory. The directory is read from the Entra sandbox over HTTP through
its Graph API, with the credentials ``hirehub demo run`` gave the sandbox's app registration, exactly as any
Graph client would; never by reaching into the sandbox's memory. Outside development both answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hirehub import demo
from hirehub.audit import log as audit_log
from hirehub.db.session import Database
from hirehub.directories.entra.connections import ConnectionRuntime
from hirehub.errors import HubError, Invalid
from hirehub.settings import Environment, Settings
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.forms import actor, with_message
from hirehub.web.pages import not_found, render

router = APIRouter(include_in_schema=False)
CLOCK_PATH = "/console/demo/clock"
DIRECTORY_PAGE = "/console/sandbox/directory"
GRAPH = "https://graph.microsoft.com/v1.0"
AUTHORITY = "https://login.microsoftonline.com"
USER_FIELDS = "id,userPrincipalName,displayName,department,jobTitle,accountEnabled"


def development(request: Request) -> bool:
    settings: Settings = request.app.state.settings
    return settings.env is Environment.DEVELOPMENT


@dataclass(frozen=True)
class DirectoryUser:
    user_principal_name: str
    display_name: str
    department: str
    job_title: str
    manager: str
    enabled: bool


@dataclass(frozen=True)
class DirectoryGroup:
    display_name: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class DirectoryView:
    tenant_id: str
    users: tuple[DirectoryUser, ...]
    groups: tuple[DirectoryGroup, ...]


class GraphReader:
    """Just enough of a Graph client to list a directory: a client-credentials token, then paged reads."""

    def __init__(self, http: httpx.AsyncClient, identity: demo.SandboxIdentity) -> None:
        self.http = http
        self.identity = identity
        self._headers: dict[str, str] = {}

    async def _token(self) -> None:
        response = await self.http.post(
            f"{AUTHORITY}/{self.identity.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.identity.client_id,
                "client_secret": self.identity.client_secret,
                "scope": "https://graph.microsoft.com/.default",
            },
        )
        response.raise_for_status()
        self._headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def _get(self, url: str) -> dict[str, Any]:
        if not self._headers:
            await self._token()
        response = await self.http.get(url, headers=self._headers)
        if response.status_code == 404:
            return {}
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    async def every(self, url: str) -> list[dict[str, Any]]:
        """Every item of a collection, following ``@odata.nextLink``."""
        items: list[dict[str, Any]] = []
        next_url: str | None = url
        while next_url:
            page = await self._get(next_url)
            items += page.get("value", [])
            next_url = page.get("@odata.nextLink")
        return items

    async def one(self, url: str) -> dict[str, Any]:
        return await self._get(url)


async def read_directory(http: httpx.AsyncClient, identity: demo.SandboxIdentity) -> DirectoryView:
    """The sandbox directory's users (with their managers) and groups (with their members), as Graph lists them."""
    graph = GraphReader(http, identity)
    users = []
    for user in await graph.every(f"{GRAPH}/users?$select={USER_FIELDS}"):
        manager = await graph.one(f"{GRAPH}/users/{user['id']}/manager?$select=userPrincipalName")
        users.append(
            DirectoryUser(
                user_principal_name=user.get("userPrincipalName") or "",
                display_name=user.get("displayName") or "",
                department=user.get("department") or "",
                job_title=user.get("jobTitle") or "",
                manager=manager.get("userPrincipalName") or "",
                enabled=bool(user.get("accountEnabled")),
            )
        )
    groups = []
    for group in await graph.every(f"{GRAPH}/groups?$select=id,displayName"):
        members = await graph.every(f"{GRAPH}/groups/{group['id']}/members?$select=userPrincipalName")
        groups.append(
            DirectoryGroup(group.get("displayName") or "", tuple(m.get("userPrincipalName") or "" for m in members))
        )
    users.sort(key=lambda u: u.user_principal_name.lower())
    groups.sort(key=lambda g: g.display_name.lower())
    return DirectoryView(identity.tenant_id, tuple(users), tuple(groups))


@router.get(f"{DIRECTORY_PAGE}/", response_class=HTMLResponse)
async def directory_page(request: Request, admin: Admin) -> Response:
    if not development(request):
        return not_found(request, "page")
    settings: Settings = request.app.state.settings
    identity = demo.SandboxIdentity.load(demo.sandbox_identity_file(settings.data_dir))
    runtime: ConnectionRuntime = request.app.state.entra_runtime
    view, error = None, ""
    if identity is None or runtime.http is None:
        error = "No sandbox directory: start the hub with make run (hirehub demo run)."
    else:
        try:
            view = await read_directory(runtime.http, identity)
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            error = f"The sandbox directory did not answer ({type(exc).__name__}): is make run still running?"
    return render(request, "sandbox_directory.html", view=view, error=error)


@router.post(CLOCK_PATH, dependencies=[Depends(require_csrf)])
async def advance_clock(request: Request, admin: Admin, days: int = Form(1)) -> Response:
    if not development(request):
        return not_found(request, "page")
    settings: Settings = request.app.state.settings
    try:
        if not 1 <= days <= 366:
            raise Invalid("move the clock by 1 to 366 days", field="days")
        moved = demo.advance_clock(settings, by=timedelta(days=days))
    except HubError as refusal:
        return RedirectResponse(with_message("/console/", error=str(refusal)), status_code=303)
    database: Database = request.app.state.database
    async with database.tenant_transaction(admin.tenant_id) as session:
        audit_log.record(
            session, actor=actor(admin), action="demo.clock_advanced", subject_type="clock", subject_id="development",
            after={"days": days, "offset_seconds": moved["offset_seconds"]},
        )  # fmt: skip
    notice = f"The clock moved {days} day{'s' if days != 1 else ''} forward: it is now {moved['today']} for the hub."
    return RedirectResponse(with_message("/console/", notice=notice), status_code=303)
