"""Setting up authorization: security roles, application users, HR users, HR roles and app links.

Every function runs in a tenant session and refuses with :class:`SecurityAdminError` (changing nothing)
when a name is unknown or taken. The built-in roles are created on first use in each tenant.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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
    RECRUITING_GRANTS,
    RECRUITING_ROLE_ID,
    RECRUITING_ROLE_NAME,
    SYSTEM_ADMINISTRATOR_ROLE_NAME,
    Depth,
    ats_integration_grants,
    hr_manager_grants,
    parse_privilege,
    system_administrator_grants,
)


class SecurityAdminError(ValueError):
    """A set-up step was refused; the message says why and ``status`` says how (HTTP-style: 400 invalid,
    404 not found, 409 already exists), so the admin API answers with the right status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


async def ensure_built_in_roles(session: AsyncSession) -> None:
    """The *ATS integration* and *System Administrator* security roles and the *Recruiting application*
    and *Human resource manager* HR roles (idempotent)."""
    for name, grants in ((ATS_ROLE_NAME, ats_integration_grants), (SYSTEM_ADMINISTRATOR_ROLE_NAME,
                                                                    system_administrator_grants)):  # fmt: skip
        if await session.scalar(select(SecurityRole).where(SecurityRole.name == name)) is not None:
            continue
        role = SecurityRole(name=name, built_in=True)
        session.add(role)
        await session.flush()
        session.add_all(
            RolePrivilege(role_id=role.id, table_name=g.table, privilege=g.privilege.value, depth=int(g.depth))
            for g in grants()
        )
    for role_id, role_name, hr_grants in ((RECRUITING_ROLE_ID, RECRUITING_ROLE_NAME, RECRUITING_GRANTS),
                                          (HR_MANAGER_ROLE_ID, HR_MANAGER_ROLE_NAME, hr_manager_grants())):  # fmt: skip
        if await session.scalar(select(HRRole).where(HRRole.role_id == role_id)) is None:
            session.add(HRRole(role_id=role_id, name=role_name, built_in=True, grants=hr_grants))
    await session.flush()


async def find_role(session: AsyncSession, name: str) -> SecurityRole:
    await ensure_built_in_roles(session)
    role = await session.scalar(select(SecurityRole).where(SecurityRole.name == name.strip()))
    if role is None:
        raise SecurityAdminError(f"no security role '{name}'", 404)
    return role


async def create_role(session: AsyncSession, name: str) -> SecurityRole:
    await ensure_built_in_roles(session)
    if not name.strip():
        raise SecurityAdminError("a security role needs a name")
    if await session.scalar(select(SecurityRole).where(SecurityRole.name == name.strip())) is not None:
        raise SecurityAdminError(f"a security role '{name}' already exists", 409)
    role = SecurityRole(name=name.strip())
    session.add(role)
    await session.flush()
    return role


async def grant(session: AsyncSession, role_name: str, table: str, privilege: str, depth: str) -> RolePrivilege:
    role = await find_role(session, role_name)
    if role.built_in:
        raise SecurityAdminError(f"'{role.name}' is built in; copy it into a role of your own to change it")
    try:
        parsed, level = parse_privilege(privilege), Depth.parse(depth)
    except ValueError as exc:  # an unknown privilege or access level is the caller's mistake, not ours
        raise SecurityAdminError(str(exc)) from None
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
        raise SecurityAdminError(f"an application user for client {client_id} already exists", 409)
    roles = [await find_role(session, r) for r in role_names]
    user = ApplicationUser(client_id=key, name=name or f"# {key}")
    session.add(user)
    await session.flush()
    session.add_all(ApplicationUserRole(user_id=user.id, role_id=role.id) for role in roles)
    await session.flush()
    return user


async def create_hr_user(session: AsyncSession, user_id: str, name: str, role_ids: list[str]) -> HRUser:
    await ensure_built_in_roles(session)
    if not user_id.strip():
        raise SecurityAdminError("an HR user needs a User ID")
    if await session.scalar(select(HRUser).where(HRUser.user_id == user_id.strip())) is not None:
        raise SecurityAdminError(f"an HR user '{user_id}' already exists", 409)
    roles = []
    for role_id in role_ids:
        role = await session.scalar(select(HRRole).where(HRRole.role_id == role_id.strip()))
        if role is None:
            raise SecurityAdminError(f"no HR role '{role_id}' (the built-in one is {RECRUITING_ROLE_ID})", 404)
        roles.append(role)
    user = HRUser(user_id=user_id.strip(), name=name.strip() or user_id.strip())
    session.add(user)
    await session.flush()
    session.add_all(HRUserRole(user_id=user.id, role_id=role.id) for role in roles)
    await session.flush()
    return user


async def set_hr_user_enabled(session: AsyncSession, user_id: str, enabled: bool) -> HRUser:
    user = await session.scalar(select(HRUser).where(HRUser.user_id == user_id.strip()))
    if user is None:
        raise SecurityAdminError(f"no HR user '{user_id}'", 404)
    user.enabled = enabled
    return user


async def create_entra_app_link(session: AsyncSession, client_id: str, name: str, user_id: str) -> EntraAppLink:
    key = client_id.strip().lower()
    user = await session.scalar(select(HRUser).where(HRUser.user_id == user_id.strip()))
    if user is None:
        raise SecurityAdminError(f"no HR user '{user_id}': create it first (hirehub hr-user create)", 404)
    if await session.scalar(select(EntraAppLink).where(EntraAppLink.client_id == key)) is not None:
        raise SecurityAdminError(f"client {client_id} is already linked", 409)
    link = EntraAppLink(client_id=key, name=name.strip() or key, hr_user_id=user.id)
    session.add(link)
    await session.flush()
    return link


async def add_trusted_issuer(session: AsyncSession, issuer: str, jwks_uri: str, audiences: list[str]) -> TrustedIssuer:
    if not issuer.startswith("https://") or not jwks_uri.startswith("https://"):
        raise SecurityAdminError("the issuer and the JWKS URL are https URLs")
    if not audiences:
        raise SecurityAdminError("name at least one audience the tokens are issued for")
    if await session.scalar(select(TrustedIssuer).where(TrustedIssuer.issuer == issuer)) is not None:
        raise SecurityAdminError(f"the issuer {issuer} is already trusted", 409)
    trusted = TrustedIssuer(issuer=issuer, jwks_uri=jwks_uri, audiences=audiences)
    session.add(trusted)
    await session.flush()
    return trusted


# --- reading and changing what was set up (the console's lists, and role changes after creation) -----------


async def list_application_users(session: AsyncSession) -> list[ApplicationUser]:
    return list(await session.scalars(select(ApplicationUser).order_by(ApplicationUser.name)))


async def find_application_user(session: AsyncSession, client_id: str) -> ApplicationUser:
    key = client_id.strip().lower()
    user = await session.scalar(select(ApplicationUser).where(ApplicationUser.client_id == key))
    if user is None:
        raise SecurityAdminError(f"no application user for client {client_id}", 404)
    return user


async def application_user_roles(session: AsyncSession, user: ApplicationUser) -> list[SecurityRole]:
    return list(
        await session.scalars(
            select(SecurityRole)
            .join(ApplicationUserRole, ApplicationUserRole.role_id == SecurityRole.id)
            .where(ApplicationUserRole.user_id == user.id)
            .order_by(SecurityRole.name)
        )
    )


async def grant_application_user_role(session: AsyncSession, client_id: str, role_name: str) -> ApplicationUser:
    """*Manage roles* of an application user: add one security role (refused if it holds it already)."""
    user = await find_application_user(session, client_id)
    role = await find_role(session, role_name)
    if role.id in {r.id for r in await application_user_roles(session, user)}:
        raise SecurityAdminError(f"the application user already has the role '{role.name}'", 409)
    session.add(ApplicationUserRole(user_id=user.id, role_id=role.id))
    await session.flush()
    return user


async def revoke_application_user_role(session: AsyncSession, client_id: str, role_name: str) -> ApplicationUser:
    user = await find_application_user(session, client_id)
    role = await find_role(session, role_name)
    held = await session.scalar(
        select(ApplicationUserRole).where(
            ApplicationUserRole.user_id == user.id, ApplicationUserRole.role_id == role.id
        )
    )
    if held is None:
        raise SecurityAdminError(f"the application user does not have the role '{role.name}'", 404)
    await session.delete(held)
    await session.flush()
    return user


async def list_hr_roles(session: AsyncSession) -> list[HRRole]:
    await ensure_built_in_roles(session)
    return list(await session.scalars(select(HRRole).order_by(HRRole.name)))


async def list_hr_users(session: AsyncSession) -> list[HRUser]:
    return list(await session.scalars(select(HRUser).order_by(HRUser.user_id)))


async def find_hr_user(session: AsyncSession, user_id: str) -> HRUser:
    user = await session.scalar(select(HRUser).where(HRUser.user_id == user_id.strip()))
    if user is None:
        raise SecurityAdminError(f"no HR user '{user_id}'", 404)
    return user


async def hr_user_roles(session: AsyncSession, user: HRUser) -> list[HRRole]:
    return list(
        await session.scalars(
            select(HRRole)
            .join(HRUserRole, HRUserRole.role_id == HRRole.id)
            .where(HRUserRole.user_id == user.id)
            .order_by(HRRole.name)
        )
    )


async def _find_hr_role(session: AsyncSession, role_id: str) -> HRRole:
    await ensure_built_in_roles(session)
    role = await session.scalar(select(HRRole).where(HRRole.role_id == role_id.strip()))
    if role is None:
        raise SecurityAdminError(f"no HR role '{role_id}' (the built-in one is {RECRUITING_ROLE_ID})", 404)
    return role


async def assign_hr_role(session: AsyncSession, user_id: str, role_id: str) -> HRUser:
    """*Assign roles* on the HR user's *User's roles* tab (refused if it holds the role already)."""
    user = await find_hr_user(session, user_id)
    role = await _find_hr_role(session, role_id)
    if role.id in {r.id for r in await hr_user_roles(session, user)}:
        raise SecurityAdminError(f"the HR user already has the role '{role.name}'", 409)
    session.add(HRUserRole(user_id=user.id, role_id=role.id))
    await session.flush()
    return user


async def remove_hr_role(session: AsyncSession, user_id: str, role_id: str) -> HRUser:
    user = await find_hr_user(session, user_id)
    role = await _find_hr_role(session, role_id)
    held = await session.scalar(select(HRUserRole).where(HRUserRole.user_id == user.id, HRUserRole.role_id == role.id))
    if held is None:
        raise SecurityAdminError(f"the HR user does not have the role '{role.name}'", 404)
    await session.delete(held)
    await session.flush()
    return user


async def list_entra_app_links(session: AsyncSession) -> list[tuple[EntraAppLink, HRUser]]:
    rows = await session.execute(
        select(EntraAppLink, HRUser).join(HRUser, HRUser.id == EntraAppLink.hr_user_id).order_by(EntraAppLink.name)
    )
    return [(link, user) for link, user in rows]


async def delete_entra_app_link(session: AsyncSession, client_id: str) -> EntraAppLink:
    """Remove a *Microsoft Entra applications* record: the app's calls stop resolving to an HR user at once."""
    key = client_id.strip().lower()
    link = await session.scalar(select(EntraAppLink).where(EntraAppLink.client_id == key))
    if link is None:
        raise SecurityAdminError(f"client {client_id} is not linked", 404)
    await session.delete(link)
    await session.flush()
    return link
