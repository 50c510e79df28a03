"""Security roles and application users: the first of the two layers every API call must pass.

A security role grants table privileges at an access level (Dataverse's model); the built-in roles
(*ATS integration*, *System Administrator*) are shown read-only, and a custom role is built one privilege at
a time, as ``hirehub role grant`` does. An application user is an app's user in this organisation, holding
roles; granting or revoking one counts for the app's next call. Every change is an operation of
:mod:`hirehub.security.operations`, audited, refused with nothing changed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.security import operations
from hirehub.web.accounts import SignedIn
from hirehub.web.auth import require_admin, require_csrf
from hirehub.web.forms import FieldErrors, with_message
from hirehub.web.pages import NAVIGATION, not_found, render
from hirehub.web.security_support import REFUSALS, Json, audited_change, is_client_id, read, usable_apps

router = APIRouter(include_in_schema=False)
PAGE = "/console/security"
NAVIGATION.append((f"{PAGE}/", "Security roles"))


@dataclass
class PrivilegeGrid:
    """A role's privileges as the role editor shows them: one row per table, one column per privilege."""

    privileges: list[str]
    rows: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, role: Json, privileges: list[str], levels: list[str]) -> PrivilegeGrid:
        grid = cls(privileges)
        for granted in role["privileges"]:
            grid.rows.setdefault(granted["table"], {})[granted["privilege"]] = levels[granted["level"]]
        return grid


# --- the overview: roles and application users --------------------------------------------------------------


async def _overview(
    request: Request,
    admin: SignedIn,
    *,
    form: dict[str, str] | None = None,
    field_errors: FieldErrors | None = None,
    notice: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    async def load(session: AsyncSession) -> Json:
        return {
            "roles": (await operations.list_roles(session))["roles"],
            "users": (await operations.list_application_users(session))["application_users"],
            "apps": await usable_apps(session),
        }

    loaded = await read(request, admin, load)
    with_user = {user["client_id"] for user in loaded["users"]}
    choices = [
        (a["client_id"], f"{a['name']} ({a['client_id']})") for a in loaded["apps"] if a["client_id"] not in with_user
    ]
    return render(
        request, "security_overview.html", status_code=status_code, roles=loaded["roles"], users=loaded["users"],
        apps=choices, role_names=[(r["name"], r["name"]) for r in loaded["roles"]], form=form or {},
        field_errors=field_errors or FieldErrors(), notice=notice, error=error,
    )  # fmt: skip


@router.get(f"{PAGE}/", response_class=HTMLResponse)
async def security_page(
    request: Request, admin: SignedIn = Depends(require_admin), notice: str = "", error: str = ""
) -> Response:
    return await _overview(request, admin, notice=notice, error=error)


@router.post(f"{PAGE}/roles", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def create_role(request: Request, admin: SignedIn = Depends(require_admin), name: str = Form("")) -> Response:
    """*New role*: a custom role starts empty; its privileges are granted on its own page."""
    form = {"role-name": name}
    if not name.strip():
        return await _overview(
            request, admin, form=form, field_errors=FieldErrors({"role-name": "Role name is required"}), status_code=400
        )
    try:
        created = await audited_change(
            request, admin, action="security.role.create", subject=("security_role", None),
            change=lambda session: operations.create_role(session, name),
        )  # fmt: skip
    except REFUSALS as refusal:
        problems = FieldErrors({"role-name": str(refusal)})
        return await _overview(request, admin, form=form, field_errors=problems, status_code=400)
    notice = f"The role {created['name']} was created: grant it privileges"
    return RedirectResponse(with_message(f"{PAGE}/roles/{created['id']}", notice=notice), status_code=303)


@router.post(f"{PAGE}/application-users", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def create_application_user(
    request: Request,
    admin: SignedIn = Depends(require_admin),
    client_id: str = Form(""),
    name: str = Form(""),
    role: str = Form(""),
) -> Response:
    """*New application user*: the app (by its client ID), a user name, and its first security role."""
    form = {"user-client_id": client_id, "user-name": name, "user-role": role}
    problems = FieldErrors()
    if not is_client_id(client_id):
        problems["user-client_id"] = "choose an app"
    if not role.strip():
        problems["user-role"] = "choose a security role"
    if problems:
        return await _overview(request, admin, form=form, field_errors=problems, status_code=400)
    try:
        created = await audited_change(
            request, admin, action="security.application_user.create", subject=("application_user", client_id),
            change=lambda session: operations.create_application_user(
                session, client_id, [role], name.strip() or None
            ),
        )  # fmt: skip
    except REFUSALS as refusal:
        field_id = "user-role" if "role" in str(refusal) else "user-client_id"
        problems[field_id] = str(refusal)
        return await _overview(request, admin, form=form, field_errors=problems, status_code=400)
    notice = f"The application user {created['name']} was created with the role {role}"
    return RedirectResponse(
        with_message(f"{PAGE}/application-users/{created['client_id']}", notice=notice), status_code=303
    )


# --- one role ---------------------------------------------------------------------------------------------


async def _role_page(
    request: Request,
    admin: SignedIn,
    role_id: uuid.UUID,
    *,
    form: dict[str, str] | None = None,
    field_errors: FieldErrors | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    roles = (await read(request, admin, operations.list_roles))["roles"]
    role = next((r for r in roles if r["id"] == str(role_id)), None)
    if role is None:
        return not_found(request, "security role")
    choices = operations.privilege_choices()
    tables = [(t["table"], f"{t['display_name']} ({t['table']})") for t in choices["tables"]]
    names = {t["table"]: t["display_name"] for t in choices["tables"]}
    return render(
        request, "security_role.html", status_code=status_code, role=role, table_names=names, tables=tables,
        grid=PrivilegeGrid.of(role, choices["privileges"], choices["levels"]),
        privileges=[(p, p) for p in choices["privileges"]], levels=[(lv, lv) for lv in choices["levels"][1:]],
        form=form or {"grant-level": "Organization"}, field_errors=field_errors or FieldErrors(), notice=notice,
    )  # fmt: skip


@router.get(f"{PAGE}/roles/{{role_id}}", response_class=HTMLResponse)
async def role_page(
    request: Request, role_id: uuid.UUID, admin: SignedIn = Depends(require_admin), notice: str = ""
) -> Response:
    return await _role_page(request, admin, role_id, notice=notice)


@router.post(f"{PAGE}/roles/{{role_id}}/privileges", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def grant_privilege(
    request: Request,
    role_id: uuid.UUID,
    admin: SignedIn = Depends(require_admin),
    table: str = Form(""),
    privilege: str = Form(""),
    level: str = Form("Organization"),
) -> Response:
    """Grant one privilege on one table at one access level; granting it again changes the level."""
    form = {"grant-table": table, "grant-privilege": privilege, "grant-level": level}
    choices = operations.privilege_choices()
    problems = FieldErrors()
    if table not in {t["table"] for t in choices["tables"]}:
        problems["grant-table"] = "choose a table"
    if privilege not in choices["privileges"]:
        problems["grant-privilege"] = "choose a privilege"
    if level not in choices["levels"]:
        problems["grant-level"] = "choose an access level"
    roles = (await read(request, admin, operations.list_roles))["roles"]
    role = next((r for r in roles if r["id"] == str(role_id)), None)
    if role is None:
        return not_found(request, "security role")
    if problems:
        return await _role_page(request, admin, role_id, form=form, field_errors=problems, status_code=400)
    try:
        await audited_change(
            request, admin, action="security.role.grant", subject=("security_role", role["name"]),
            change=lambda session: operations.grant(session, role["name"], table, privilege, level),
        )  # fmt: skip
    except (*REFUSALS, ValueError) as refusal:
        problems["grant-table"] = str(refusal)
        return await _role_page(request, admin, role_id, form=form, field_errors=problems, status_code=400)
    notice = f"{privilege} on {table} at {level} level was granted"
    return RedirectResponse(with_message(f"{PAGE}/roles/{role_id}", notice=notice), status_code=303)


# --- one application user ------------------------------------------------------------------------------------


async def _user_page(
    request: Request,
    admin: SignedIn,
    client_id: str,
    *,
    field_errors: FieldErrors | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    if not is_client_id(client_id):
        return not_found(request, "application user")

    async def load(session: AsyncSession) -> Json:
        return {
            "user": await operations.show_application_user(session, client_id),
            "roles": (await operations.list_roles(session))["roles"],
        }

    try:
        loaded = await read(request, admin, load)
    except REFUSALS:
        return not_found(request, "application user")
    user = loaded["user"]
    others = [(r["name"], r["name"]) for r in loaded["roles"] if r["name"] not in user["roles"]]
    return render(
        request, "security_app_user.html", status_code=status_code, user=user, other_roles=others,
        field_errors=field_errors or FieldErrors(), notice=notice,
    )  # fmt: skip


@router.get(f"{PAGE}/application-users/{{client_id}}", response_class=HTMLResponse)
async def application_user_page(
    request: Request, client_id: str, admin: SignedIn = Depends(require_admin), notice: str = ""
) -> Response:
    return await _user_page(request, admin, client_id, notice=notice)


async def _role_change(request: Request, admin: SignedIn, client_id: str, role: str, *, grant: bool) -> Response:
    if not is_client_id(client_id):
        return not_found(request, "application user")
    change = operations.grant_application_user_role if grant else operations.revoke_application_user_role
    try:
        await audited_change(
            request, admin, subject=("application_user", client_id),
            action="security.application_user.role.grant" if grant else "security.application_user.role.revoke",
            change=lambda session: change(session, client_id, role),
        )  # fmt: skip
    except REFUSALS as refusal:
        if refusal.status == 404 and "application user" in str(refusal):
            return not_found(request, "application user")
        problems = FieldErrors({"grant-role" if grant else "revoke": str(refusal)})
        return await _user_page(request, admin, client_id, field_errors=problems, status_code=400)
    done = f"The role {role} was {'granted' if grant else 'revoked'}"
    return RedirectResponse(with_message(f"{PAGE}/application-users/{client_id}", notice=done), status_code=303)


@router.post(
    f"{PAGE}/application-users/{{client_id}}/roles", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def grant_role(
    request: Request, client_id: str, admin: SignedIn = Depends(require_admin), role: str = Form("")
) -> Response:
    """*Manage roles*: add a security role to the app's user."""
    if not role.strip():
        if not is_client_id(client_id):
            return not_found(request, "application user")
        problems = FieldErrors({"grant-role": "choose a security role"})
        return await _user_page(request, admin, client_id, field_errors=problems, status_code=400)
    return await _role_change(request, admin, client_id, role, grant=True)


@router.post(
    f"{PAGE}/application-users/{{client_id}}/roles/revoke",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def revoke_role(
    request: Request, client_id: str, admin: SignedIn = Depends(require_admin), role: str = Form("")
) -> Response:
    return await _role_change(request, admin, client_id, role, grant=False)
