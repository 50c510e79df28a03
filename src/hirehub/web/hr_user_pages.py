"""HR users and their HR roles: the second layer every API call must pass.

As on the HR application's *Users* page: a user has a *User ID* and a name, is enabled or disabled, and holds
HR roles (*Recruiting application*, ``HcmRecruitingIntegrator``, is what an ATS integration needs). An app
acts as the HR user its client ID is linked to, so disabling that user stops the app's calls at once. Every
change is an operation of :mod:`hirehub.security.operations`, audited, refused with nothing changed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.accounts import SignedIn
from hirehub.errors import HubError
from hirehub.security import operations
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.forms import FormState, PostedForm, add_page, with_message
from hirehub.web.pages import not_found, render_form
from hirehub.web.security_support import Json, audited_submit, read, read_each

router = APIRouter(include_in_schema=False)
PAGE = "/console/hr-users"


def user_path(user_id: str) -> str:
    return f"{PAGE}/{quote(user_id, safe='')}"


async def hr_users_page(
    request: Request, admin: SignedIn, state: FormState = FormState(), notice: str = ""
) -> Response:
    loaded = await read_each(request, admin, users=operations.list_hr_users, roles=operations.list_hr_roles)
    return render_form(
        request, "hr_users_list.html", state, notice=notice, users=loaded["users"]["hr_users"],
        roles=loaded["roles"]["hr_roles"], chosen_roles=state.values.get("hr-roles", []), user_path=user_path,
    )  # fmt: skip


add_page(router, f"{PAGE}/", hr_users_page)


@router.post(f"{PAGE}/", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def create_hr_user(
    request: Request,
    admin: Admin,
    user_id: str = Form(""),
    name: str = Form(""),
    roles: list[str] = Form([]),
) -> Response:
    """*New* user: User ID, User name and the roles to assign (the ATS guide's *RecruitingIntegration* example)."""
    posted = PostedForm({"hr-user_id": user_id, "hr-name": name, "hr-roles": roles}, "hr-")
    if not user_id.strip():
        posted.problems["hr-user_id"] = "User ID is required"
    elif "/" in user_id or len(user_id.strip()) > 100:
        posted.problems["hr-user_id"] = "A User ID has at most 100 characters and no '/'"

    def then(created: Json) -> str:
        return with_message(user_path(created["user_id"]), notice=f"The HR user {created['user_id']} was created")

    return await audited_submit(
        request, admin, posted, lambda state: hr_users_page(request, admin, state), action="security.hr_user.create",
        subject=("hr_user", user_id.strip()), then=then,
        change=lambda session: operations.create_hr_user(session, user_id, name, roles),
    )  # fmt: skip


async def _user_page(
    request: Request, admin: SignedIn, user_id: str, state: FormState = FormState(), notice: str = ""
) -> Response:
    """The HR user's page; also the 404 when there is none, whatever a refused change said."""

    async def load(session: AsyncSession) -> Json:
        return {
            "user": await operations.show_hr_user(session, user_id),
            "roles": (await operations.list_hr_roles(session))["hr_roles"],
            "links": [link for link in (await operations.list_entra_app_links(session))["links"]
                      if link["user_id"] == user_id],
        }  # fmt: skip

    try:
        loaded = await read(request, admin, load)
    except HubError:
        return not_found(request, "HR user")
    user = loaded["user"]
    held = {role["role_id"] for role in user["roles"]}
    others = [(r["role_id"], f"{r['name']} ({r['role_id']})") for r in loaded["roles"] if r["role_id"] not in held]
    return render_form(
        request, "hr_users_detail.html", state, notice=notice, user=user, other_roles=others, links=loaded["links"],
        held=[(r["role_id"], f"{r['name']} ({r['role_id']})", r["name"]) for r in user["roles"]],
        path=user_path(user["user_id"]),
    )  # fmt: skip


@router.get(f"{PAGE}/{{user_id}}", response_class=HTMLResponse)
async def hr_user_page(request: Request, user_id: str, admin: Admin, notice: str = "") -> Response:
    return await _user_page(request, admin, user_id, notice=notice)


async def _user_change(
    request: Request, admin: SignedIn, user_id: str, posted: PostedForm, *, action: str, change: Any, done: str
) -> Response:
    """One audited change of the HR user, on its page: refused beside the form's field, or as the 404 it is."""
    back = with_message(user_path(user_id), notice=done)
    return await audited_submit(
        request, admin, posted, lambda state: _user_page(request, admin, user_id, state), action=action,
        subject=("hr_user", user_id), change=change, then=lambda _changed: back,
    )  # fmt: skip


async def _set_enabled(request: Request, admin: SignedIn, user_id: str, enabled: bool) -> Response:
    return await _user_change(
        request, admin, user_id, PostedForm({}),
        action="security.hr_user.enable" if enabled else "security.hr_user.disable",
        change=lambda session: operations.set_hr_user_enabled(session, user_id, enabled),
        done=f"The HR user {user_id} was {'enabled' if enabled else 'disabled'}",
    )  # fmt: skip


@router.post(f"{PAGE}/{{user_id}}/enable", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def enable(request: Request, user_id: str, admin: Admin) -> Response:
    return await _set_enabled(request, admin, user_id, True)


@router.post(f"{PAGE}/{{user_id}}/disable", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def disable(request: Request, user_id: str, admin: Admin) -> Response:
    """A disabled HR user's linked apps are refused on their next call."""
    return await _set_enabled(request, admin, user_id, False)


async def _role_change(request: Request, admin: SignedIn, user_id: str, role_id: str, *, assign: bool) -> Response:
    control = "assign-role" if assign else "remove"
    posted = PostedForm({}, fields={"role_id": control})
    if not role_id.strip():
        posted.problems[control] = "choose an HR role"
    return await _user_change(
        request, admin, user_id, posted,
        action="security.hr_user.role.assign" if assign else "security.hr_user.role.remove",
        change=lambda session: (operations.assign_hr_role if assign else operations.remove_hr_role)(
            session, user_id, role_id
        ),
        done=f"The role {role_id} was {'assigned' if assign else 'removed'}",
    )  # fmt: skip


@router.post(f"{PAGE}/{{user_id}}/roles", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def assign_role(request: Request, user_id: str, admin: Admin, role_id: str = Form("")) -> Response:
    """*Assign roles to user*."""
    return await _role_change(request, admin, user_id, role_id, assign=True)


@router.post(f"{PAGE}/{{user_id}}/roles/remove", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def remove_role(request: Request, user_id: str, admin: Admin, role_id: str = Form("")) -> Response:
    return await _role_change(request, admin, user_id, role_id, assign=False)
