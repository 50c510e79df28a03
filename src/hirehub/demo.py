"""The demo tenant that ``make run`` starts with: safe to seed again, it only adds what is missing.

A service like any other: it is handed the database to seed, and says when each of its steps is done through
``step_done`` so that whoever calls it (``hirehub demo seed``) can show progress its own way.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub import accounts
from hirehub.db import clock_offset
from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.directories.entra.connections import create_connection
from hirehub.directories.entra.models import EntraConnection
from hirehub.directories.entra.permissions import EXCHANGE_ADMINISTRATOR, USER_ADMINISTRATOR, required_permissions
from hirehub.directories.entra.runtime import connection_sealer
from hirehub.errors import Forbidden, Invalid
from hirehub.hr import organisation
from hirehub.hr import services as hr_services
from hirehub.hr.candidates import list_candidates
from hirehub.hr.models import CandidateToHire, LinkedInExportedCandidate
from hirehub.lifecycle.policy import LeaverOptions, policy_to_json, starter_policy
from hirehub.linkedin.apps import get_partner
from hirehub.linkedin.operations import partner_set
from hirehub.linkedin.runtime import linkedin_runtime
from hirehub.provisioning.models import ProvisioningPolicy
from hirehub.provisioning.policies import set_policy
from hirehub.security import admin as security_admin
from hirehub.security import apps
from hirehub.security.models import AppRegistration
from hirehub.security.privileges import ATS_ROLE_NAME, RECRUITING_ROLE_ID
from hirehub.settings import Environment, Settings
from hirehub.tenancy import service
from hirehub.tenancy.models import Company, Tenant

# The demo is for trying the hub on a laptop; these are printed by `hirehub demo seed` and in the README.
DEMO_ADMIN_EMAIL = "admin@contoso.example"
DEMO_ADMIN_PASSWORD = "demo-password-change-me"
SEED_STEPS = 4
"""How many times :func:`seed_demo` calls ``step_done`` (twice without a sandbox identity)."""
DEMO_ATS_APP_FILE = Path("demo") / "ats-app.json"
"""Under the data directory: the demo ATS app's client ID and secret (a secret is shown once, then only hashed)."""
DEMO_DIRECTORY_ROLES = (USER_ADMINISTRATOR.template_id, EXCHANGE_ADMINISTRATOR.template_id)
"""The directory roles the demo connection's app holds in the sandbox (enabling accounts, converting mailboxes)."""


def _nothing() -> None:
    return None


ACTOR = "demo seed"
DEPARTMENTS = (("D100", "Sales"), ("D200", "Engineering"), ("D300", "People"))
TITLES = ("Sales Manager", "Account Executive", "Software Engineer", "Engineering Manager", "HR Partner")
JOBS = (
    ("SALES-MGR", "Sales manager", "Sales Manager"),
    ("SALES-AE", "Account executive", "Account Executive"),
    ("ENG-MGR", "Engineering manager", "Engineering Manager"),
    ("ENG-SWE", "Software engineer", "Software Engineer"),
    ("HR-PARTNER", "HR business partner", "HR Partner"),
)
POSITIONS = (
    # position id, job, department, reports to, seats
    ("SALES-1", "SALES-MGR", "D100", None, 1),
    ("SALES-2", "SALES-AE", "D100", "SALES-1", 3),
    ("ENG-1", "ENG-MGR", "D200", None, 1),
    ("ENG-2", "ENG-SWE", "D200", "ENG-1", 5),
    ("HR-1", "HR-PARTNER", "D300", None, 1),
)
REASONS = (("RESIGN", "Resignation"), ("RETIRE", "Retirement"), ("END-CONTRACT", "End of contract"))
CANDIDATES = (("Grace", "Hopper"), ("Alan", "Turing"), ("Katherine", "Johnson"))
LINKEDIN_CANDIDATE = ("Ada", "Lovelace", "Account Executive")
LINKEDIN_CANDIDATE_URN = "urn:li:ts_hire_candidate:demo-ada-lovelace"
DEMO_CONNECTION_NAME = "Sandbox directory"
"""The demo tenant's Entra connection (``demo run`` tests it once the sandbox answers)."""
ATS_APP_NAME = "Demo ATS"
ATS_HR_USER = "demo-ats"


async def _seed_organisation(session: AsyncSession) -> None:
    """Departments, titles, jobs, positions (with whom they report to) and termination reasons, each once."""
    have = {department.department_number for department in await organisation.list_departments(session)}
    for number, name in DEPARTMENTS:
        if number not in have:
            await organisation.create_department(session, name=name, number=number, actor=ACTOR)
    have = {title.title_id for title in await organisation.list_titles(session)}
    for title in TITLES:
        if title not in have:
            await organisation.create_title(session, name=title, actor=ACTOR)
    have = {job.job_id for job in await organisation.list_jobs(session)}
    for job_id, description, title in JOBS:
        if job_id not in have:
            await organisation.create_job(session, name=job_id, description=description, title=title, actor=ACTOR)
    have = {position.position_id for position in await organisation.list_positions(session)}
    for position_id, job_id, department, reports_to, seats in POSITIONS:
        if position_id not in have:
            fields = organisation.PositionFields(
                job=job_id, department=department, reports_to=reports_to, max_workers=seats
            )
            await organisation.create_position(session, fields, position_id=position_id, actor=ACTOR)
    have = {reason.reason_code_id for reason in await organisation.list_reasons(session)}
    for code, description in REASONS:
        if code not in have:
            await organisation.create_reason(session, code=code, description=description, actor=ACTOR)


async def _seed_candidates(session: AsyncSession) -> list[str]:
    """Candidates to hire, entered by hand, and one as LinkedIn Talent Hub's *Export to HRIS* makes it; their
    candidate ids."""
    for first, last in CANDIDATES:
        email = f"{first.lower()}.{last.lower()}@mail.example"
        if not await session.scalar(select(CandidateToHire.id).where(CandidateToHire.email == email)):
            await hr_services.create_candidate(
                session, hr_services.NewCandidate(first_name=first, last_name=last, email=email)
            )
    urn = select(LinkedInExportedCandidate.id).where(
        LinkedInExportedCandidate.linkedin_candidate_urn == LINKEDIN_CANDIDATE_URN
    )
    if not await session.scalar(urn):
        first, last, job_title = LINKEDIN_CANDIDATE
        export = LinkedInExportedCandidate(
            linkedin_candidate_urn=LINKEDIN_CANDIDATE_URN,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}@mail.example",
            job_title=job_title,
        )
        session.add(export)
        await session.flush()
        await hr_services.import_linkedin_export(session, export)
    return sorted(candidate.candidate_id for candidate in await list_candidates(session))


async def _seed_policy(session: AsyncSession, *, upn_domain: str) -> None:
    """The starter policy (first.last UPNs in the directory's domain, everyone in "All staff", leavers disabled
    and their mailboxes made shared), unless the tenant set one already."""
    if await session.scalar(select(ProvisioningPolicy.id)) is None:
        leaver = LeaverOptions(convert_mailbox_to_shared=True)
        await set_policy(session, policy_to_json(starter_policy(upn_domain, leaver=leaver)), by=ACTOR)


async def _seed_connection(
    session: AsyncSession, *, directory_tenant_id: str, client_id: str, settings: Settings
) -> EntraConnection:
    """The customer-owned connection to the sandbox directory's app registration, made once."""
    found = await session.scalar(select(EntraConnection).where(EntraConnection.name == DEMO_CONNECTION_NAME))
    if found is not None:
        return found
    return await create_connection(
        session, name=DEMO_CONNECTION_NAME, cloud="global", connection_type="customer_owned",
        directory_tenant_id=directory_tenant_id, client_id=client_id, exchange_enabled=True,
        box=connection_sealer(settings), now=utcnow(),
    )  # fmt: skip


async def _seed_ats_app(session: AsyncSession, kept: Path) -> dict[str, str]:
    """An ATS app registration with a secret, the *ATS integration* security role and the *Recruiting
    application* HR role. A secret is only shown when it is made, so its value is kept in ``kept`` (owner-only)
    for the next start to print again; without it (or with another database) the app gets a new secret."""
    credentials = _read_kept(kept)
    app = await session.scalar(select(AppRegistration).where(AppRegistration.name == ATS_APP_NAME))
    if app is not None and credentials is not None and credentials.get("client_id") == str(app.client_id):
        return credentials
    if app is None:
        app = await apps.create_app(session, name=ATS_APP_NAME)
        client_id = str(app.client_id)
        await security_admin.create_application_user(session, client_id, [ATS_ROLE_NAME])
        await security_admin.create_hr_user(session, ATS_HR_USER, "Demo ATS", [RECRUITING_ROLE_ID])
        await security_admin.create_entra_app_link(session, client_id, ATS_APP_NAME, ATS_HR_USER)
    new = await apps.add_secret(session, app, days=730, description="demo")
    credentials = {"client_id": str(app.client_id), "client_secret": new.secret}
    _keep(kept, credentials)
    return credentials


def _read_kept(path: Path) -> dict[str, str] | None:
    if not path.exists():
        return None
    kept: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return kept


def _keep(path: Path, credentials: dict[str, str]) -> None:
    """Write ``credentials`` readable by their owner only (they hold a secret)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(credentials, indent=2), encoding="utf-8")
    path.chmod(0o600)


async def _seed_partner_app(database: Database, *, client_id: str, client_secret: str) -> None:
    """The hub's LinkedIn partner app, the sandbox's, so that *Turn on* RSC works; left alone once set."""
    async with database.system_session() as session:
        partner = await get_partner(session)
    if partner is not None and partner.client_id == client_id:
        return
    async with linkedin_runtime() as runtime:
        await partner_set(database, runtime, client_id=client_id, client_secret=client_secret, ats_name="hirehub")


async def seed_demo(
    database: Database,
    *,
    domain: str,
    identity: SandboxIdentity | None = None,
    settings: Settings | None = None,
    step_done: Callable[[], None] = _nothing,
) -> dict[str, Any]:
    """Create the demo tenant ``domain`` with a company and a console administrator, or add what it lacks.

    With the sandbox ``identity`` (kept in the data directory) and the hub's ``settings``, the tenant also gets what
    makes it ready to try: its organisation, candidates, a lifecycle policy, the Entra connection to the sandbox
    directory (its certificate added to the identity, which the sandbox reads when it starts), the LinkedIn partner
    app and an ATS app registration."""
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
    seeded: dict[str, Any] = {
        "tenant_id": str(tenant.id),
        "domain": domain,
        "created": created,
        "console": {"url": "/console/", "email": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD},
    }
    if identity is None or settings is None:
        return seeded
    async with database.tenant_transaction(tenant.id) as session:
        await _seed_organisation(session)
        seeded["candidates"] = await _seed_candidates(session)
        await _seed_policy(session, upn_domain=identity.default_domain)
        connection = await _seed_connection(
            session, directory_tenant_id=identity.tenant_id, client_id=identity.client_id, settings=settings
        )
        ats_app = await _seed_ats_app(session, settings.data_dir / DEMO_ATS_APP_FILE)
    step_done()
    trusted = _trusting(identity, connection.certificate_pem)
    if trusted != identity:
        trusted.save(sandbox_identity_file(settings.data_dir))
    await _seed_partner_app(
        database, client_id=identity.linkedin_client_id, client_secret=identity.linkedin_client_secret
    )
    step_done()
    return {
        **seeded,
        "connection": {"id": str(connection.id), "name": connection.name},
        "ats_app": ats_app,
    }


def _trusting(identity: SandboxIdentity, certificate_pem: str | None) -> SandboxIdentity:
    """``identity`` with the connection's certificate trusted and the demo's directory roles assigned."""
    certificates = identity.certificates
    if certificate_pem and certificate_pem not in certificates:
        certificates = (*certificates, certificate_pem)
    roles = tuple(dict.fromkeys((*identity.directory_roles, *DEMO_DIRECTORY_ROLES)))
    return replace(identity, certificates=certificates, directory_roles=roles)


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
