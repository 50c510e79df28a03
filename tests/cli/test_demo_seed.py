"""``seed_demo`` with the sandbox identity: the demo tenant arrives ready, and seeding again changes nothing."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hirehub.db.base import Base
from hirehub.db.session import Database
from hirehub.demo import DEMO_ATS_APP_FILE, DEMO_DIRECTORY_ROLES, SandboxIdentity, sandbox_identity_file, seed_demo
from hirehub.directories.entra.models import ConnectionType, EntraConnection
from hirehub.hr.models import CandidateToHire, Department, LinkedInExportedCandidate, Position
from hirehub.linkedin.models import PartnerApp
from hirehub.provisioning.models import ProvisioningPolicy
from hirehub.security.models import AppRegistration
from hirehub.settings import Settings, get_settings
from tests.cli.support import hirehub

DOMAIN = "contoso.example"


async def _seed(database: Database, data_dir: Path) -> dict[str, Any]:
    settings = Settings(database_url=database.url, data_dir=data_dir)
    identity = SandboxIdentity.load_or_create(sandbox_identity_file(data_dir))
    return await seed_demo(database, domain=DOMAIN, identity=identity, settings=settings)


async def _counts(database: Database, tenant_id: str) -> dict[str, int]:
    tables: tuple[type[Base], ...] = (
        Department, Position, CandidateToHire, LinkedInExportedCandidate, ProvisioningPolicy, EntraConnection,
        AppRegistration,
    )  # fmt: skip
    async with database.tenant_session(uuid.UUID(tenant_id)) as session:
        return {
            model.__name__: int(await session.scalar(select(func.count()).select_from(model)) or 0) for model in tables
        }


async def test_the_demo_tenant_arrives_with_organisation_candidates_policy_connection_and_apps(
    database: Database, tmp_path: Path
) -> None:
    seeded = await _seed(database, tmp_path)

    counts = await _counts(database, seeded["tenant_id"])
    assert counts["Department"] >= 3 and counts["Position"] >= 5
    assert counts["CandidateToHire"] == 4 and counts["LinkedInExportedCandidate"] == 1
    assert counts["ProvisioningPolicy"] == 1 and counts["EntraConnection"] == 1
    assert seeded["ats_app"]["client_id"] and seeded["ats_app"]["client_secret"]
    async with database.tenant_session(uuid.UUID(seeded["tenant_id"])) as session:
        connection = await session.scalar(select(EntraConnection))
        reports_to = await session.scalar(select(Position).where(Position.position_id == "SALES-2"))
    assert connection is not None and connection.connection_type == ConnectionType.CUSTOMER_OWNED
    assert reports_to is not None and reports_to.reports_to_id is not None
    # The sandbox app trusts the connection's certificate and holds the roles, from the next start on
    identity = SandboxIdentity.load(sandbox_identity_file(tmp_path))
    assert identity is not None
    assert connection.certificate_pem in identity.certificates
    assert connection.client_id == identity.client_id
    assert set(DEMO_DIRECTORY_ROLES) <= set(identity.directory_roles)
    async with database.system_session() as session:
        partner = await session.scalar(select(PartnerApp))
    assert partner is not None and partner.client_id == identity.linkedin_client_id


async def test_seeding_again_changes_nothing(database: Database, tmp_path: Path) -> None:
    first = await _seed(database, tmp_path)
    identity_before = sandbox_identity_file(tmp_path).read_text()
    counts_before = await _counts(database, first["tenant_id"])

    again = await _seed(database, tmp_path)

    assert again["created"] is False
    assert await _counts(database, first["tenant_id"]) == counts_before
    assert sandbox_identity_file(tmp_path).read_text() == identity_before
    assert again["ats_app"] == first["ats_app"]
    assert again["connection"] == first["connection"]
    assert again["candidates"] == first["candidates"]


async def test_an_ats_secret_no_longer_kept_is_replaced_by_a_new_one_on_the_same_app(
    database: Database, tmp_path: Path
) -> None:
    first = await _seed(database, tmp_path)
    (tmp_path / DEMO_ATS_APP_FILE).unlink()

    again = await _seed(database, tmp_path)

    assert again["ats_app"]["client_id"] == first["ats_app"]["client_id"]
    assert again["ats_app"]["client_secret"] != first["ats_app"]["client_secret"]
    assert (await _counts(database, first["tenant_id"]))["AppRegistration"] == 1


def test_outside_development_mode_the_seed_makes_only_the_tenant_and_touches_no_sandbox(
    hub_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIREHUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HIREHUB_ENV", "production")
    monkeypatch.setenv("HIREHUB_SECRET_KEY", secrets.token_urlsafe(48))
    get_settings.cache_clear()
    hirehub("db", "upgrade")

    seeded = hirehub("demo", "seed")

    assert seeded["created"] is True
    assert "connection" not in seeded and "ats_app" not in seeded
    assert not sandbox_identity_file(tmp_path).exists()
