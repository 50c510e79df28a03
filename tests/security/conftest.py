"""A hub served over real TLS on loopback (a trustme CA), and a tenant set up as the seed describes:
an app registration with a secret and certificates, its application user with the ATS role, an HR user
with the Recruiting application role, and the Microsoft Entra applications link."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from fastapi import APIRouter

from hirehub.api.app import create_app
from hirehub.db.session import Database
from hirehub.directories.entra.certificates import ConnectionCertificate, generate_certificate
from hirehub.odata.routes import DataverseRoute
from hirehub.security import admin, apps
from hirehub.security.principal import Principal
from hirehub.security.privileges import ATS_ROLE_NAME, RECRUITING_ROLE_ID, Privilege
from hirehub.security.routes import PrincipalDependency
from hirehub.settings import Settings
from hirehub.tenancy import service as tenancy
from tests.live_server import free_port, serving

SECRET_KEY = "test-secret-key-for-the-hub-0123456789"


@dataclass
class TlsHub:
    base_url: str
    ca_file: str
    app: Any
    database_url: str

    def authority(self, tenant: str) -> str:
        return f"{self.base_url}/{tenant}"

    @property
    def scope(self) -> str:
        return f"{self.base_url}/.default"


def install_probe(app: Any) -> None:
    """A route that needs one privilege on one table, to check both layers end to end; it answers refusals as
    the Web API's routes do (Dataverse error bodies)."""
    router = APIRouter(route_class=DataverseRoute)

    @router.get("/test/probe/{table}/{privilege}")
    async def probe(table: str, privilege: str, principal: Principal = PrincipalDependency) -> dict[str, str]:
        principal.require(table, Privilege(privilege))
        return {"table": table, "privilege": privilege}

    app.include_router(router)


@pytest.fixture(scope="module")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_hub(
    database_url: str, tmp_path: Path, certificate_authority: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TlsHub]:
    server_cert = certificate_authority.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file, ca_file = tmp_path / "server.pem", tmp_path / "server.key", tmp_path / "ca.pem"
    server_cert.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    server_cert.private_key_pem.write_to_path(str(key_file))
    certificate_authority.cert_pem.write_to_path(str(ca_file))
    # MSAL and azure-identity talk through requests, which trusts this bundle; no library is patched.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
    port = free_port()
    base_url = f"https://127.0.0.1:{port}"
    settings = Settings(database_url=database_url, base_url=base_url, secret_key=SECRET_KEY, log_level="WARNING")
    app = create_app(settings)
    install_probe(app)
    with serving(app, port, ssl_certfile=str(cert_file), ssl_keyfile=str(key_file)):
        yield TlsHub(base_url, str(ca_file), app, database_url)


@dataclass
class Integration:
    """One tenant's ATS integration, set up completely."""

    tenant_id: uuid.UUID
    domain: str
    client_id: str
    secret: str
    secret_id: str
    certificate: ConnectionCertificate


async def set_up_integration(
    database: Database, domain: str = "contoso.example", *, app_user: bool = True, link: bool = True,
    roles: tuple[str, ...] = (ATS_ROLE_NAME,),
) -> Integration:  # fmt: skip
    async with database.system_transaction() as session:
        tenant = await tenancy.create_tenant(session, name=domain, domain=domain)
    certificate = generate_certificate("ats-integration")
    async with database.tenant_transaction(tenant.id) as session:
        app = await apps.create_app(session, name="ATS integration")
        new = await apps.add_secret(session, app, days=30)
        await apps.add_certificate(session, app, certificate.certificate_pem)
        client_id = str(app.client_id)
        if app_user:
            await admin.create_application_user(session, client_id, list(roles))
        await admin.create_hr_user(session, "ats-integration", "ATS integration", [RECRUITING_ROLE_ID])
        if link:
            await admin.create_entra_app_link(session, client_id, "ATS", "ats-integration")
    return Integration(tenant.id, domain, client_id, new.secret, str(new.credential.key_id), certificate)


@pytest.fixture
def integration(database_url: str) -> Integration:
    async def go() -> Integration:
        database = Database(database_url)
        try:
            return await set_up_integration(database)
        finally:
            await database.dispose()

    return asyncio.run(go())
