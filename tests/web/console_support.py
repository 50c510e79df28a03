"""Helpers for the HR console pages' tests: a tenant's HR records, and a signed-in HTTP client for error paths.

The browser tests drive the pages as a person would; the error paths (a forged CSRF token, an invalid field)
are checked with plain HTTP, which shows the status code and lets the test post exactly what it wants.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import httpx

from hirehub.db.session import Database
from hirehub.hr import services
from hirehub.hr.models import CandidateToHire, LinkedInExportedCandidate
from hirehub.tenancy import service as tenancy
from tests.hr.conftest import HR
from tests.web.support import Administrator, make_admin

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def tenant_with_hr(database: Database, domain: str, name: str) -> tuple[Administrator, HR]:
    """A tenant with its administrator and one company (USMF), and the HR helper for seeding it."""
    admin = await make_admin(database, domain, name)
    async with database.tenant_transaction(admin.tenant_id) as session:
        await tenancy.create_company(session, code="USMF", name=f"{name} USA")
    return admin, HR(database, admin.tenant_id)


async def linkedin_candidate(
    hr: HR, first: str, last: str, *, start: date | None, job_title: str = "Sales Manager"
) -> CandidateToHire:
    """A candidate as LinkedIn Talent Hub's *Export to HRIS* creates one."""
    async with hr.transaction() as session:
        export = LinkedInExportedCandidate(
            linkedin_candidate_urn=f"urn:li:ts_hire_candidate:{uuid.uuid4()}",
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}@mail.example",
            start_date=start,
            job_title=job_title,
        )
        session.add(export)
        return await services.import_linkedin_export(session, export)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@asynccontextmanager
async def signed_in(hub: str, admin: Administrator) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client with the administrator's session cookie (signed in through the real form)."""
    async with httpx.AsyncClient(base_url=hub) as client:
        form = await client.get("/console/sign-in")
        answer = await client.post(
            "/console/sign-in",
            data={
                "email": admin.email,
                "password": admin.password,
                "csrf_token": csrf_of(form.text),
                "next": "/console/",
            },
        )
        assert answer.status_code == 303, answer.text
        yield client


async def post_form(client: httpx.AsyncClient, page: str, action: str, data: dict[str, str]) -> httpx.Response:
    """Post a form the way the page would: with the CSRF token the page carries."""
    token = csrf_of((await client.get(page)).text)
    return await client.post(action, data={**data, "csrf_token": token})
