"""The demo tenant that ``make run`` starts with: safe to seed again, it only adds what is missing.

A service like any other: it is handed the database to seed, and says when each of its steps is done through
``step_done`` so that whoever calls it (``hirehub demo seed``) can show progress its own way.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hirehub import accounts
from hirehub.db import clock_offset
from hirehub.db.session import Database
from hirehub.directories.entra.permissions import required_permissions
from hirehub.errors import Forbidden, Invalid
from hirehub.settings import Environment, Settings
from hirehub.tenancy import service
from hirehub.tenancy.models import Company, Tenant

# The demo is for trying the hub on a laptop; these are printed by `hirehub demo seed` and in the README.
DEMO_ADMIN_EMAIL = "admin@contoso.example"
DEMO_ADMIN_PASSWORD = "demo-password-change-me"
SEED_STEPS = 2
"""How many times :func:`seed_demo` calls ``step_done``."""


def _nothing() -> None:
    return None


async def seed_demo(database: Database, *, domain: str, step_done: Callable[[], None] = _nothing) -> dict[str, Any]:
    """Create the demo tenant ``domain`` with a company and a console administrator, or add what it lacks."""
    async with database.system_transaction() as session:
        tenant = await session.scalar(select(Tenant).where(Tenant.domain == domain))
        created = tenant is None
        if tenant is None:
            tenant = await service.create_tenant(
                session, name="Contoso (demo)", domain=domain, time_zone="Europe/Berlin"
            )
    step_done()
    async with database.tenant_transaction(tenant.id) as session:
        if not await session.scalar(select(Company.id).where(Company.code == "USMF")):
            await service.create_company(session, code="USMF", name="Contoso USA")
        if not await accounts.email_taken(session, DEMO_ADMIN_EMAIL):
            await accounts.create_admin(
                session, email=DEMO_ADMIN_EMAIL, display_name="Demo Administrator", password=DEMO_ADMIN_PASSWORD
            )
    step_done()
    return {
        "tenant_id": str(tenant.id),
        "domain": domain,
        "created": created,
        "console": {"url": "/console/", "email": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD},
    }


def _development_only(settings: Settings) -> None:
    if settings.env is not Environment.DEVELOPMENT:
        raise Forbidden(
            "time travel is for development mode only (HIREHUB_ENV=development, as `make run` sets it); "
            "a production hub always runs on the wall clock"
        )
    if settings.database_url:
        raise Forbidden(
            "time travel is for the embedded development database (make run); a hub on HIREHUB_DATABASE_URL "
            "always runs on the wall clock"
        )


def time_travel_allowed(settings: Settings) -> bool:
    """Whether this hub's clock can be moved: development mode on the embedded database."""
    return settings.env is Environment.DEVELOPMENT and not settings.database_url


def clock_state(settings: Settings, *, wall: datetime | None = None) -> dict[str, Any]:
    """The development clock: how far it is shifted and what time the hub's processes read (``wall``: the real
    time, for tests)."""
    _development_only(settings)
    offset = clock_offset.read_offset(clock_offset.offset_file(settings.data_dir))
    now = (wall or datetime.now(UTC)) + offset
    return {
        "offset_seconds": offset.total_seconds(),
        "offset_days": round(offset / timedelta(days=1), 6),
        "now": now.isoformat(),
        "today": now.date().isoformat(),
    }


def advance_clock(settings: Settings, *, by: timedelta, wall: datetime | None = None) -> dict[str, Any]:
    """Move every process of the development group forward by ``by``: the API, the job runners (which then run
    the jobs that became due, such as a start or a last day) and the commands all read the shifted clock."""
    _development_only(settings)
    if by <= timedelta(0):
        raise Invalid("the clock only moves forward: give a positive number of days or hours", field="days")
    path = clock_offset.offset_file(settings.data_dir)
    clock_offset.write_offset(path, clock_offset.read_offset(path) + by)
    return clock_state(settings, wall=wall)


def reset_clock(settings: Settings, *, wall: datetime | None = None) -> dict[str, Any]:
    """Back to the wall clock. Jobs already run under the shifted clock stay run."""
    _development_only(settings)
    clock_offset.offset_file(settings.data_dir).unlink(missing_ok=True)
    return clock_state(settings, wall=wall)


SANDBOX_IDENTITY_FILE = Path("sandbox") / "identity.json"
"""Under the data directory: the sandbox identity ``hirehub demo run`` keeps from one start to the next."""


def sandbox_identity_file(data_dir: Path) -> Path:
    return data_dir / SANDBOX_IDENTITY_FILE


@dataclass(frozen=True)
class SandboxIdentity:
    """What stays the same across starts: the sandbox directory, the hub's app registration in it, its
    administrator, and the LinkedIn partner application."""

    tenant_id: str
    default_domain: str
    client_id: str
    client_secret: str
    admin: str
    admin_password: str
    linkedin_client_id: str
    linkedin_client_secret: str
    certificates: tuple[str, ...] = ()
    """PEM certificates the hub's app registration trusts (a customer-owned connection's), added by whoever seeds
    the connection, before the group starts the sandbox."""
    directory_roles: tuple[str, ...] = ()
    """Directory role template ids assigned to the hub's app (Exchange Online's mailbox conversion needs one)."""

    @classmethod
    def _read(cls, path: Path) -> SandboxIdentity:
        kept = json.loads(path.read_text(encoding="utf-8"))
        for listed in ("certificates", "directory_roles"):
            kept[listed] = tuple(kept.get(listed, ()))
        return cls(**kept)

    def save(self, path: Path) -> None:
        """Keep the identity in ``path`` (readable by its owner only: it holds secrets)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        path.chmod(0o600)

    @classmethod
    def load(cls, path: Path) -> SandboxIdentity | None:
        """The identity kept in ``path``; None before the first ``hirehub demo run``."""
        return cls._read(path) if path.exists() else None

    @classmethod
    def load_or_create(cls, path: Path) -> SandboxIdentity:
        """The identity kept in ``path``, or a new one (random ids and secrets) kept there from now on."""
        if path.exists():
            return cls._read(path)
        domain = "contoso.onmicrosoft.com"
        identity = cls(
            tenant_id=str(uuid.uuid4()),
            default_domain=domain,
            client_id=str(uuid.uuid4()),
            client_secret=secrets.token_urlsafe(24),
            admin=f"admin@{domain}",
            admin_password=secrets.token_urlsafe(12),
            linkedin_client_id=secrets.token_hex(7),
            linkedin_client_secret=secrets.token_urlsafe(12),
        )
        identity.save(path)
        return identity

    def entra_world(self, *, redirect_uri: str) -> dict[str, Any]:
        """The Entra sandbox's scenario (``--world``): the hub's multi-tenant app with its secret, the redirect URI
        of *Link account*, and every permission the hub's connection asks for; the administrator; a group."""
        permissions: dict[str, list[str]] = {}
        for permission in required_permissions(exchange_enabled=True):
            permissions.setdefault(permission.resource_app_id, []).append(permission.name)
        return {
            "directories": [
                {
                    "tenant_id": self.tenant_id,
                    "default_domain": self.default_domain,
                    "applications": [
                        {
                            "app_id": self.client_id,
                            "display_name": "hirehub",
                            "multi_tenant": True,
                            "redirect_uris": [redirect_uri],
                            "secrets": [self.client_secret],
                            "certificates": list(self.certificates),
                            "permissions": permissions,
                            "directory_roles": list(self.directory_roles),
                        }
                    ],
                    "groups": ["All staff"],
                    "people": [{"user_principal_name": self.admin, "password": self.admin_password}],
                }
            ]
        }
