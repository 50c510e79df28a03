"""Setting up authorization: security roles, application users, HR users, HR roles and app links.

Every function runs in a tenant session and refuses, changing nothing, with :class:`SecurityAdminError` for input
that does not fit, :class:`~hirehub.errors.NotFound` for a name that is unknown and
:class:`~hirehub.errors.AlreadyExists` for one that is taken. The built-in roles are created on first use in each
tenant.
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import record_of
from hirehub.errors import AlreadyExists, Invalid, NotFound
from hirehub.hr.tables import SEED_TABLES, exposed_tables
from hirehub.outbound_policy import check_user_url
from hirehub.security.grants import check_grant
from hirehub.security.models import (
    ApplicationUser,
    ApplicationUserRole,
    EntraAppLink,
    HRRole,
    HRUser,
    HRUserRole,
    RolePrivilege,
    SecurityRole,
    TrustedIssuer,
)
from hirehub.security.privileges import (
    ATS_ROLE_NAME,
    HR_MANAGER_ROLE_ID,
    HR_MANAGER_ROLE_NAME,
    METADATA_TABLES,
    RECRUITING_GRANTS,
    RECRUITING_ROLE_ID,
    RECRUITING_ROLE_NAME,
    SYSTEM_ADMINISTRATOR_ROLE_NAME,
    ats_integration_grants,
    hr_manager_grants,
    system_administrator_grants,
)

R = TypeVar("R", SecurityRole, HRRole)
T = TypeVar("T")


class SecurityAdminError(Invalid):
    """A set-up request that does not fit: an empty name, an unknown privilege, a built-in role to change."""


async def ensure_built_in_roles(session: AsyncSession) -> None:
    """The *ATS integration* and *System Administrator* security roles and the *Recruiting application*
    and *Human resource manager* HR roles (idempotent)."""
    tables = [t.odata.logical_name for t in exposed_tables()]
    for name, grants in ((ATS_ROLE_NAME, ats_integration_grants(SEED_TABLES.values())),
                         (SYSTEM_ADMINISTRATOR_ROLE_NAME, system_administrator_grants(tables))):  # fmt: skip
        if await session.scalar(select(SecurityRole).where(SecurityRole.name == name)) is not None:
            continue
        role = SecurityRole(name=name, built_in=True)
        session.add(role)
        await session.flush()
        session.add_all(
            RolePrivilege(role_id=role.id, table_name=g.table, privilege=g.privilege.value, depth=int(g.depth))
            for g in grants
        )
    hr_roles = ((RECRUITING_ROLE_ID, RECRUITING_ROLE_NAME, RECRUITING_GRANTS),
                (HR_MANAGER_ROLE_ID, HR_MANAGER_ROLE_NAME, hr_manager_grants(tables)))  # fmt: skip
    for role_id, role_name, hr_grants in hr_roles:
        if await session.scalar(select(HRRole).where(HRRole.role_id == role_id)) is None:
            session.add(HRRole(role_id=role_id, name=role_name, built_in=True, grants=hr_grants))
    await session.flush()


async def _found(session: AsyncSession, statement: Select[T], missing: NotFound) -> T:
    """The one row ``statement`` selects, or the refusal ``missing``."""
    row = await session.scalar(statement)
    if row is None:
        raise missing
    return row


async def find_role(session: AsyncSession, name: str, *, field: str = "role") -> SecurityRole:
    """A security role by name; ``field`` names the input it came from, for the refusal."""
    await ensure_built_in_roles(session)
    statement = select(SecurityRole).where(SecurityRole.name == name.strip())
    return await _found(session, statement, NotFound(f"no security role '{name}'", field=field))


async def create_role(session: AsyncSession, name: str) -> SecurityRole:
    await ensure_built_in_roles(session)
    if not name.strip():
        raise SecurityAdminError("a security role needs a name", field="name")
    if await session.scalar(select(SecurityRole).where(SecurityRole.name == name.strip())) is not None:
        raise AlreadyExists(f"a security role '{name}' already exists", field="name")
    role = SecurityRole(name=name.strip())
    session.add(role)
    await session.flush()
    return role


def grantable_tables() -> frozenset[str]:
    """The tables a security role can grant privileges on: every table the Web API exposes, and the metadata ones."""
    return frozenset(t.odata.logical_name for t in exposed_tables()) | frozenset(METADATA_TABLES)


async def grant(session: AsyncSession, role_name: str, table: str, privilege: str, depth: str) -> RolePrivilege:
    role = await find_role(session, role_name)
    if role.built_in:
        raise SecurityAdminError(f"'{role.name}' is built in; copy it into a role of your own to change it",
                                 field="role")  # fmt: skip
    # an unknown table, privilege or level, or a grant that grants nothing, is the caller's mistake, not ours
    checked = check_grant(table, privilege, depth, tables=grantable_tables())
    parsed, level = checked.privilege, checked.depth
    existing = await session.scalar(
        select(RolePrivilege).where(
            RolePrivilege.role_id == role.id, RolePrivilege.table_name == table, RolePrivilege.privilege == parsed.value
        )
    )
    if existing is not None:
        existing.depth = int(level)
        return existing
    row = RolePrivilege(role_id=role.id, table_name=table, privilege=parsed.value, depth=int(level))
    session.add(row)
    await session.flush()
    return row


async def role_privileges(session: AsyncSession, role: SecurityRole) -> list[RolePrivilege]:
    return list(
        await session.scalars(
            select(RolePrivilege)
            .where(RolePrivilege.role_id == role.id)
            .order_by(RolePrivilege.table_name, RolePrivilege.privilege)
        )
    )


async def list_roles(session: AsyncSession) -> list[SecurityRole]:
    await ensure_built_in_roles(session)
    return list(await session.scalars(select(SecurityRole).order_by(SecurityRole.name)))


async def create_application_user(
    session: AsyncSession, client_id: str, role_names: list[str], name: str | None = None
) -> ApplicationUser:
    key = client_id.strip().lower()
    if await session.scalar(select(ApplicationUser).where(ApplicationUser.client_id == key)) is not None:
        raise AlreadyExists(f"an application user for client {client_id} already exists", field="client_id")
    roles = [await find_role(session, r, field="roles") for r in role_names]
    user = ApplicationUser(client_id=key, name=name or f"# {key}")
    session.add(user)
    await session.flush()
    session.add_all(ApplicationUserRole(user_id=user.id, role_id=role.id) for role in roles)
    await session.flush()
    return user


async def create_hr_user(session: AsyncSession, user_id: str, name: str, role_ids: list[str]) -> HRUser:
    await ensure_built_in_roles(session)
    if not user_id.strip():
        raise SecurityAdminError("an HR user needs a User ID", field="user_id")
    if await session.scalar(select(HRUser).where(HRUser.user_id == user_id.strip())) is not None:
        raise AlreadyExists(f"an HR user '{user_id}' already exists", field="user_id")
    roles = [await find_hr_role(session, role_id, field="roles") for role_id in role_ids]
    user = HRUser(user_id=user_id.strip(), name=name.strip() or user_id.strip())
    session.add(user)
    await session.flush()
    session.add_all(HRUserRole(user_id=user.id, role_id=role.id) for role in roles)
    await session.flush()
    return user


async def set_hr_user_enabled(session: AsyncSession, user_id: str, enabled: bool) -> HRUser:
    user = await find_hr_user(session, user_id)
    user.enabled = enabled
    return user


async def create_entra_app_link(session: AsyncSession, client_id: str, name: str, user_id: str) -> EntraAppLink:
    key = client_id.strip().lower()
    user = await find_hr_user(session, user_id)
    if await session.scalar(select(EntraAppLink).where(EntraAppLink.client_id == key)) is not None:
        raise AlreadyExists(f"client {client_id} is already linked", field="client_id")
    link = EntraAppLink(client_id=key, name=name.strip() or key, hr_user_id=user.id)
    session.add(link)
    await session.flush()
    return link


async def add_trusted_issuer(session: AsyncSession, issuer: str, jwks_uri: str, audiences: list[str]) -> TrustedIssuer:
    for field, url in (("issuer", issuer), ("jwks_uri", jwks_uri)):
        if not url.startswith("https://"):
            raise SecurityAdminError("the issuer and the JWKS URL are https URLs", field=field)
    await check_user_url(jwks_uri, field="jwks_uri")  # the hub fetches it for anyone naming the issuer
    if not audiences:
        raise SecurityAdminError("name at least one audience the tokens are issued for", field="audiences")
    if await session.scalar(select(TrustedIssuer).where(TrustedIssuer.issuer == issuer)) is not None:
        raise AlreadyExists(f"the issuer {issuer} is already trusted", field="issuer")
    trusted = TrustedIssuer(issuer=issuer, jwks_uri=jwks_uri, audiences=audiences)
    session.add(trusted)
    await session.flush()
    return trusted


async def list_trusted_issuers(session: AsyncSession) -> list[TrustedIssuer]:
    """The issuers this tenant trusts (another tenant's trust of the same issuer is its own, and not listed)."""
    return list(await session.scalars(select(TrustedIssuer).order_by(TrustedIssuer.issuer)))


async def delete_trusted_issuer(session: AsyncSession, trusted_id: str) -> TrustedIssuer:
    """Stop trusting an issuer: its tokens are refused here from the next call on (no other tenant changes)."""
    try:
        key = uuid.UUID(trusted_id.strip())
    except ValueError:
        raise SecurityAdminError(f"'{trusted_id}' is not a trusted issuer's id (a GUID)", field="id") from None
    statement = select(TrustedIssuer).where(TrustedIssuer.id == key)
    trusted = await _found(session, statement, NotFound(f"no trusted issuer with id {trusted_id}", field="id"))
    await session.delete(trusted)
    await session.flush()
    return trusted


# --- reading and changing what was set up (the console's lists, and role changes after creation) -----------


async def list_application_users(session: AsyncSession) -> list[ApplicationUser]:
    return list(await session.scalars(select(ApplicationUser).order_by(ApplicationUser.name)))


async def find_application_user(session: AsyncSession, client_id: str) -> ApplicationUser:
    statement = select(ApplicationUser).where(ApplicationUser.client_id == client_id.strip().lower())
    return await _found(session, statement, NotFound(f"no application user for client {client_id}", field="client_id"))


async def application_user_roles(session: AsyncSession, user: ApplicationUser) -> list[SecurityRole]:
    return await _roles_held(session, ApplicationUserRole, SecurityRole, user.id)


async def _roles_held(
    session: AsyncSession, holding: type[ApplicationUserRole | HRUserRole], role: type[R], user_id: uuid.UUID
) -> list[R]:
    """The roles a user holds, by name, in either layer."""
    held = select(role).join(holding, record_of(role, holding.role_id)).where(holding.user_id == user_id)
    return list(await session.scalars(held.order_by(role.name)))


async def set_application_user_role(
    session: AsyncSession, client_id: str, role_name: str, *, held: bool
) -> ApplicationUser:
    """*Manage roles* of an application user: give it one security role, or take one away (``held``); refused
    when it holds the role already, or does not hold the one to take away."""
    user = await find_application_user(session, client_id)
    role = await find_role(session, role_name)
    await _hold(session, ApplicationUserRole(user_id=user.id, role_id=role.id), role.name, add=held)
    return user


async def _hold(session: AsyncSession, holding: ApplicationUserRole | HRUserRole, role_name: str, *, add: bool) -> None:
    """Give a user a role it does not hold, or take away one it holds (either user table: the same rule)."""
    table = type(holding)
    held = await session.scalar(select(table).where(table.user_id == holding.user_id, table.role_id == holding.role_id))
    user = "application user" if isinstance(holding, ApplicationUserRole) else "HR user"
    field = "role" if isinstance(holding, ApplicationUserRole) else "role_id"
    if add and held is not None:
        raise AlreadyExists(f"the {user} already has the role '{role_name}'", field=field)
    if not add and held is None:
        raise NotFound(f"the {user} does not have the role '{role_name}'", field=field)
    if add:
        session.add(holding)
    else:
        await session.delete(held)
    await session.flush()


async def list_hr_roles(session: AsyncSession) -> list[HRRole]:
    await ensure_built_in_roles(session)
    return list(await session.scalars(select(HRRole).order_by(HRRole.name)))


async def list_hr_users(session: AsyncSession) -> list[HRUser]:
    return list(await session.scalars(select(HRUser).order_by(HRUser.user_id)))


async def find_hr_user(session: AsyncSession, user_id: str) -> HRUser:
    statement = select(HRUser).where(HRUser.user_id == user_id.strip())
    return await _found(session, statement, NotFound(f"no HR user '{user_id}'", field="user_id"))


async def hr_user_roles(session: AsyncSession, user: HRUser) -> list[HRRole]:
    return await _roles_held(session, HRUserRole, HRRole, user.id)


async def find_hr_role(session: AsyncSession, role_id: str, *, field: str = "role_id") -> HRRole:
    """An HR role by its role ID; ``field`` names the input it came from, for the refusal."""
    await ensure_built_in_roles(session)
    missing = NotFound(f"no HR role '{role_id}' (the built-in one is {RECRUITING_ROLE_ID})", field=field)
    return await _found(session, select(HRRole).where(HRRole.role_id == role_id.strip()), missing)


async def set_hr_role(session: AsyncSession, user_id: str, role_id: str, *, held: bool) -> HRUser:
    """*Assign roles* (``held``) or *Remove roles* on the HR user's *User's roles* tab, refused as
    :func:`set_application_user_role` is."""
    user = await find_hr_user(session, user_id)
    role = await find_hr_role(session, role_id)
    await _hold(session, HRUserRole(user_id=user.id, role_id=role.id), role.name, add=held)
    return user


async def list_entra_app_links(session: AsyncSession) -> list[tuple[EntraAppLink, HRUser]]:
    rows = await session.execute(
        select(EntraAppLink, HRUser)
        .join(HRUser, record_of(HRUser, EntraAppLink.hr_user_id))
        .order_by(EntraAppLink.name)
    )
    return [(link, user) for link, user in rows]


async def delete_entra_app_link(session: AsyncSession, client_id: str) -> EntraAppLink:
    """Remove a *Microsoft Entra applications* record: the app's calls stop resolving to an HR user at once."""
    statement = select(EntraAppLink).where(EntraAppLink.client_id == client_id.strip().lower())
    link = await _found(session, statement, NotFound(f"client {client_id} is not linked", field="client_id"))
    await session.delete(link)
    await session.flush()
    return link
