"""A refusal raised in an admin route is answered by the app's one mapping: the kind decides the status, the
message is the ``detail``, and ``field`` and ``Retry-After`` say what a client can act on."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter

from hirehub import errors
from hirehub.api.app import create_app
from hirehub.db.session import Database
from hirehub.settings import Settings
from tests.api.conftest import BASE
from tests.security.conftest import SECRET_KEY

RAISED: dict[str, errors.HubError] = {
    "invalid": errors.Invalid("widget_width is an integer", field="widget_width"),
    "not-found": errors.NotFound("no HR user 'ghost'", field="user_id"),
    "already-exists": errors.AlreadyExists("a security role 'Recruiters' already exists", field="name"),
    "conflict": errors.Conflict("LinkedIn RSC is not turned on for this tenant"),
    "forbidden": errors.Forbidden("only the partner's operator may do this"),
    "unauthenticated": errors.Unauthenticated("X-LI-Signature is missing or does not match the body"),
    "unavailable": errors.Unavailable("LinkedIn is unavailable; retry later", retry_after=29.2),
}


@pytest.fixture
async def client(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """The hub's application with one more admin route, which raises the refusal its path names."""
    app = create_app(Settings(database_url=database.url, base_url=BASE, secret_key=SECRET_KEY, log_level="WARNING"),
                     database)  # fmt: skip
    router = APIRouter(prefix="/admin/v1/test")

    @router.post("/refuse/{name}")
    async def refuse(name: str) -> None:
        raise RAISED[name]

    app.include_router(router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


@pytest.mark.parametrize(
    ("name", "status", "title", "field"),
    [
        ("invalid", 400, "Invalid request", "widget_width"),
        ("not-found", 404, "Not found", "user_id"),
        ("already-exists", 409, "Already exists", "name"),
        ("conflict", 409, "Conflict", None),
        ("forbidden", 403, "Forbidden", None),
        ("unauthenticated", 401, "Unauthenticated", None),
        ("unavailable", 503, "Unavailable", None),
    ],
)
async def test_each_kind_answers_its_problem_document(
    client: httpx.AsyncClient, name: str, status: int, title: str, field: str | None
) -> None:
    response = await client.post(f"/admin/v1/test/refuse/{name}")

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    document = response.json()
    assert (document["status"], document["title"], document["detail"]) == (status, title, str(RAISED[name]))
    assert document.get("field") == field


async def test_an_unavailable_refusal_says_how_long_to_wait_in_whole_seconds(client: httpx.AsyncClient) -> None:
    response = await client.post("/admin/v1/test/refuse/unavailable")

    assert response.headers["retry-after"] == "30"


async def test_a_refusal_without_a_wait_has_no_retry_after(client: httpx.AsyncClient) -> None:
    response = await client.post("/admin/v1/test/refuse/conflict")

    assert "retry-after" not in response.headers

