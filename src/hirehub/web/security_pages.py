"""Security roles and application users: the first of the two layers every API call must pass; and the
external issuers whose tokens this organisation trusts (its own trust, which no other organisation's changes).

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
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.accounts import SignedIn
from hirehub.errors import HubError
from hirehub.security import operations
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.forms import FormState, PostedForm, add_page, with_message
from hirehub.web.pages import not_found, render_form
from hirehub.web.security_support import Json, audited_submit, is_client_id, read, read_each, usable_apps

router = APIRouter(include_in_schema=False)
PAGE = "/console/security"


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


async def security_page(
    request: Request, admin: SignedIn, state: FormState = FormState(), notice: str = ""
) -> Response:
    loaded = await read_each(
        request, admin, roles=operations.list_roles, users=operations.list_application_users, apps=usable_apps
    )
    roles, users = loaded["roles"]["roles"], loaded["users"]["application_users"]
    with_user = {user["client_id"] for user in users}
    choices = [
        (a["client_id"], f"{a['name']} ({a['client_id']})") for a in loaded["apps"] if a["client_id"] not in with_user
    ]
    return render_form(
        request, "security_overview.html", state, notice=notice, roles=roles, users=users, apps=choices,
        role_names=[(r["name"], r["name"]) for r in roles],
    )  # fmt: skip


add_page(router, f"{PAGE}/", security_page)


@router.post(f"{PAGE}/roles", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def create_role(request: Request, admin: Admin, name: str = Form("")) -> Response:
    """*New role*: a custom role starts empty; its privileges are granted on its own page."""
    posted = PostedForm({"role-name": name}, "role-")
    if not name.strip():
        posted.problems["role-name"] = "Role name is required"
    return await audited_submit(
        request, admin, posted, lambda state: security_page(request, admin, state), action="security.role.create",
        subject=("security_role", None), change=lambda session: operations.create_role(session, name),
        then=lambda new: with_message(
            f"{PAGE}/roles/{new['id']}", notice=f"The role {new['name']} was created: grant it privileges"
        ),
    )  # fmt: skip


@router.post(f"{PAGE}/application-users", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def create_application_user(
    request: Request,
    admin: Admin,
    client_id: str = Form(""),
    name: str = Form(""),
    role: str = Form(""),
) -> Response:
    """*New application user*: the app (by its client ID), a user name, and its first security role."""
    values = {"user-client_id": client_id, "user-name": name, "user-role": role}
    posted = PostedForm(values, "user-", fields={"roles": "user-role"})
    if not is_client_id(client_id):
        posted.problems["user-client_id"] = "choose an app"
    if not role.strip():
        posted.problems["user-role"] = "choose a security role"
    return await audited_submit(
        request, admin, posted, lambda state: security_page(request, admin, state),
        action="security.application_user.create", subject=("application_user", client_id),
        change=lambda session: operations.create_application_user(session, client_id, [role], name.strip() or None),
        then=lambda new: with_message(
            f"{PAGE}/application-users/{new['client_id']}",
            notice=f"The application user {new['name']} was created with the role {role}",
        ),
    )  # fmt: skip


# --- one role ---------------------------------------------------------------------------------------------


async def _role_page(
    request: Request, admin: SignedIn, role_id: uuid.UUID, state: FormState = FormState(), notice: str = ""
) -> Response:
    roles = (await read(request, admin, operations.list_roles))["roles"]
    role = next((r for r in roles if r["id"] == str(role_id)), None)
    if role is None:
        return not_found(request, "security role")
    choices = operations.privilege_choices()
    tables = [(t["table"], f"{t['display_name']} ({t['table']})") for t in choices["tables"]]
    names = {t["table"]: t["display_name"] for t in choices["tables"]}
    return render_form(
        request, "security_role.html", state.or_values({"grant-level": "Organization"}),
        notice=notice, role=role, table_names=names, tables=tables,
        grid=PrivilegeGrid.of(role, choices["privileges"], choices["levels"]),
        privileges=[(p, p) for p in choices["privileges"]], levels=[(lv, lv) for lv in choices["levels"][1:]],
    )  # fmt: skip


@router.get(f"{PAGE}/roles/{{role_id}}", response_class=HTMLResponse)
async def role_page(request: Request, role_id: uuid.UUID, admin: Admin, notice: str = "") -> Response:
    return await _role_page(request, admin, role_id, notice=notice)


@router.post(f"{PAGE}/roles/{{role_id}}/privileges", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def grant_privilege(
    request: Request,
    role_id: uuid.UUID,
    admin: Admin,
    table: str = Form(""),
    privilege: str = Form(""),
    level: str = Form("Organization"),
) -> Response:
    """Grant one privilege on one table at one access level; granting it again changes the level."""
    posted = PostedForm({"grant-table": table, "grant-privilege": privilege, "grant-level": level}, "grant-")
    # What a role can hold is checked by the grant itself (the check the CLI and the admin API share).
    if not table:
        posted.problems["grant-table"] = "choose a table"
    if not privilege:
        posted.problems["grant-privilege"] = "choose a privilege"
    if not level:
        posted.problems["grant-level"] = "choose an access level"
    roles = (await read(request, admin, operations.list_roles))["roles"]
    role = next((r for r in roles if r["id"] == str(role_id)), None)
    if role is None:
        return not_found(request, "security role")

    def then(_granted: Json) -> str:
        return with_message(f"{PAGE}/roles/{role_id}", notice=f"{privilege} on {table} at {level} level was granted")

    return await audited_submit(
        request, admin, posted, lambda state: _role_page(request, admin, role_id, state), action="security.role.grant",
        subject=("security_role", role["name"]), then=then,
        change=lambda session: operations.grant(session, role["name"], table, privilege, level),
    )  # fmt: skip


# --- one application user ------------------------------------------------------------------------------------


async def _user_page(
    request: Request, admin: SignedIn, client_id: str, state: FormState = FormState(), notice: str = ""
) -> Response:
    """The application user's page; also the 404 when there is none, whatever a refused change said."""
    if not is_client_id(client_id):
        return not_found(request, "application user")

    async def load(session: AsyncSession) -> Json:
        return {
            "user": await operations.show_application_user(session, client_id),
            "roles": (await operations.list_roles(session))["roles"],
        }

    try:
        loaded = await read(request, admin, load)
    except HubError:
        return not_found(request, "application user")
    user = loaded["user"]
    others = [(r["name"], r["name"]) for r in loaded["roles"] if r["name"] not in user["roles"]]
    return render_form(
        request,
        "security_app_user.html",
        state,
        notice=notice,
        user=user,
        other_roles=others,
        held=[(role, role, role) for role in user["roles"]],
    )


@router.get(f"{PAGE}/application-users/{{client_id}}", response_class=HTMLResponse)
async def application_user_page(request: Request, client_id: str, admin: Admin, notice: str = "") -> Response:
    return await _user_page(request, admin, client_id, notice=notice)


async def _role_change(request: Request, admin: SignedIn, client_id: str, role: str, *, grant: bool) -> Response:
    posted = PostedForm({}, fields={"role": "grant-role" if grant else "revoke"})
    if grant and not role.strip():
        posted.problems["grant-role"] = "choose a security role"
    change = operations.grant_application_user_role if grant else operations.revoke_application_user_role
    done = with_message(
        f"{PAGE}/application-users/{client_id}", notice=f"The role {role} was {'granted' if grant else 'revoked'}"
    )
    return await audited_submit(
        request, admin, posted, lambda state: _user_page(request, admin, client_id, state),
        action="security.application_user.role.grant" if grant else "security.application_user.role.revoke",
        subject=("application_user", client_id), change=lambda session: change(session, client_id, role),
        then=lambda _changed: done,
    )  # fmt: skip


@router.post(
    f"{PAGE}/application-users/{{client_id}}/roles", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def grant_role(request: Request, client_id: str, admin: Admin, role: str = Form("")) -> Response:
    """*Manage roles*: add a security role to the app's user."""
    return await _role_change(request, admin, client_id, role, grant=True)


@router.post(
    f"{PAGE}/application-users/{{client_id}}/roles/revoke",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def revoke_role(request: Request, client_id: str, admin: Admin, role: str = Form("")) -> Response:
    return await _role_change(request, admin, client_id, role, grant=False)


# --- trusted issuers: external Entra ID tenants whose tokens this organisation accepts --------------------------

ISSUERS = f"{PAGE}/trusted-issuers"


async def issuers_page(request: Request, admin: SignedIn, state: FormState = FormState(), notice: str = "") -> Response:
    """The issuers this organisation trusts, each with its delete button, and the form that adds one. Tokens of
    a trusted issuer are accepted at this organisation's own address, ``{base}/{tenant}/api/data/v9.2/``."""
    listed = await read(request, admin, operations.list_trusted_issuers)
    return render_form(
        request, "security_issuers.html", state, notice=notice, issuers=listed["trusted_issuers"],
        address=f"{request.app.state.security.base_url}/{admin.tenant_id}/api/data/v9.2/",
    )  # fmt: skip


add_page(router, ISSUERS, issuers_page)


@router.post(ISSUERS, response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def add_trusted_issuer(
    request: Request,
    admin: Admin,
    issuer: str = Form(""),
    jwks_uri: str = Form(""),
    audiences: str = Form(""),
) -> Response:
    """*Add*: the issuer, its key set's URL and the audiences its tokens carry (one per line)."""
    posted = PostedForm({"issuer-issuer": issuer, "issuer-jwks_uri": jwks_uri, "issuer-audiences": audiences},
                        "issuer-")  # fmt: skip
    named = [line.strip() for line in audiences.splitlines() if line.strip()]
    return await audited_submit(
        request, admin, posted, lambda state: issuers_page(request, admin, state),
        action="security.trusted_issuer.add", subject=("trusted_issuer", issuer.strip()),
        change=lambda session: operations.add_trusted_issuer(session, issuer.strip(), jwks_uri.strip(), named),
        then=lambda added: with_message(ISSUERS, notice=f"Tokens from {added['issuer']} are trusted here"),
    )  # fmt: skip


@router.post(f"{ISSUERS}/{{trusted_id}}/delete", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def delete_trusted_issuer(request: Request, trusted_id: str, admin: Admin) -> Response:
    """Stop trusting an issuer here; its tokens are refused from the next call on."""
    return await audited_submit(
        request, admin, PostedForm({}), lambda state: issuers_page(request, admin, state),
        action="security.trusted_issuer.delete", subject=("trusted_issuer", trusted_id),
        change=lambda session: operations.delete_trusted_issuer(session, trusted_id),
        then=lambda deleted: with_message(ISSUERS, notice=f"Tokens from {deleted['issuer']} are no longer trusted"),
    )  # fmt: skip
