"""App registrations and their credentials, and admin consent of multi-tenant apps.

A client ID is drawn by the hub. Only the operator registers an app under a client ID of its choosing —
a published app such as LinkedIn Talent Hub's adapter, in the tenant of its publisher — because a client
ID is what other tenants consent to and link to: a tenant administrator who could choose one could take a
published ID and receive the tokens other organisations grant it. Consent therefore always names the app,
its publisher and what the consenting organisation grants (:class:`ConsentRequest`).

A client secret is random (256 bits), shown once and stored as its SHA-256: with that much entropy a
fast hash is as safe as a slow one, and the token endpoint stays fast. A certificate is stored as its
DER and thumbprints (never a private key: the customer keeps that).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import utcnow
from hirehub.db.integrity import Violation, violation
from hirehub.errors import AlreadyExists, Invalid, NotFound
from hirehub.security.models import AppCredential, AppRegistration, ServicePrincipal
from hirehub.tenancy.models import Tenant


class AppError(Invalid):
    """An app-registration request that does not fit (a missing name, a client ID that is not a GUID…).

    An app or credential that does not exist is a :class:`~hirehub.errors.NotFound`, one registered already an
    :class:`~hirehub.errors.AlreadyExists`.
    """


class Registrar(StrEnum):
    """Who registers an app: only the operator (the CLI, with the database) may name its client ID."""

    TENANT_ADMINISTRATOR = "tenant administrator"
    OPERATOR = "operator"


@dataclass(frozen=True)
class NewSecret:
    credential: AppCredential
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_app(
    session: AsyncSession, *, name: str, multi_tenant: bool = False, client_id: str | None = None,
    by: Registrar = Registrar.OPERATOR,
) -> AppRegistration:  # fmt: skip
    """Register an app in the session's tenant, with its service principal there (as Entra does).

    ``client_id`` registers a published application under its known ID (such as LinkedIn Talent Hub's
    adapter, ``3a225c96-…``) in its publisher's tenant, which only the operator may do (``by``); a client ID
    is unique across the whole hub, as it is across Entra ID.
    """
    if client_id is not None and by is not Registrar.OPERATOR:
        raise AppError(
            "the hub draws an app's client ID; registering a published app under its known client ID is the "
            "operator's act (hirehub app create --client-id), in the publisher's tenant", field="client_id",
        )  # fmt: skip
    if not name.strip():
        raise AppError("an app registration needs a name", field="name")
    key = _client_key(client_id) if client_id is not None else uuid.uuid4()
    app = AppRegistration(name=name.strip(), multi_tenant=multi_tenant, client_id=key, object_id=uuid.uuid4())
    session.add(app)
    session.add(ServicePrincipal(app_client_id=app.client_id, display_name=app.name, consented_by="owner"))
    try:
        await session.flush()
    except IntegrityError as exc:  # the unique client ID, registered in this or another tenant
        if violation(exc) is not Violation.UNIQUE:
            raise
        raise AlreadyExists(f"the client ID {key} is already registered", field="client_id") from None
    return app


def _client_key(client_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(client_id)
    except ValueError:
        raise AppError(f"'{client_id}' is not a client ID (a GUID)", field="client_id") from None


async def find_app(session: AsyncSession, client_id: str, *, where: str = " in this tenant") -> AppRegistration:
    """An app by its client ID: of the session's tenant, or of any (``where=""``) in a platform session."""
    app = await session.scalar(select(AppRegistration).where(AppRegistration.client_id == _client_key(client_id)))
    if app is None:
        raise NotFound(f"no app registration with client ID {client_id}{where}", field="client_id")
    return app


async def add_secret(
    session: AsyncSession, app: AppRegistration, *, days: int = 180, description: str | None = None,
    now: datetime | None = None,
) -> NewSecret:  # fmt: skip
    if not 1 <= days <= 730:
        raise AppError("a secret lives between 1 and 730 days (Entra's limit is 24 months)", field="days")
    now = now or utcnow()
    # Entra's secrets are 40 characters with a 3-character hint; these are longer, with the same hint.
    secret = secrets.token_urlsafe(32)
    credential = AppCredential(
        app_id=app.id, kind="secret", display_name=description, secret_hash=hash_secret(secret), hint=secret[:3],
        starts_at=now, expires_at=now + timedelta(days=days),
    )  # fmt: skip
    session.add(credential)
    await session.flush()
    return NewSecret(credential, secret)


async def add_certificate(
    session: AsyncSession, app: AppRegistration, certificate_pem: str, *, description: str | None = None
) -> AppCredential:
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError as exc:
        message = "the file is not a PEM certificate (-----BEGIN CERTIFICATE-----)"
        raise AppError(message, field="certificate_pem") from exc
    der = certificate.public_bytes(serialization.Encoding.DER)
    sha1 = hashlib.sha1(der).hexdigest().upper()
    existing = await session.scalar(
        select(AppCredential).where(AppCredential.app_id == app.id, AppCredential.thumbprint_sha1 == sha1)
    )
    if existing is not None:
        raise AlreadyExists(f"the certificate {sha1} is already registered on this app", field="certificate_pem")
    credential = AppCredential(
        app_id=app.id, kind="certificate", display_name=description or certificate.subject.rfc4514_string()[:120],
        certificate_der=der, thumbprint_sha1=sha1, thumbprint_sha256=hashlib.sha256(der).hexdigest().upper(),
        starts_at=certificate.not_valid_before_utc, expires_at=certificate.not_valid_after_utc,
    )  # fmt: skip
    session.add(credential)
    await session.flush()
    return credential


async def revoke_credential(
    session: AsyncSession, app: AppRegistration, key_id: str, now: datetime | None = None
) -> AppCredential:
    """Revoke a secret (by its id) or a certificate (by its id or thumbprint); it stops working at once."""
    wanted = key_id.strip()
    credentials = list(await session.scalars(select(AppCredential).where(AppCredential.app_id == app.id)))
    for credential in credentials:
        if wanted.lower() in (str(credential.key_id), (credential.thumbprint_sha1 or "").lower()):
            if credential.revoked_at is None:
                credential.revoked_at = now or utcnow()
            return credential
    raise NotFound(f"app {app.client_id} has no credential {key_id}", field="key_id")


async def list_credentials(session: AsyncSession, app: AppRegistration) -> list[AppCredential]:
    return list(
        await session.scalars(
            select(AppCredential).where(AppCredential.app_id == app.id).order_by(AppCredential.created_at)
        )
    )


@dataclass(frozen=True)
class ConsentRequest:
    """What an administrator is asked to grant: the app by name and client ID, and who publishes it."""

    app: AppRegistration
    publisher: Tenant

    @property
    def grants(self) -> str:
        """The grant in words, as the console and the CLI show it before and after consent."""
        return (
            f"'{self.app.name}' (client ID {self.app.client_id}), published by the organisation "
            f"'{self.publisher.name}' ({self.publisher.domain}), may ask for access tokens for this organisation "
            "with the credentials its publisher holds; it can read and write only what an application user you "
            "create for it is granted."
        )


async def find_app_anywhere(platform: AsyncSession, client_id: str) -> AppRegistration:
    """An app of any tenant by its client ID (in a platform session), as consent needs to find it."""
    return await find_app(platform, client_id, where="")


async def consent_request(platform: AsyncSession, client_id: str) -> ConsentRequest:
    """What consenting to the app with ``client_id`` (of any tenant; a platform session) grants, and who publishes
    it: an administrator sees this before consenting."""
    app = await find_app_anywhere(platform, client_id)
    publisher = await platform.get(Tenant, app.tenant_id)
    if publisher is None:  # the row's tenant is a foreign key: only a concurrent deletion gets here
        raise NotFound(f"no app registration with client ID {client_id}", field="client_id")
    return ConsentRequest(app, publisher)


async def consent(session: AsyncSession, app: AppRegistration, *, consented_by: str = "admin") -> ServicePrincipal:
    """Admin consent of a multi-tenant ``app`` into the session's tenant: its service principal there."""
    existing = await session.scalar(select(ServicePrincipal).where(ServicePrincipal.app_client_id == app.client_id))
    if existing is not None:
        return existing
    if not app.multi_tenant:
        raise AppError(f"app {app.client_id} is single-tenant: it can be used only in the tenant that registered it",
                       field="client_id")  # fmt: skip
    principal = ServicePrincipal(app_client_id=app.client_id, display_name=app.name, consented_by=consented_by)
    session.add(principal)
    await session.flush()
    return principal
