"""The security tables: signing keys, app registrations and their credentials, service principals,
trusted external issuers, security roles and application users (layer one), HR users, HR roles and
the *Microsoft Entra applications* link (layer two).

Signing keys and used assertion ids belong to the platform (the authorization server is shared, as
Entra's is); everything else belongs to a tenant. A multi-tenant app is registered in its home tenant;
another tenant uses it through its own :class:`ServicePrincipal`, created by admin consent.

The text a caller gives is measured against its column as it is assigned (:func:`refuse_over_long`):
PostgreSQL refuses an over-long value with an error and SQLite stores it whole, so only a check before the
database sees the value makes the two engines answer alike — with an :class:`~hirehub.errors.Invalid` that
names the input.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from hirehub.db.base import Base, Row, TenantOwned, UTCDateTime, utcnow
from hirehub.errors import Invalid


class SigningKey(Base):
    """One RSA key of the authorization server. Published from ``published_at``, signs from ``signs_from``
    until ``signs_until``, and stays published until ``unpublish_at`` (after its last token expired)."""

    __tablename__ = "signing_key"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    sealed_private_key: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, str]] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    signs_from: Mapped[datetime] = mapped_column(UTCDateTime())
    signs_until: Mapped[datetime] = mapped_column(UTCDateTime())
    unpublish_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AppRegistration(Row, TenantOwned, Base):
    """An application registered in its home tenant (Entra's *App registrations*)."""

    __tablename__ = "app_registration"

    client_id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4)
    object_id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(120))
    multi_tenant: Mapped[bool] = mapped_column(Boolean, default=False)


class AppCredential(Row, TenantOwned, Base):
    """A client secret (stored as its SHA-256, shown once) or a certificate (its DER and thumbprints)."""

    __tablename__ = "app_credential"

    app_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_registration.id", ondelete="CASCADE"), index=True)
    key_id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(12))  # "secret" or "certificate"
    display_name: Mapped[str | None] = mapped_column(String(120), default=None)
    secret_hash: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    hint: Mapped[str | None] = mapped_column(String(3), default=None)
    certificate_der: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    thumbprint_sha1: Mapped[str | None] = mapped_column(String(40), default=None, index=True)
    thumbprint_sha256: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class ServicePrincipal(Row, TenantOwned, Base):
    """An app's presence in a tenant: made with the app in its home tenant, by admin consent elsewhere."""

    __tablename__ = "service_principal"
    __table_args__ = (UniqueConstraint("tenant_id", "app_client_id"),)

    app_client_id: Mapped[uuid.UUID] = mapped_column()
    object_id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4)
    display_name: Mapped[str] = mapped_column(String(120))
    consented_by: Mapped[str | None] = mapped_column(String(200), default=None)


class TrustedIssuer(Row, TenantOwned, Base):
    """An external Entra ID tenant whose app-only tokens this tenant accepts (issuer, keys, audiences)."""

    __tablename__ = "trusted_issuer"
    __table_args__ = (UniqueConstraint("tenant_id", "issuer"),)

    issuer: Mapped[str] = mapped_column(String(300))
    jwks_uri: Mapped[str] = mapped_column(String(500))
    audiences: Mapped[list[str]] = mapped_column(JSON)


class SecurityRole(Row, TenantOwned, Base):
    """Layer one: a named set of table privileges (Dataverse's security role)."""

    __tablename__ = "security_role"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    built_in: Mapped[bool] = mapped_column(Boolean, default=False)


class RolePrivilege(Row, TenantOwned, Base):
    """One privilege on one table at one access level (0 None … 4 Organization)."""

    __tablename__ = "role_privilege"
    __table_args__ = (UniqueConstraint("role_id", "table_name", "privilege"),)

    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("security_role.id", ondelete="CASCADE"), index=True)
    table_name: Mapped[str] = mapped_column(String(100))
    privilege: Mapped[str] = mapped_column(String(12))
    depth: Mapped[int] = mapped_column(Integer)


class ApplicationUser(Row, TenantOwned, Base):
    """Layer one: the non-interactive user an app acts as in this tenant (one per client ID)."""

    __tablename__ = "application_user"
    __table_args__ = (UniqueConstraint("tenant_id", "client_id"),)

    client_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(120))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class RoleHolding:
    """Mix-in for a user holding a role, in either layer: one row per pair, gone with the user or the role.

    A subclass names the two tables in ``users`` and ``roles``.
    """

    users: ClassVar[str]
    roles: ClassVar[str]

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("user_id", "role_id"),)

    @declared_attr
    def user_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey(f"{cls.users}.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def role_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey(f"{cls.roles}.id", ondelete="CASCADE"), index=True)


class ApplicationUserRole(Row, TenantOwned, RoleHolding, Base):
    __tablename__ = "application_user_role"
    users, roles = "application_user", "security_role"


class HRUser(Row, TenantOwned, Base):
    """Layer two: a user of the HR application (its *User ID*, e.g. ``ats-integration``)."""

    __tablename__ = "hr_user"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    user_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(120))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class HRRole(Row, TenantOwned, Base):
    """Layer two: an HR security role (e.g. *Recruiting application*, ``HcmRecruitingIntegrator``)."""

    __tablename__ = "hr_role"
    __table_args__ = (UniqueConstraint("tenant_id", "role_id"),)

    role_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(120))
    built_in: Mapped[bool] = mapped_column(Boolean, default=False)
    grants: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)


class HRUserRole(Row, TenantOwned, RoleHolding, Base):
    __tablename__ = "hr_user_role"
    users, roles = "hr_user", "hr_role"


class EntraAppLink(Row, TenantOwned, Base):
    """*Microsoft Entra applications*: Client ID, Name, User ID — calls of that app run as that HR user."""

    __tablename__ = "entra_app_link"
    __table_args__ = (UniqueConstraint("tenant_id", "client_id"),)

    client_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(120))
    hr_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hr_user.id", ondelete="RESTRICT"), index=True)


def refuse_over_long(model: type[Base], **fields: str) -> None:
    """Refuse text longer than its column of ``model`` allows, as it is assigned (so before anything is written).

    ``fields`` names, by attribute, the input a caller knows the value as (``display_name`` is a secret's
    ``description``); an attribute not named is its own field.
    """
    for column in sa_inspect(model).columns:
        length = getattr(column.type, "length", None)
        if isinstance(column.type, String) and length is not None:
            event.listen(getattr(model, column.key), "set", _length_check(length, fields.get(column.key, column.key)),
                         retval=True)  # fmt: skip


def _length_check(length: int, field: str) -> Any:
    def check(_target: object, value: object, _old: object, _initiator: object) -> object:
        if isinstance(value, str) and len(value) > length:
            label = field.replace("_", " ")
            raise Invalid(f"the {label} is {len(value)} characters long; at most {length} are allowed", field=field)
        return value

    return check


refuse_over_long(AppRegistration)
refuse_over_long(AppCredential, display_name="description")
refuse_over_long(ServicePrincipal)
refuse_over_long(TrustedIssuer)
refuse_over_long(SecurityRole)
refuse_over_long(RolePrivilege, table_name="table")
refuse_over_long(ApplicationUser)
refuse_over_long(HRUser)
refuse_over_long(HRRole)
refuse_over_long(EntraAppLink)
