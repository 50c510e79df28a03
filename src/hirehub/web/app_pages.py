"""App registrations: the apps of the tenant, registering one, and an app's secrets and certificates.

Every change is an operation of :mod:`hirehub.security.operations` (the ``hirehub app …`` commands and
``/admin/v1/apps`` make the same ones). A new client secret's value exists only in the answer of that
operation; the page hands it to the browser once, sealed in a short-lived cookie scoped to the one page
that shows it, which deletes the cookie as it shows the value — so reloading, going back or opening the
page later never shows it again, and the hub never stores it (only its hash).
"""

from __future__ import annotations

import json
from datetime import datetime

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.accounts import SignedIn
from hirehub.errors import HubError
from hirehub.sealing import Sealer, SealError
from hirehub.security import operations
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.forms import FormPage, FormState, PostedForm, add_page, submit, with_message
from hirehub.web.pages import not_found, render, render_form
from hirehub.web.security_support import Json, audited_change, audited_submit, is_client_id, read, read_each

router = APIRouter(include_in_schema=False)
PAGE = "/console/apps"

NEW_SECRET_COOKIE = "hirehub_new_secret"
NEW_SECRET_SEAL = "console-new-client-secret"
NEW_SECRET_SECONDS = 300
MAX_CERTIFICATE_BYTES = 64 * 1024
# Entra's choices for a client secret's lifetime; 180 days is its recommendation.
SECRET_LIFETIMES: list[tuple[str, str]] = [
    ("90", "90 days (3 months)"),
    ("180", "180 days (6 months, recommended)"),
    ("365", "365 days (12 months)"),
    ("545", "545 days (18 months)"),
    ("730", "730 days (24 months)"),
]


# --- the list, registering an app, consenting to another tenant's app --------------------------------------


async def apps_page(request: Request, admin: SignedIn, state: FormState = FormState(), notice: str = "") -> Response:
    listed = await read_each(request, admin, registered=operations.list_apps, consented=operations.list_consented_apps)
    consented = [{**app, "publisher": await _publisher(request, app["client_id"])}
                 for app in listed["consented"]["apps"]]  # fmt: skip
    return render_form(
        request, "apps_list.html", state, notice=notice, apps=listed["registered"]["apps"], consented=consented,
    )  # fmt: skip


async def _publisher(request: Request, client_id: str) -> Json | None:
    """The tenant that publishes a consented app (another organisation's: read as consent reads it)."""
    try:
        described = await operations.describe_consent(request.app.state.database, client_id)
    except HubError:
        return None
    publisher: Json = described["publisher_tenant"]
    return publisher


add_page(router, f"{PAGE}/", apps_page)


@router.post(f"{PAGE}/", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def register_app(
    request: Request,
    admin: Admin,
    name: str = Form(""),
    client_id: str = Form(""),
    multi_tenant: str = Form(""),
) -> Response:
    """*New registration*: a name; the hub draws the client ID. A posted client ID (the form offers none) is
    refused by the operation, in the banner: naming a published app's ID is the operator's act."""
    posted = PostedForm({"app-name": name, "app-multi_tenant": multi_tenant}, "app-")
    if not name.strip():
        posted.problems["app-name"] = "Name is required"
    chosen = client_id.strip() or None

    def then(created: Json) -> str:
        notice = f"{created['name']} was registered with client ID {created['client_id']}"
        return with_message(f"{PAGE}/{created['client_id']}", notice=notice)

    return await audited_submit(
        request, admin, posted, lambda state: apps_page(request, admin, state), action="security.app.create",
        subject=("app_registration", None), then=then,
        change=lambda session: operations.create_app(session, name, bool(multi_tenant), chosen),
    )  # fmt: skip


@router.post(f"{PAGE}/consent", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def consent(request: Request, admin: Admin, client_id: str = Form(""), confirm: str = Form("")) -> Response:
    """Admin consent, in two steps: first the app's name, its publisher and what is granted are shown; only the
    administrator's confirmation of that page gives the app a service principal here."""
    posted = PostedForm({"consent-client_id": client_id}, "consent-")
    if not is_client_id(client_id):
        posted.problems["consent-client_id"] = f"'{client_id.strip()}' is not a client ID (a GUID)"
    if not confirm and not posted.problems:
        return await _consent_review(request, admin, posted, client_id.strip())

    async def change() -> Json:
        result = await operations.consent(request.app.state.database, admin.tenant_id, client_id.strip())

        async def recorded(_session: AsyncSession) -> Json:
            return result  # consent made its own transaction (it looks the app up across tenants first)

        return await audited_change(
            request, admin, action="security.app.consent", subject=("service_principal", result["client_id"]),
            change=recorded,
        )  # fmt: skip

    def then(result: Json) -> str:
        publisher = result["publisher_tenant"]
        notice = f"Consent granted to {result['app_name']} ({result['client_id']}), published by {publisher['name']}"
        return with_message(f"{PAGE}/", notice=notice)

    return await submit(posted, lambda state: apps_page(request, admin, state), change, then)


async def _consent_review(request: Request, admin: SignedIn, posted: PostedForm, client_id: str) -> Response:
    """The page that says what consent grants, and to whom, before anything is granted."""
    try:
        described = await operations.describe_consent(request.app.state.database, client_id)
    except HubError as refusal:
        return await apps_page(request, admin, posted.refused(refusal))
    return render(request, "apps_consent.html", consent=described)


# --- one app: its secrets and certificates ------------------------------------------------------------------


async def _find_app(request: Request, admin: SignedIn, client_id: str) -> Json | None:
    """The app registration of this tenant with this client ID, or None (malformed, unknown, another tenant's)."""
    if not is_client_id(client_id):
        return None
    try:
        return await read(request, admin, lambda session: operations.show_app(session, client_id))
    except HubError:
        return None


async def _app_page(
    request: Request, admin: SignedIn, client_id: str, state: FormState = FormState(), notice: str = ""
) -> Response:
    """The app's page; also the answer when the app does not exist here, so a refused change about a missing app
    is a 404 without the page asking why it was refused."""
    app = await _find_app(request, admin, client_id)
    if app is None:
        return not_found(request, "app registration")
    credentials = app["credentials"]
    return render_form(
        request, "apps_detail.html", state.or_values({"secret-days": "180"}), notice=notice, app=app,
        secrets=[c for c in credentials if c["kind"] == "secret"],
        certificates=[c for c in credentials if c["kind"] == "certificate"], lifetimes=SECRET_LIFETIMES, day=_day,
    )  # fmt: skip


def _day(iso: str | None) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d") if iso else "—"


@router.get(f"{PAGE}/{{client_id}}", response_class=HTMLResponse)
async def app_page(request: Request, client_id: str, admin: Admin, notice: str = "", error: str = "") -> Response:
    return await _app_page(request, admin, client_id, FormState(error=error), notice)


def _sealer(request: Request) -> Sealer:
    return Sealer(request.app.state.settings.secret_key, NEW_SECRET_SEAL)


def _secret_page_path(client_id: str) -> str:
    return f"{PAGE}/{client_id}/secrets/new"


def _app_form(request: Request, admin: SignedIn, client_id: str) -> FormPage:
    return lambda state: _app_page(request, admin, client_id, state)


@router.post(f"{PAGE}/{{client_id}}/secrets", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def add_secret(
    request: Request,
    client_id: str,
    admin: Admin,
    description: str = Form(""),
    days: str = Form("180"),
) -> Response:
    if not is_client_id(client_id):
        return not_found(request, "app registration")
    posted = PostedForm({"secret-description": description, "secret-days": days}, "secret-")
    if days not in {value for value, _label in SECRET_LIFETIMES}:
        posted.problems["secret-days"] = "choose one of the lifetimes offered"
    added: Json = {}

    async def change() -> Json:
        new = await audited_change(
            request, admin, action="security.app.secret.add", subject=("app_registration", client_id),
            change=lambda session: operations.add_secret(session, client_id, int(days), description.strip() or None),
        )  # fmt: skip
        added.update(new)
        return new

    response = await submit(
        posted, _app_form(request, admin, client_id), change, lambda _: _secret_page_path(client_id)
    )
    if added:
        # Post / redirect / get, with the value in a sealed cookie that only the next page reads, once.
        sealed = _sealer(request).seal(json.dumps({k: added[k] for k in ("secret_id", "secret", "expires")}))
        response.set_cookie(
            NEW_SECRET_COOKIE, sealed, max_age=NEW_SECRET_SECONDS, path=_secret_page_path(client_id), httponly=True,
            samesite="strict", secure=request.url.scheme == "https",
        )  # fmt: skip
    return response


@router.get(f"{PAGE}/{{client_id}}/secrets/new", response_class=HTMLResponse)
async def new_secret_page(request: Request, client_id: str, admin: Admin) -> Response:
    """The one time a secret's value is shown; the cookie that carried it is deleted by this very answer."""
    app = await _find_app(request, admin, client_id)
    if app is None:
        return not_found(request, "app registration")
    shown: Json | None = None
    try:
        carried = json.loads(_sealer(request).open(request.cookies.get(NEW_SECRET_COOKIE, "")))
    except (SealError, ValueError):
        carried = None
    ours = {c["key_id"] for c in app["credentials"] if c["kind"] == "secret" and not c["revoked"]}
    if isinstance(carried, dict) and carried.get("secret_id") in ours:
        shown = carried
    response = render(request, "apps_secret.html", app=app, shown=shown, day=_day)
    response.headers["Cache-Control"] = "no-store"
    response.delete_cookie(NEW_SECRET_COOKIE, path=_secret_page_path(client_id))
    return response


@router.post(f"{PAGE}/{{client_id}}/certificates", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def upload_certificate(
    request: Request,
    client_id: str,
    admin: Admin,
    certificate: UploadFile | None = File(None),
) -> Response:
    """*Upload certificate*: the public certificate (PEM); the private key never leaves its owner."""
    if not is_client_id(client_id):
        return not_found(request, "app registration")
    posted = PostedForm({}, fields={"certificate_pem": "certificate-file"})
    pem = ""
    if certificate is None or not certificate.filename:
        posted.problems["certificate-file"] = "Choose a certificate file (.pem, .crt or .cer)"
    else:
        content = await certificate.read(MAX_CERTIFICATE_BYTES + 1)
        if len(content) > MAX_CERTIFICATE_BYTES:
            posted.problems["certificate-file"] = "The file is larger than a certificate (64 KB at most)"
        else:
            pem = content.decode("utf-8", errors="replace")

    def then(added: Json) -> str:
        return with_message(f"{PAGE}/{client_id}", notice=f"The certificate {added['thumbprint']} was added")

    return await audited_submit(
        request, admin, posted, _app_form(request, admin, client_id), action="security.app.certificate.add",
        subject=("app_registration", client_id), then=then,
        change=lambda session: operations.add_certificate(session, client_id, pem),
    )  # fmt: skip


@router.post(
    f"{PAGE}/{{client_id}}/credentials/{{key_id}}/revoke",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def revoke_credential(request: Request, client_id: str, key_id: str, admin: Admin) -> Response:
    """A revoked secret or certificate stops working at once; it stays listed, marked revoked, for the record."""

    def then(revoked: Json) -> str:
        what = "secret" if revoked["kind"] == "secret" else f"certificate {revoked['thumbprint']}"
        return with_message(f"{PAGE}/{client_id}", notice=f"The {what} was revoked")

    return await audited_submit(
        request, admin, PostedForm({}), _app_form(request, admin, client_id), action="security.app.credential.revoke",
        subject=("app_registration", client_id), then=then,
        change=lambda session: operations.revoke_credential(session, client_id, key_id),
    )  # fmt: skip
