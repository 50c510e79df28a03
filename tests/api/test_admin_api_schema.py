"""Schemathesis reads the admin API's OpenAPI document and fuzzes every operation under ``/admin/v1`` as a
System Administrator: no input reaches a 5xx, and every answer is one the document declares or a
problem document. (The OData API is fuzzed by tests/odata/test_fuzzing.py: its routes are a catch-all
that OpenAPI cannot describe.)"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.testclient import TestClient

from hirehub.api.app import create_app
from hirehub.db.models import load_all
from hirehub.db.session import Database
from hirehub.security.privileges import SYSTEM_ADMINISTRATOR_ROLE_NAME
from hirehub.settings import Settings
from tests.security.conftest import SECRET_KEY, set_up_integration

BASE = "http://hub"


# The schema is read from the app when this module is imported; the database behind it is prepared by the
# fixture below before the first case runs (the OpenAPI document needs no database).
SCRATCH = Path(tempfile.mkdtemp(prefix="hirehub-admin-schema-"))
DATABASE_URL = f"sqlite+aiosqlite:///{SCRATCH / 'admin.db'}"
APP = create_app(Settings(database_url=DATABASE_URL, base_url=BASE, secret_key=SECRET_KEY, log_level="ERROR"))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(path_regex="^/admin/")


async def _prepare(url: str) -> tuple[str, str, str]:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(load_all().create_all)
    await engine.dispose()
    database = Database(url)
    try:
        admin = await set_up_integration(database, "contoso.example", roles=(SYSTEM_ADMINISTRATOR_ROLE_NAME,))
        return str(admin.tenant_id), admin.client_id, admin.secret
    finally:
        await database.dispose()


@pytest.fixture(scope="module")
def admin_headers() -> Iterator[dict[str, str]]:
    tenant, client_id, secret = asyncio.run(_prepare(DATABASE_URL))
    with TestClient(APP, base_url=BASE) as client:
        token = client.post(
            f"/{tenant}/oauth2/v2.0/token",
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
                  "scope": f"{BASE}/.default"},
        ).json()["access_token"]  # fmt: skip
    yield {"Authorization": f"Bearer {token}"}
    shutil.rmtree(SCRATCH, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_admin_operation_reaches_a_server_error(case: Any, admin_headers: dict[str, str]) -> None:
    response = case.call(headers=admin_headers)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        (content_type,) = response.headers["content-type"]  # schemathesis keeps every value of a header
        assert content_type.startswith("application/problem+json"), response.text
