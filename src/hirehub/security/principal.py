"""Who is calling: a bearer token resolved to one principal — tenant, application, HR user, privileges.

Tokens are the hub's own (issuer ``<base>/<tenant>/v2.0``, keys from the key ring) or come from an
external Entra ID tenant that a hub tenant trusts (:mod:`hirehub.security.external`). A trusted issuer
belongs to the tenant that registered it and is looked up only there: an external token is accepted only
on a URL that addresses its tenant (:mod:`hirehub.security.addressing`), so another tenant that registers
the same issuer and audience changes nothing for the first, whichever registered first. Either way the
call then needs both layers: an enabled *application user* with security roles (layer one) and a
*Microsoft Entra applications* link to an enabled HR user with HR roles (layer two). A missing step
is refused with a message that names it.

Resolved principals are cached for a few seconds per (tenant, client): validating the signature is
cheap, looking up roles on every request is not. A change of roles takes effect within that time.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
from sqlalchemy import select

from hirehub.db.session import Database
from hirehub.errors import Forbidden, Unauthenticated
from hirehub.security import models
from hirehub.security.external import ExternalKeys, KeysUnavailable
from hirehub.security.keys import CLOCK_SKEW, KeyRing
from hirehub.security.oauth import issuer_for
from hirehub.security.privileges import Depth, Grant, HRPrivileges, PlatformPrivileges, Privilege
from hirehub.tenancy.service import TenantNotFound, find_tenant

PRINCIPAL_TTL_SECONDS = 5.0
VALIDATED_TOKENS_KEPT = 10_000


class NotAuthenticated(Unauthenticated):
    """No valid bearer token; ``challenge`` (``WWW-Authenticate``) tells a client where to get one."""

    def __init__(self, message: str, *, challenge: str) -> None:
        super().__init__(message)
        self.challenge = challenge


class NotAMember(Forbidden):
    """The token is valid but its application has no enabled application user in the tenant (layer one)."""


class HRSetupMissing(Forbidden):
    """The application is not linked to an enabled HR user (layer two)."""


class MissingPrivilege(Forbidden):
    """A layer does not grant ``privilege`` on ``table``; the message names which and how to grant it."""

    def __init__(self, message: str, *, table: str, privilege: Privilege) -> None:
        super().__init__(message)
        self.table = table
        self.privilege = privilege


@dataclass(frozen=True)
class HRRoleOffer:
    """An HR role of the tenant that the caller's HR user does not hold: what a refusal can suggest assigning."""

    role_id: str
    name: str
    grants: HRPrivileges
    built_in: bool


@dataclass(frozen=True)
class Principal:
    tenant_id: uuid.UUID
    client_id: str
    application_user_id: uuid.UUID
    hr_user_id: str
    platform: PlatformPrivileges
    hr: HRPrivileges
    role_count: int
    other_hr_roles: tuple[HRRoleOffer, ...] = ()

    def _granting(self, table: str, privilege: Privilege) -> str:
        """Which HR role to assign for ``privilege`` on ``table``: one of the tenant's that grants it, the
        narrowest first (built-in roles before custom ones of the same size), or how to make one."""
        offers = sorted(
            (o for o in self.other_hr_roles if o.grants.allows(table, privilege)),
            key=lambda o: (not o.built_in, sum(len(p) for p in o.grants.grants.values()), o.name),
        )
        if not offers:
            return (
                f"No HR role of this organisation grants it: add {privilege.value} on '{table}' to an HR role and "
                "assign that role to the HR user."
            )
        return f"Assign it a role that grants it, such as {offers[0].name} ({offers[0].role_id})."

    def require(self, table: str, privilege: Privilege) -> None:
        """Both layers must allow ``privilege`` on ``table``; otherwise a 403 that names what is missing."""
        if not self.platform.allows(table, privilege):
            raise MissingPrivilege(
                f"Principal user (Id={self.application_user_id}, type=8, roleCount={self.role_count}) is missing "
                f"prv{privilege.value}{table} privilege (access level Organization) on entity '{table}'. Give the "
                "application user a security role that grants it.", table=table, privilege=privilege,
            )  # fmt: skip
        if not self.hr.allows(table, privilege):
            raise MissingPrivilege(
                f"The HR user '{self.hr_user_id}' linked to application {self.client_id} has no HR role that grants "
                f"{privilege.value} on '{table}'. {self._granting(table, privilege)}", table=table,
                privilege=privilege,
            )  # fmt: skip


def unauthenticated(message: str, base_url: str) -> NotAuthenticated:
    challenge = f'Bearer authorization_uri="{base_url}/common/oauth2/authorize", resource_id="{base_url}/"'
    return NotAuthenticated(message, challenge=challenge)


class PrincipalResolver:
    """Validates bearer tokens and resolves them to principals."""

    def __init__(self, database: Database, keys: KeyRing, external: ExternalKeys, base_url: str) -> None:
        self.database = database
        self.keys = keys
        self.external = external
        self.base_url = base_url.rstrip("/")
        self._cache: dict[tuple[uuid.UUID, str], tuple[float, Principal]] = {}
        self._resolving: dict[tuple[uuid.UUID, str], asyncio.Future[Principal]] = {}
        self._generation = 0
        # A token whose signature, audience and issuer were checked stays valid until it expires; a
        # client sends the same token for an hour, so checking it once saves an RSA verification per call.
        # The check depends on the tenant the URL addresses, so that is part of the key.
        self._validated: dict[tuple[str, str | None], tuple[uuid.UUID, str, float]] = {}

    async def from_authorization(
        self, authorization: str | None, now: datetime, *, addressed: str | None = None
    ) -> Principal:
        """The caller of a request bearing ``authorization``, on a URL that addresses the tenant ``addressed``
        (GUID or domain; None for the hub's unaddressed URLs)."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise unauthenticated("A bearer access token is required (Authorization: Bearer <token>).", self.base_url)
        token = authorization[7:].strip()
        known = self._validated.get((token, addressed))
        if known is not None and known[2] > now.timestamp():
            tenant_id, client_id = known[0], known[1]
        else:
            tenant_id, client_id, expires = await self._checked(token, now, addressed)
            if len(self._validated) >= VALIDATED_TOKENS_KEPT:
                self._validated.clear()
            self._validated[(token, addressed)] = (tenant_id, client_id, expires)
        return await self.principal(tenant_id, client_id)

    async def validate(self, token: str, now: datetime, *, addressed: str | None = None) -> tuple[uuid.UUID, str]:
        """Check the token's signature, lifetime, audience and issuer; return (tenant, client ID)."""
        tenant_id, client_id, _expires = await self._checked(token, now, addressed)
        return tenant_id, client_id

    async def _checked(self, token: str, now: datetime, addressed: str | None) -> tuple[uuid.UUID, str, float]:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise unauthenticated("The access token is malformed.", self.base_url) from None
        if header.get("alg") != "RS256":
            raise unauthenticated(f"Tokens signed with '{header.get('alg')}' are not accepted.", self.base_url)
        issuer = str(unverified.get("iss", ""))
        tenant_id, key, audiences = await self._key_for(
            issuer, unverified, str(header.get("kid", "")), now, addressed=addressed
        )
        try:
            claims = jwt.decode(
                token, key, algorithms=["RS256"], audience=audiences, issuer=issuer,
                leeway=CLOCK_SKEW.total_seconds(), options={"require": ["exp", "iat", "aud", "iss"]},
            )  # fmt: skip
        except jwt.ExpiredSignatureError:
            raise unauthenticated("The access token has expired.", self.base_url) from None
        except jwt.InvalidAudienceError:
            raise unauthenticated(
                f"The access token is not for this resource ({self.base_url}).", self.base_url
            ) from None
        except jwt.PyJWTError as exc:
            raise unauthenticated(f"The access token is not valid: {exc}.", self.base_url) from None
        client_id = claims.get("azp") or claims.get("appid")
        if not client_id:
            raise unauthenticated("The access token names no application (azp).", self.base_url)
        return tenant_id, str(client_id), float(claims["exp"])

    async def _key_for(
        self, issuer: str, claims: dict[str, Any], kid: str, now: datetime, *, addressed: str | None
    ) -> tuple[uuid.UUID, Any, list[str]]:
        own_audiences = [self.base_url, self.base_url + "/"]
        addressed_id = await self._addressed_tenant(addressed)
        try:
            tenant_id = uuid.UUID(str(claims.get("tid")))
        except ValueError:
            raise unauthenticated("The access token names no tenant (tid).", self.base_url) from None
        if issuer == issuer_for(self.base_url, tenant_id):
            if addressed_id is not None and addressed_id != tenant_id:
                raise unauthenticated(
                    f"The access token is for another organisation than the one this URL addresses ({addressed}).",
                    self.base_url,
                )  # fmt: skip
            key = await self.keys.public_key(kid, now)
            if key is None:
                raise unauthenticated(f"The access token's signing key '{kid}' is not known.", self.base_url)
            return tenant_id, key, own_audiences
        if addressed_id is None:
            raise unauthenticated(
                f"Tokens from the issuer '{issuer}' are not trusted at this address: an external issuer is trusted "
                f"only at the address of the organisation that trusts it, {self.base_url}/<tenant ID or "
                "domain>/api/data/v9.2/.", self.base_url,
            )  # fmt: skip
        async with self.database.tenant_session(addressed_id) as session:  # that tenant's trust, no other's
            trusted = await session.scalar(select(models.TrustedIssuer).where(models.TrustedIssuer.issuer == issuer))
        if trusted is None:
            raise unauthenticated(f"Tokens from the issuer '{issuer}' are not trusted here.", self.base_url)
        audience = claims.get("aud")
        if not set(audience if isinstance(audience, list) else [audience]) & set(trusted.audiences):
            raise unauthenticated(f"The access token is not for this resource ({audience}).", self.base_url)
        try:
            key = await self.external.key(trusted.jwks_uri, kid)
        except KeysUnavailable as exc:
            reason = f"The signing keys of the issuer '{issuer}' cannot be had: {exc}."
            raise unauthenticated(reason, self.base_url) from None
        if key is None:
            raise unauthenticated(f"The access token's signing key '{kid}' is not known.", self.base_url)
        return addressed_id, key, list(trusted.audiences)

    async def _addressed_tenant(self, addressed: str | None) -> uuid.UUID | None:
        """The GUID of the tenant the URL addresses (by GUID or domain); an unknown one is refused."""
        if addressed is None:
            return None
        async with self.database.system_session() as session:
            try:
                return (await find_tenant(session, addressed)).id
            except TenantNotFound:
                raise unauthenticated(f"No organisation '{addressed}' is served here.", self.base_url) from None

    async def principal(self, tenant_id: uuid.UUID, client_id: str) -> Principal:
        """The client's principal in the tenant, cached for :data:`PRINCIPAL_TTL_SECONDS`. When it expires, the
        requests that find it expired together share one look-up (a client's parallel requests all carry the same
        token), instead of each reading the user, its roles and links again at the same moment."""
        key = (tenant_id, client_id)
        cached = self._cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < PRINCIPAL_TTL_SECONDS:
            return cached[1]
        pending = self._resolving.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._resolve_and_keep(key, self._generation))
            self._resolving[key] = pending
        return await asyncio.shield(pending)

    async def _resolve_and_keep(self, key: tuple[uuid.UUID, str], generation: int) -> Principal:
        try:
            principal = await self._resolve(*key)
            if generation == self._generation:  # forget() since it started: the answer may be stale, keep none
                self._cache[key] = (time.monotonic(), principal)
            return principal
        finally:
            if self._resolving.get(key) is not None and generation == self._generation:
                self._resolving.pop(key, None)

    def forget(self) -> None:
        """Drop cached principals (after a change of roles, users or links made in this process); look-ups already
        under way are not shared with requests that come after."""
        self._cache.clear()
        self._resolving.clear()
        self._generation += 1

    async def _resolve(self, tenant_id: uuid.UUID, client_id: str) -> Principal:
        async with self.database.tenant_session(tenant_id) as session:
            app_user = await session.scalar(
                select(models.ApplicationUser).where(models.ApplicationUser.client_id == client_id.lower())
            )
            if app_user is None or not app_user.enabled:
                state = "is disabled" if app_user else "does not exist"
                raise NotAMember(
                    f"The user is not a member of the organization: the application user for client {client_id} "
                    f"{state}. Create an application user for the app (Power Platform admin center > Settings > "
                    "Application users) and assign it a security role.",
                )  # fmt: skip
            role_ids = list(
                await session.scalars(
                    select(models.ApplicationUserRole.role_id).where(models.ApplicationUserRole.user_id == app_user.id)
                )
            )
            granted = select(models.RolePrivilege).where(models.RolePrivilege.role_id.in_(role_ids))
            privileges = list(await session.scalars(granted))
            linked = select(models.EntraAppLink).where(models.EntraAppLink.client_id == client_id.lower())
            link = await session.scalar(linked)
            if link is None:
                raise HRSetupMissing(
                    f"The application {client_id} is not linked to an HR user. In Human Resources, open System "
                    "administration > Microsoft Entra applications and add its Client ID with a Name and the User "
                    "ID of an HR user.",
                )  # fmt: skip
            hr_user = await session.get(models.HRUser, link.hr_user_id)
            if hr_user is None or not hr_user.enabled:
                raise HRSetupMissing(
                    f"The application {client_id} is linked to the HR user "
                    f"'{hr_user.user_id if hr_user else link.hr_user_id}', which is disabled. Enable the user or "
                    "link the application to another one.",
                )  # fmt: skip
            held = set(
                await session.scalars(select(models.HRUserRole.role_id).where(models.HRUserRole.user_id == hr_user.id))
            )
            every_hr_role = list(await session.scalars(select(models.HRRole)))
        hr_roles = [role for role in every_hr_role if role.id in held]
        others = tuple(
            HRRoleOffer(role.role_id, role.name, HRPrivileges.combine([role.grants]), role.built_in)
            for role in every_hr_role
            if role.id not in held
        )
        return Principal(
            tenant_id=tenant_id,
            client_id=client_id,
            application_user_id=app_user.id,
            hr_user_id=hr_user.user_id,
            platform=PlatformPrivileges.combine(
                Grant(p.table_name, Privilege(p.privilege), Depth(p.depth)) for p in privileges
            ),
            hr=HRPrivileges.combine(role.grants for role in hr_roles),
            role_count=len(role_ids),
            other_hr_roles=others,
        )
