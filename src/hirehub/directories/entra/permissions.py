"""What a connection needs in the customer's directory, and the verdict of *Test connection*.

Hire2Retire's Entra ID connection guide lists the application permissions and directory roles a customer-owned
application must hold; *Test connection* reads what the app's service principal actually holds and names each one
missing, so the administrator knows exactly which button in the Entra portal to press. The ids are Microsoft's public,
fixed identifiers of those permissions and role templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000"


@dataclass(frozen=True)
class AppPermission:
    """An application permission (an app role of a Microsoft API)."""

    name: str
    app_role_id: str
    resource_app_id: str
    why: str


@dataclass(frozen=True)
class DirectoryRole:
    """A directory role the app's service principal must be assigned."""

    name: str
    template_id: str
    why: str


USER_READWRITE_ALL = AppPermission(
    "User.ReadWrite.All", "741f803b-c850-494e-b5df-cde7c675a1ca", GRAPH_APP_ID, "create and update users"
)
GROUP_READWRITE_ALL = AppPermission(
    "Group.ReadWrite.All", "62a82d76-70ea-41e2-9197-370581804d09", GRAPH_APP_ID, "manage group memberships"
)
DIRECTORY_READWRITE_ALL = AppPermission(
    "Directory.ReadWrite.All", "19dbc75e-c2e2-444c-a770-ec69d8559fc7", GRAPH_APP_ID, "reset passwords"
)
USER_ENABLE_DISABLE_ALL = AppPermission(
    "User.EnableDisableAccount.All",
    "3011c876-62b7-4ada-afa2-506cbbecc68c",
    GRAPH_APP_ID,
    "enable and disable accounts",
)
EXCHANGE_MANAGE_AS_APP = AppPermission(
    "Exchange.ManageAsApp",
    "dc50a0fb-09a3-484d-be87-e023b12c6440",
    EXCHANGE_APP_ID,
    "convert leavers' mailboxes and set automatic replies",
)
USER_ADMINISTRATOR = DirectoryRole(
    "User Administrator",
    "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "required with User.EnableDisableAccount.All",
)
EXCHANGE_ADMINISTRATOR = DirectoryRole(
    "Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de", "required with Exchange.ManageAsApp"
)

DELEGATED_SCOPES = (
    "User.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.AccessAsUser.All",
    "offline_access",
)


def required_permissions(exchange_enabled: bool) -> tuple[AppPermission, ...]:
    base = (USER_READWRITE_ALL, GROUP_READWRITE_ALL, DIRECTORY_READWRITE_ALL, USER_ENABLE_DISABLE_ALL)
    return (*base, EXCHANGE_MANAGE_AS_APP) if exchange_enabled else base


def required_roles(exchange_enabled: bool) -> tuple[DirectoryRole, ...]:
    return (USER_ADMINISTRATOR, EXCHANGE_ADMINISTRATOR) if exchange_enabled else (USER_ADMINISTRATOR,)


@dataclass(frozen=True)
class Problem:
    """One reason a connection does not work: a stable ``code``, what is wrong, and what the administrator does."""

    code: str
    message: str
    next_step: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "next_step": self.next_step}


def _where_to_grant(permission: AppPermission) -> str:
    api = "Microsoft Graph" if permission.resource_app_id == GRAPH_APP_ID else "Office 365 Exchange Online"
    return (
        f"In the Entra admin center open the app registration, API permissions > Add a permission > {api} > "
        f"Application permissions, add {permission.name}, grant admin consent, then press Test connection again."
    )


def missing_permission_problem(permission: AppPermission) -> Problem:
    return Problem(
        "missing_permission",
        f"Missing application permission {permission.name} (needed to {permission.why})",
        _where_to_grant(permission),
    )


def missing_role_problem(role: DirectoryRole) -> Problem:
    return Problem(
        "missing_role",
        f"Missing directory role {role.name} ({role.why})",
        f"In the Entra admin center open Roles and administrators > {role.name} > Add assignments and choose the "
        "application, then press Test connection again.",
    )


@dataclass(frozen=True)
class ConnectionCheck:
    """The verdict of *Test connection*: what is missing or failed, in words an administrator can act on."""

    token_ok: bool
    missing_permissions: tuple[AppPermission, ...] = ()
    missing_roles: tuple[DirectoryRole, ...] = ()
    failures: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def problems(self) -> list[Problem]:
        """Every problem, the failures first (they usually explain the rest)."""
        return [
            *self.failures,
            *(missing_permission_problem(p) for p in self.missing_permissions),
            *(missing_role_problem(r) for r in self.missing_roles),
        ]

    @property
    def ok(self) -> bool:
        return self.token_ok and not self.problems

    @property
    def error(self) -> str | None:
        """The first failure's message (what stopped the check), if any."""
        return self.failures[0].message if self.failures else None

    def messages(self) -> list[str]:
        return [p.message for p in self.problems]

    def as_json(self) -> dict[str, object]:
        """What is stored as the connection's ``last_test``: ``ok`` and ``problems`` (``code``, ``message``,
        ``next_step``), with the flat lists the console has always shown."""
        return {
            "ok": self.ok,
            "problems": [p.as_json() for p in self.problems],
            "token_ok": self.token_ok,
            "missing_permissions": [p.name for p in self.missing_permissions],
            "missing_roles": [r.name for r in self.missing_roles],
            "messages": self.messages(),
        }


def judge(
    *,
    exchange_enabled: bool,
    granted_app_role_ids: Iterable[str],
    assigned_role_template_ids: Iterable[str],
) -> ConnectionCheck:
    """Compare what the service principal holds with what the connection needs."""
    granted = {value.lower() for value in granted_app_role_ids}
    assigned = {value.lower() for value in assigned_role_template_ids}
    return ConnectionCheck(
        token_ok=True,
        missing_permissions=tuple(
            p for p in required_permissions(exchange_enabled) if p.app_role_id.lower() not in granted
        ),
        missing_roles=tuple(r for r in required_roles(exchange_enabled) if r.template_id.lower() not in assigned),
    )
