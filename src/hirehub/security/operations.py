"""The security set-up operations as people script them: each returns the JSON object that both the
``hirehub app|role|app-user|hr-user|entra-app-link|trusted-issuer`` commands print and the admin API
(``/admin/v1``) answers with, so the two interfaces cannot drift apart.

Each takes a session of the tenant it acts in (a transaction for changes) and refuses with a kind of
:class:`~hirehub.errors.HubError`, changing nothing.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.session import Database
from hirehub.hr.tables import exposed_tables
from hirehub.security import admin, apps
from hirehub.security.models import (
    AppCredential,
    ApplicationUser,
    AppRegistration,
    HRUser,
    ServicePrincipal,
    TrustedIssuer,
)
from hirehub.security.privileges import METADATA_TABLES, Depth, Privilege

Json = dict[str, Any]


def credential_json(credential: AppCredential) -> Json:
    return {
        "key_id": str(credential.key_id),
        "kind": credential.kind,
        "description": credential.display_name,
        "hint": credential.hint,
        "thumbprint": credential.thumbprint_sha1,
        "thumbprint_sha256": credential.thumbprint_sha256,
        "starts": credential.starts_at.isoformat(),
        "expires": credential.expires_at.isoformat(),
        "revoked": credential.revoked_at.isoformat() if credential.revoked_at else None,
    }


def _app_json(app: AppRegistration) -> Json:
    return {"client_id": str(app.client_id), "object_id": str(app.object_id), "name": app.name,
            "multi_tenant": app.multi_tenant, "tenant_id": str(app.tenant_id)}  # fmt: skip


async def create_app(
    session: AsyncSession, name: str, multi_tenant: bool, client_id: str | None = None, *,
    by: apps.Registrar = apps.Registrar.TENANT_ADMINISTRATOR,
) -> Json:  # fmt: skip
    """Register an app; ``client_id`` is refused unless the operator (``by``) registers a published app."""
    registered = await apps.create_app(session, name=name, multi_tenant=multi_tenant, client_id=client_id, by=by)
    return _app_json(registered)


async def list_apps(session: AsyncSession) -> Json:
    registered = await session.scalars(select(AppRegistration).order_by(AppRegistration.name))
    return {"apps": [_app_json(app) for app in registered]}


async def show_app(session: AsyncSession, client_id: str) -> Json:
    """An app and its credentials (never a secret's value)."""
    app = await apps.find_app(session, client_id)
    credentials = await apps.list_credentials(session, app)
    return {**_app_json(app), "credentials": [credential_json(c) for c in credentials]}


async def add_secret(session: AsyncSession, client_id: str, days: int, description: str | None) -> Json:
    app = await apps.find_app(session, client_id)
    new = await apps.add_secret(session, app, days=days, description=description)
    return {"secret_id": str(new.credential.key_id), "secret": new.secret,
            "expires": new.credential.expires_at.isoformat()}  # fmt: skip


async def add_certificate(session: AsyncSession, client_id: str, certificate_pem: str) -> Json:
    app = await apps.find_app(session, client_id)
    credential = await apps.add_certificate(session, app, certificate_pem)
    return {"key_id": str(credential.key_id), "thumbprint": credential.thumbprint_sha1,
            "thumbprint_sha256": credential.thumbprint_sha256,
            "expires": credential.expires_at.isoformat()}  # fmt: skip


async def revoke_credential(session: AsyncSession, client_id: str, key_id: str) -> Json:
    app = await apps.find_app(session, client_id)
    return credential_json(await apps.revoke_credential(session, app, key_id))


def _consent_json(request: apps.ConsentRequest) -> Json:
    publisher = request.publisher
    return {"client_id": str(request.app.client_id), "app_name": request.app.name,
            "multi_tenant": request.app.multi_tenant,
            "publisher_tenant": {"id": str(publisher.id), "name": publisher.name, "domain": publisher.domain},
            "consented_to": request.grants}  # fmt: skip


async def describe_consent(database: Database, client_id: str) -> Json:
    """What consenting to an app would grant, and who publishes it: shown before an administrator consents."""
    async with database.system_session() as platform:
        return _consent_json(await apps.consent_request(platform, client_id))


async def consent(database: Database, tenant_id: uuid.UUID, client_id: str) -> Json:
    """Admin consent of a multi-tenant app (registered in any tenant) into ``tenant_id``; the answer names the app,
    its publisher and what was granted."""
    async with database.system_session() as platform:
        request = await apps.consent_request(platform, client_id)
        described = _consent_json(request)
    async with database.tenant_transaction(tenant_id) as session:
        principal = await apps.consent(session, request.app)
        return {**described, "service_principal_id": str(principal.object_id), "tenant_id": str(tenant_id)}


async def create_role(session: AsyncSession, name: str) -> Json:
    role = await admin.create_role(session, name)
    return {"id": str(role.id), "name": role.name}


async def grant(session: AsyncSession, role: str, table: str, privilege: str, level: str) -> Json:
    row = await admin.grant(session, role, table, privilege, level)
    return {"role": role, "table": row.table_name, "privilege": row.privilege, "level": row.depth}


async def list_roles(session: AsyncSession) -> Json:
    roles = []
    for role in await admin.list_roles(session):
        privileges = await admin.role_privileges(session, role)
        roles.append({"id": str(role.id), "name": role.name, "built_in": role.built_in,
                      "privileges": [{"table": p.table_name, "privilege": p.privilege, "level": p.depth}
                                     for p in privileges]})  # fmt: skip
    return {"roles": roles}


async def create_application_user(session: AsyncSession, client_id: str, roles: list[str], name: str | None) -> Json:
    user = await admin.create_application_user(session, client_id, roles, name)
    return {"id": str(user.id), "client_id": user.client_id, "name": user.name, "roles": roles}


async def create_hr_user(session: AsyncSession, user_id: str, name: str, roles: list[str]) -> Json:
    user = await admin.create_hr_user(session, user_id, name, roles)
    return {"id": str(user.id), "user_id": user.user_id, "name": user.name, "roles": roles}


async def set_hr_user_enabled(session: AsyncSession, user_id: str, enabled: bool) -> Json:
    user = await admin.set_hr_user_enabled(session, user_id, enabled)
    return {"user_id": user.user_id, "enabled": user.enabled}


async def create_entra_app_link(session: AsyncSession, client_id: str, name: str, user_id: str) -> Json:
    link = await admin.create_entra_app_link(session, client_id, name, user_id)
    return {"id": str(link.id), "client_id": link.client_id, "name": link.name, "user_id": user_id}


def _trusted_issuer_json(trusted: TrustedIssuer) -> Json:
    return {"id": str(trusted.id), "issuer": trusted.issuer, "jwks_uri": trusted.jwks_uri,
            "audiences": trusted.audiences}  # fmt: skip


async def add_trusted_issuer(session: AsyncSession, issuer: str, jwks_uri: str, audiences: list[str]) -> Json:
    return _trusted_issuer_json(await admin.add_trusted_issuer(session, issuer, jwks_uri, audiences))


async def list_trusted_issuers(session: AsyncSession) -> Json:
    return {"trusted_issuers": [_trusted_issuer_json(t) for t in await admin.list_trusted_issuers(session)]}


async def delete_trusted_issuer(session: AsyncSession, trusted_id: str) -> Json:
    return _trusted_issuer_json(await admin.delete_trusted_issuer(session, trusted_id))


# --- what the console lists, and the role changes people make after creating a user ------------------------


async def list_consented_apps(session: AsyncSession) -> Json:
    """Multi-tenant apps of other tenants that were consented into this one (their service principals here)."""
    own = select(AppRegistration.client_id)
    principals = await session.scalars(
        select(ServicePrincipal)
        .where(ServicePrincipal.app_client_id.not_in(own))
        .order_by(ServicePrincipal.display_name)
    )
    return {"apps": [{"client_id": str(p.app_client_id), "name": p.display_name, "consented_by": p.consented_by,
                      "service_principal_id": str(p.object_id)} for p in principals]}  # fmt: skip


def privilege_choices() -> Json:
    """What a custom role can grant: every table the API exposes (and the metadata tables), each privilege,
    each access level, as Dataverse's security role editor offers them."""
    names = {t.odata.logical_name: t.odata.display_name for t in exposed_tables()}
    names.update({"entity": "Entity", "attribute": "Field", "relationship": "Relationship"})
    tables = sorted(({"table": table, "display_name": names[table]} for table in names),
                    key=lambda t: (t["table"] in METADATA_TABLES, t["display_name"].lower()))  # fmt: skip
    return {"tables": tables, "privileges": [p.value for p in Privilege],
            "levels": [level.name.replace("_", " ").title() for level in Depth]}  # fmt: skip


async def _application_user_json(session: AsyncSession, user: ApplicationUser) -> Json:
    roles = await admin.application_user_roles(session, user)
    return {"id": str(user.id), "client_id": user.client_id, "name": user.name, "enabled": user.enabled,
            "roles": [role.name for role in roles]}  # fmt: skip


async def list_application_users(session: AsyncSession) -> Json:
    users = await admin.list_application_users(session)
    return {"application_users": [await _application_user_json(session, u) for u in users]}


async def show_application_user(session: AsyncSession, client_id: str) -> Json:
    return await _application_user_json(session, await admin.find_application_user(session, client_id))


async def set_application_user_role(session: AsyncSession, client_id: str, role: str, *, held: bool) -> Json:
    user = await admin.set_application_user_role(session, client_id, role, held=held)
    return await _application_user_json(session, user)


grant_application_user_role = partial(set_application_user_role, held=True)
revoke_application_user_role = partial(set_application_user_role, held=False)


async def list_hr_roles(session: AsyncSession) -> Json:
    roles = await admin.list_hr_roles(session)
    return {"hr_roles": [{"role_id": r.role_id, "name": r.name, "built_in": r.built_in,
                          "tables": len(r.grants)} for r in roles]}  # fmt: skip


async def _hr_user_json(session: AsyncSession, user: HRUser) -> Json:
    roles = await admin.hr_user_roles(session, user)
    return {"id": str(user.id), "user_id": user.user_id, "name": user.name, "enabled": user.enabled,
            "roles": [{"role_id": r.role_id, "name": r.name} for r in roles]}  # fmt: skip


async def list_hr_users(session: AsyncSession) -> Json:
    return {"hr_users": [await _hr_user_json(session, u) for u in await admin.list_hr_users(session)]}


async def show_hr_user(session: AsyncSession, user_id: str) -> Json:
    return await _hr_user_json(session, await admin.find_hr_user(session, user_id))


async def set_hr_role(session: AsyncSession, user_id: str, role_id: str, *, held: bool) -> Json:
    return await _hr_user_json(session, await admin.set_hr_role(session, user_id, role_id, held=held))


assign_hr_role = partial(set_hr_role, held=True)
remove_hr_role = partial(set_hr_role, held=False)


async def list_entra_app_links(session: AsyncSession) -> Json:
    return {"links": [{"id": str(link.id), "client_id": link.client_id, "name": link.name, "user_id": user.user_id,
                       "user_enabled": user.enabled}
                      for link, user in await admin.list_entra_app_links(session)]}  # fmt: skip


async def delete_entra_app_link(session: AsyncSession, client_id: str) -> Json:
    link = await admin.delete_entra_app_link(session, client_id)
    return {"id": str(link.id), "client_id": link.client_id, "name": link.name}
