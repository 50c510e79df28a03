"""Helpers for browser tests: seeding an administrator, signing in, keeping screenshots."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Page

from hirehub import accounts
from hirehub.db.session import Database
from hirehub.tenancy import service

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"


async def screenshot(page: Page, name: str) -> Path:
    """Keep a picture of the page as a test artefact."""
    folder = ARTIFACTS / os.environ.get("HIREHUB_TEST_ENGINE", "sqlite")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


@dataclass(frozen=True)
class Administrator:
    tenant_id: uuid.UUID
    tenant_name: str
    email: str
    password: str


async def make_admin(database: Database, domain: str, name: str) -> Administrator:
    async with database.system_transaction() as session:
        tenant = await service.create_tenant(session, name=name, domain=domain)
    email = f"admin@{domain}"
    async with database.tenant_transaction(tenant.id) as session:
        await accounts.create_admin(session, email=email, display_name=f"{name} Admin", password=PASSWORD)
    return Administrator(tenant.id, name, email, PASSWORD)


async def sign_in(page: Page, hub: str, admin: Administrator) -> None:
    await page.goto(f"{hub}/console/sign-in")
    await page.get_by_label("E-mail address").fill(admin.email)
    await page.get_by_label("Password").fill(admin.password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{hub}/console/")
