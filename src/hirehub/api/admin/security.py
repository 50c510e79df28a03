"""Admin API for authentication and authorization set-up: app registrations and their credentials,
consent, security roles, application users, HR users, Microsoft Entra application links and trusted
issuers. The JSON answers are those of the matching ``hirehub … --json`` commands
(:mod:`hirehub.security.operations`); every change is written to the audit log with the caller."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from hirehub.api.admin import common
from hirehub.api.admin.caller import AdminCaller, AdminDependency
from hirehub.audit import log as audit
from hirehub.security import operations

router = APIRouter(prefix="/admin/v1", tags=["admin: security"])
Json = dict[str, Any]


class NewApp(BaseModel):
    name: str
    multi_tenant: bool = False
    client_id: str | None = Field(
        None, description="Refused: the hub draws every client ID. Registering a published app under its known ID "
        "is the operator's act (hirehub app create --client-id).",
    )  # fmt: skip


class NewSecret(BaseModel):
    days: int = 180
    description: str | None = None


class NewCertificate(BaseModel):
    certificate_pem: str = Field(description="The certificate, PEM; the private key stays with its owner.")


class NewRole(BaseModel):
    name: str


class NewGrant(BaseModel):
    table: str
    privilege: str
    level: str = "Organization"


class NewApplicationUser(BaseModel):
    client_id: str
    roles: list[str] = Field(min_length=1)
    name: str | None = None


class NewHRUser(BaseModel):
    user_id: str
    name: str
    roles: list[str] = Field(min_length=1)


class HRUserChange(BaseModel):
    enabled: bool


class NewEntraAppLink(BaseModel):
    client_id: str
    name: str
    user_id: str


class NewTrustedIssuer(BaseModel):
    issuer: str
    jwks_uri: str
    audiences: list[str] = Field(min_length=1)


async def _change(
    request: Request, caller: AdminCaller, action: str, subject: tuple[str, str | None], changer: common.Work
) -> Json:
    result = await common.change(request, caller, action, subject, changer)
    request.app.state.security.principals.forget()  # a change of roles, users or links counts from now on here
    return result


@router.get("/apps")
async def list_apps(request: Request, caller: AdminCaller = AdminDependency) -> Json:
    return await common.read(request, caller, operations.list_apps)


@router.post("/apps", status_code=201)
async def create_app(body: NewApp, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    return await _change(request, caller, "security.app.create", ("app_registration", None),
                         lambda session: operations.create_app(session, body.name, body.multi_tenant, body.client_id))


@router.get("/apps/{client_id}")
async def show_app(client_id: str, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    return await common.read(request, caller, lambda session: operations.show_app(session, client_id))


@router.post("/apps/{client_id}/secrets", status_code=201)
async def add_secret(client_id: str, body: NewSecret, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    """The secret's value is in this answer and nowhere else, ever."""
    return await _change(request, caller, "security.app.secret.add", ("app_registration", client_id),
                         lambda session: operations.add_secret(session, client_id, body.days, body.description))


@router.post("/apps/{client_id}/certificates", status_code=201)
async def add_certificate(
    client_id: str, body: NewCertificate, request: Request, caller: AdminCaller = AdminDependency
) -> Json:
    return await _change(request, caller, "security.app.certificate.add", ("app_registration", client_id),
                         lambda session: operations.add_certificate(session, client_id, body.certificate_pem))


@router.delete("/apps/{client_id}/credentials/{key_id}")
async def revoke_credential(
    client_id: str, key_id: str, request: Request, caller: AdminCaller = AdminDependency
) -> Json:
    """Revoke a secret or certificate (by id, or a certificate by SHA-1 thumbprint); it stops working at once."""
    return await _change(request, caller, "security.app.credential.revoke", ("app_registration", client_id),
                         lambda session: operations.revoke_credential(session, client_id, key_id))


@router.get("/apps/{client_id}/consent")
async def describe_consent(client_id: str, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    """What consenting to an app would grant: the app's name, its publisher's tenant, the grant in words."""
    return await operations.describe_consent(common.database_of(request), client_id)


@router.post("/apps/{client_id}/consent")
async def consent(client_id: str, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    """Admin consent of a multi-tenant app, registered in any tenant, into the caller's tenant; the answer names
    the app, its publisher's tenant and what was granted."""
    result = await operations.consent(common.database_of(request), caller.tenant_id, client_id)
    async with common.database_of(request).tenant_transaction(caller.tenant_id) as session:
        audit.record(session, actor=caller.actor, action="security.app.consent", subject_type="service_principal",
                     subject_id=client_id, after=result)  # fmt: skip
    return result


@router.get("/roles")
async def list_roles(request: Request, caller: AdminCaller = AdminDependency) -> Json:
    return await common.read(request, caller, operations.list_roles)


@router.post("/roles", status_code=201)
async def create_role(body: NewRole, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    return await _change(request, caller, "security.role.create", ("security_role", None),
                         lambda session: operations.create_role(session, body.name))


@router.post("/roles/{role}/privileges")
async def grant(role: str, body: NewGrant, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    """Grant a privilege on a table to a role; granting it again changes its level."""
    return await _change(request, caller, "security.role.grant", ("security_role", role),
                         lambda session: operations.grant(session, role, body.table, body.privilege, body.level))


@router.post("/application-users", status_code=201)
async def create_application_user(
    body: NewApplicationUser, request: Request, caller: AdminCaller = AdminDependency
) -> Json:
    return await _change(
        request, caller, "security.application_user.create", ("application_user", body.client_id),
        lambda session: operations.create_application_user(session, body.client_id, body.roles, body.name),
    )


@router.post("/hr-users", status_code=201)
async def create_hr_user(body: NewHRUser, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    return await _change(request, caller, "security.hr_user.create", ("hr_user", body.user_id),
                         lambda session: operations.create_hr_user(session, body.user_id, body.name, body.roles))


@router.patch("/hr-users/{user_id}")
async def change_hr_user(
    user_id: str, body: HRUserChange, request: Request, caller: AdminCaller = AdminDependency
) -> Json:
    """Enable or disable an HR user; apps linked to a disabled one are refused."""
    action = "security.hr_user.enable" if body.enabled else "security.hr_user.disable"
    return await _change(request, caller, action, ("hr_user", user_id),
                         lambda session: operations.set_hr_user_enabled(session, user_id, body.enabled))


@router.post("/entra-app-links", status_code=201)
async def create_entra_app_link(body: NewEntraAppLink, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    return await _change(
        request, caller, "security.entra_app_link.create", ("entra_app_link", body.client_id),
        lambda session: operations.create_entra_app_link(session, body.client_id, body.name, body.user_id),
    )


@router.post("/trusted-issuers", status_code=201)
async def add_trusted_issuer(body: NewTrustedIssuer, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    return await _change(
        request, caller, "security.trusted_issuer.add", ("trusted_issuer", body.issuer),
        lambda session: operations.add_trusted_issuer(session, body.issuer, body.jwks_uri, body.audiences),
    )


@router.get("/trusted-issuers")
async def list_trusted_issuers(request: Request, caller: AdminCaller = AdminDependency) -> Json:
    """The issuers the caller's tenant trusts; no other tenant's."""
    return await common.read(request, caller, operations.list_trusted_issuers)


@router.delete("/trusted-issuers/{trusted_id}")
async def delete_trusted_issuer(trusted_id: str, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    """Stop trusting an issuer in the caller's tenant; its tokens are refused here from the next call on."""
    return await _change(request, caller, "security.trusted_issuer.delete", ("trusted_issuer", trusted_id),
                         lambda session: operations.delete_trusted_issuer(session, trusted_id))
