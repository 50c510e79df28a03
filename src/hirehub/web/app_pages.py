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
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.sealing import Sealer, SealError
from hirehub.security import operations
from hirehub.web.accounts import SignedIn
from hirehub.web.auth import require_admin, require_csrf
from hirehub.web.forms import FieldErrors, with_message
from hirehub.web.pages import NAVIGATION, not_found, render
from hirehub.web.security_support import REFUSALS, Json, Refusal, audited_change, is_client_id, read

router = APIRouter(include_in_schema=False)
PAGE = "/console/apps"
NAVIGATION.append((f"{PAGE}/", "App registrations"))

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


async def _list_page(
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
            "registered": (await operations.list_apps(session))["apps"],
            "consented": (await operations.list_consented_apps(session))["apps"],
        }

    listed = await read(request, admin, load)
    return render(
        request, "apps_list.html", status_code=status_code, apps=listed["registered"], consented=listed["consented"],
        form=form or {}, field_errors=field_errors or FieldErrors(), notice=notice, error=error,
    )  # fmt: skip


@router.get(f"{PAGE}/", response_class=HTMLResponse)
async def apps_page(
    request: Request, admin: SignedIn = Depends(require_admin), notice: str = "", error: str = ""
) -> Response:
    return await _list_page(request, admin, notice=notice, error=error)


@router.post(f"{PAGE}/", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def register_app(
    request: Request,
    admin: SignedIn = Depends(require_admin),
    name: str = Form(""),
    client_id: str = Form(""),
    multi_tenant: str = Form(""),
) -> Response:
    """*New registration*: a name, and optionally the published client ID of a known app (such as LinkedIn
    Talent Hub's adapter); the hub issues a client ID otherwise."""
    form = {"app-name": name, "app-client_id": client_id, "app-multi_tenant": multi_tenant}
    problems = FieldErrors()
    if not name.strip():
        problems["app-name"] = "Name is required"
    known = client_id.strip() or None
    if known is not None and not is_client_id(known):
        problems["app-client_id"] = f"'{known}' is not a client ID (a GUID, such as 3a225c96-d62a-44ce-…)"
    if problems:
        return await _list_page(request, admin, form=form, field_errors=problems, status_code=400)
    try:
        created = await audited_change(
            request, admin, action="security.app.create", subject=("app_registration", None),
            change=lambda session: operations.create_app(session, name, bool(multi_tenant), known),
        )  # fmt: skip
    except REFUSALS as refusal:
        field = "app-client_id" if "client ID" in str(refusal) else "app-name"
        return await _list_page(
            request, admin, form=form, field_errors=FieldErrors({field: str(refusal)}), status_code=_status(refusal)
        )
    notice = f"{created['name']} was registered with client ID {created['client_id']}"
    return RedirectResponse(with_message(f"{PAGE}/{created['client_id']}", notice=notice), status_code=303)


@router.post(f"{PAGE}/consent", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def consent(request: Request, admin: SignedIn = Depends(require_admin), client_id: str = Form("")) -> Response:
    """Admin consent: a multi-tenant app registered by another organisation gets a service principal here."""
    form = {"consent-client_id": client_id}
    if not is_client_id(client_id):
        problems = FieldErrors({"consent-client_id": f"'{client_id.strip()}' is not a client ID (a GUID)"})
        return await _list_page(request, admin, form=form, field_errors=problems, status_code=400)
    try:
        result = await operations.consent(request.app.state.database, admin.tenant_id, client_id.strip())
    except REFUSALS as refusal:
        problems = FieldErrors({"consent-client_id": str(refusal)})
        return await _list_page(request, admin, form=form, field_errors=problems, status_code=_status(refusal))

    async def recorded(_session: AsyncSession) -> Json:
        return result  # consent made its own transaction (it looks the app up across tenants first)

    await audited_change(
        request, admin, action="security.app.consent", subject=("service_principal", result["client_id"]),
        change=recorded,
    )  # fmt: skip
    return RedirectResponse(with_message(f"{PAGE}/", notice=f"Consent granted to {result['client_id']}"), 303)


def _status(refusal: Refusal) -> int:
    return 404 if refusal.status == 404 else (409 if refusal.status == 409 else 400)


# --- one app: its secrets and certificates ------------------------------------------------------------------


async def _app_page(
    request: Request,
    admin: SignedIn,
    client_id: str,
    *,
    form: dict[str, str] | None = None,
    field_errors: FieldErrors | None = None,
    notice: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    if not is_client_id(client_id):
        return not_found(request, "app registration")
    try:
        app = await read(request, admin, lambda session: operations.show_app(session, client_id))
    except REFUSALS:
        return not_found(request, "app registration")
    credentials = app["credentials"]
    return render(
        request, "apps_detail.html", status_code=status_code, app=app,
        secrets=[c for c in credentials if c["kind"] == "secret"],
        certificates=[c for c in credentials if c["kind"] == "certificate"],
        lifetimes=SECRET_LIFETIMES, form=form or {"secret-days": "180"}, field_errors=field_errors or FieldErrors(),
        notice=notice, error=error, day=_day,
    )  # fmt: skip


def _day(iso: str | None) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d") if iso else "—"


@router.get(f"{PAGE}/{{client_id}}", response_class=HTMLResponse)
async def app_page(
    request: Request, client_id: str, admin: SignedIn = Depends(require_admin), notice: str = "", error: str = ""
) -> Response:
    return await _app_page(request, admin, client_id, notice=notice, error=error)


def _sealer(request: Request) -> Sealer:
    return Sealer(request.app.state.settings.secret_key, NEW_SECRET_SEAL)


def _secret_page_path(client_id: str) -> str:
    return f"{PAGE}/{client_id}/secrets/new"


@router.post(f"{PAGE}/{{client_id}}/secrets", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def add_secret(
    request: Request,
    client_id: str,
    admin: SignedIn = Depends(require_admin),
    description: str = Form(""),
    days: str = Form("180"),
) -> Response:
    form = {"secret-description": description, "secret-days": days}
    if not is_client_id(client_id):
        return not_found(request, "app registration")
    if days not in {value for value, _label in SECRET_LIFETIMES}:
        problems = FieldErrors({"secret-days": "choose one of the lifetimes offered"})
        return await _app_page(request, admin, client_id, form=form, field_errors=problems, status_code=400)
    try:
        new = await audited_change(
            request, admin, action="security.app.secret.add", subject=("app_registration", client_id),
            change=lambda session: operations.add_secret(session, client_id, int(days), description.strip() or None),
        )  # fmt: skip
    except REFUSALS as refusal:
        if refusal.status == 404:
            return not_found(request, "app registration")
        problems = FieldErrors({"secret-days": str(refusal)})
        return await _app_page(request, admin, client_id, form=form, field_errors=problems, status_code=400)
    # Post / redirect / get, with the value in a sealed cookie that only the next page reads, once.
    sealed = _sealer(request).seal(json.dumps({k: new[k] for k in ("secret_id", "secret", "expires")}))
    response = RedirectResponse(_secret_page_path(client_id), status_code=303)
    response.set_cookie(
        NEW_SECRET_COOKIE, sealed, max_age=NEW_SECRET_SECONDS, path=_secret_page_path(client_id), httponly=True,
        samesite="strict", secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


@router.get(f"{PAGE}/{{client_id}}/secrets/new", response_class=HTMLResponse)
async def new_secret_page(request: Request, client_id: str, admin: SignedIn = Depends(require_admin)) -> Response:
    """The one time a secret's value is shown; the cookie that carried it is deleted by this very answer."""
    if not is_client_id(client_id):
        return not_found(request, "app registration")
    try:
        app = await read(request, admin, lambda session: operations.show_app(session, client_id))
    except REFUSALS:
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
    admin: SignedIn = Depends(require_admin),
    certificate: UploadFile | None = File(None),
) -> Response:
    """*Upload certificate*: the public certificate (PEM); the private key never leaves its owner."""
    if not is_client_id(client_id):
        return not_found(request, "app registration")
    problems = FieldErrors()
    pem = ""
    if certificate is None or not certificate.filename:
        problems["certificate-file"] = "Choose a certificate file (.pem, .crt or .cer)"
    else:
        content = await certificate.read(MAX_CERTIFICATE_BYTES + 1)
        if len(content) > MAX_CERTIFICATE_BYTES:
            problems["certificate-file"] = "The file is larger than a certificate (64 KB at most)"
        else:
            pem = content.decode("utf-8", errors="replace")
    if problems:
        return await _app_page(request, admin, client_id, field_errors=problems, status_code=400)
    try:
        added = await audited_change(
            request, admin, action="security.app.certificate.add", subject=("app_registration", client_id),
            change=lambda session: operations.add_certificate(session, client_id, pem),
        )  # fmt: skip
    except REFUSALS as refusal:
        if refusal.status == 404:
            return not_found(request, "app registration")
        problems["certificate-file"] = str(refusal)
        return await _app_page(request, admin, client_id, field_errors=problems, status_code=_status(refusal))
    notice = f"The certificate {added['thumbprint']} was added"
    return RedirectResponse(with_message(f"{PAGE}/{client_id}", notice=notice), status_code=303)


@router.post(
    f"{PAGE}/{{client_id}}/credentials/{{key_id}}/revoke",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def revoke_credential(
    request: Request, client_id: str, key_id: str, admin: SignedIn = Depends(require_admin)
) -> Response:
    """A revoked secret or certificate stops working at once; it stays listed, marked revoked, for the record."""
    if not is_client_id(client_id):
        return not_found(request, "app registration")
    try:
        revoked = await audited_change(
            request, admin, action="security.app.credential.revoke", subject=("app_registration", client_id),
            change=lambda session: operations.revoke_credential(session, client_id, key_id),
        )  # fmt: skip
    except REFUSALS as refusal:
        if refusal.status == 404:
            return not_found(request, "app registration")
        return await _app_page(request, admin, client_id, error=str(refusal), status_code=400)
    what = "secret" if revoked["kind"] == "secret" else f"certificate {revoked['thumbprint']}"
    return RedirectResponse(with_message(f"{PAGE}/{client_id}", notice=f"The {what} was revoked"), status_code=303)
