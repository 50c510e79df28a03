"""*Microsoft Entra applications*: which HR user an app's calls run as (Client ID → User ID).

The HR application's page of that name, as Microsoft's ATS integration API and Talent Hub guides set it up: *Client ID*
(the app's, such as LinkedIn Talent Hub's adapter ``3a225c96-…``), *Name*, *User ID*. Without this record an app that
passed layer one is still refused, and removing it stops the app at once. Links are made and removed through
:mod:`hirehub.security.operations`, audited, refused with nothing changed.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hirehub.accounts import SignedIn
from hirehub.errors import NotFound
from hirehub.security import operations
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.forms import FormState, PostedForm, add_page, with_message
from hirehub.web.pages import not_found, render_form
from hirehub.web.security_support import Json, audited_change, audited_submit, is_client_id, read_each, usable_apps

router = APIRouter(include_in_schema=False)
PAGE = "/console/entra-apps"


async def entra_apps_page(
    request: Request, admin: SignedIn, state: FormState = FormState(), notice: str = ""
) -> Response:
    loaded = await read_each(
        request, admin, links=operations.list_entra_app_links, users=operations.list_hr_users, apps=usable_apps
    )
    users = [(u["user_id"], f"{u['user_id']} – {u['name']}" + ("" if u["enabled"] else " (disabled)"))
             for u in loaded["users"]["hr_users"]]  # fmt: skip
    return render_form(
        request, "entra_apps_list.html", state, notice=notice, links=loaded["links"]["links"], users=users,
        apps=loaded["apps"], app_names={a["client_id"]: a["name"] for a in loaded["apps"]},
    )  # fmt: skip


add_page(router, f"{PAGE}/", entra_apps_page)


@router.post(f"{PAGE}/", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def link(
    request: Request,
    admin: Admin,
    client_id: str = Form(""),
    name: str = Form(""),
    user_id: str = Form(""),
) -> Response:
    """*New*: Client ID, Name, User ID; the app's calls then run as that HR user, with its HR roles."""
    posted = PostedForm({"link-client_id": client_id, "link-name": name, "link-user_id": user_id}, "link-")
    if not is_client_id(client_id):
        posted.problems["link-client_id"] = (
            "Client ID is required" if not client_id.strip() else f"'{client_id.strip()}' is not a client ID (a GUID)"
        )
    if not name.strip():
        posted.problems["link-name"] = "Name is required"
    if not user_id.strip():
        posted.problems["link-user_id"] = "choose an HR user"

    def then(new: Json) -> str:
        return with_message(
            f"{PAGE}/", notice=f"{new['name']} ({new['client_id']}) now acts as the HR user {new['user_id']}"
        )

    return await audited_submit(
        request, admin, posted, lambda state: entra_apps_page(request, admin, state),
        action="security.entra_app_link.create", subject=("entra_app_link", client_id.strip()), then=then,
        change=lambda session: operations.create_entra_app_link(session, client_id, name, user_id),
    )  # fmt: skip


@router.post(f"{PAGE}/{{client_id}}/remove", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def unlink(request: Request, client_id: str, admin: Admin) -> Response:
    """Remove the record: the app's next call is refused until it is linked again."""
    if not is_client_id(client_id):
        return not_found(request, "link")
    try:
        removed = await audited_change(
            request, admin, action="security.entra_app_link.delete", subject=("entra_app_link", client_id),
            change=lambda session: operations.delete_entra_app_link(session, client_id),
        )  # fmt: skip
    except NotFound:
        return not_found(request, "link")
    notice = f"The link of {removed['name']} ({removed['client_id']}) was removed"
    return RedirectResponse(with_message(f"{PAGE}/", notice=notice), status_code=303)
