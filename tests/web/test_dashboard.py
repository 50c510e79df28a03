"""The dashboard: a set-up checklist and a health view (the job runner's heartbeat, dead and paused jobs, the next
14 days, headcount); in development, time travel behind a confirmation and the sandbox directory as Graph lists it."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Dialog, Page, expect

from hirehub.api.app import create_app
from hirehub.bootstrap import open_database
from hirehub.db import clock_offset
from hirehub.db.base import utcnow
from hirehub.db.models import load_all
from hirehub.db.session import Database
from hirehub.demo import SandboxIdentity
from hirehub.directories.entra.permissions import required_permissions
from hirehub.jobs.heartbeat import beat
from hirehub.jobs.models import JobStatus
from hirehub.jobs.queue import enqueue
from hirehub.outbound import async_client
from hirehub.sandbox.entra.graph import directory_store
from hirehub.settings import Environment, Settings
from hirehub.web.dashboard import read_dashboard
from hirehub.web.development_pages import read_directory
from tests.live_server import free_port, serving
from tests.sandbox.entra.conftest import EntraSandbox
from tests.web.console_support import csrf_of, linkedin_candidate, post_form, signed_in, tenant_with_hr
from tests.web.support import screenshot, sign_in

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _wall_clock_after() -> Iterator[None]:
    yield
    clock_offset.follow(None)


@dataclass
class DevelopmentHub:
    url: str
    database: Database
    data_dir: Path


@pytest.fixture
async def development_hub(tmp_path: Path) -> AsyncIterator[DevelopmentHub]:
    """The hub as ``make run`` serves it: development mode on the embedded SQLite database of its data directory
    (whichever engine the suite runs on), on a free loopback port; the test reaches the same file."""
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'hirehub.db'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(load_all().create_all)
    port = free_port()
    settings = Settings(
        database_url="", base_url=f"http://127.0.0.1:{port}", env=Environment.DEVELOPMENT, data_dir=tmp_path,
        log_level="WARNING",
    )  # fmt: skip
    try:
        with serving(create_app(settings), port):
            yield DevelopmentHub(f"http://127.0.0.1:{port}", database, tmp_path)
    finally:
        await database.dispose()


async def test_a_new_tenant_sees_what_is_left_to_set_up_and_that_no_runner_runs(database: Database) -> None:
    admin, _hr = await tenant_with_hr(database, "contoso.example", "Contoso")

    board = await read_dashboard(database, admin.tenant_id, time_zone="UTC", now=NOW)

    assert [step.done for step in board.steps] == [False, False, False, False, False]
    assert not board.runner_alive
    assert (board.dead_jobs, board.paused_jobs, board.held_approvals, board.headcount) == (0, 0, 0, 0)


async def test_a_runner_heard_from_within_a_minute_is_alive_and_one_silent_longer_is_not(database: Database) -> None:
    admin, _hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    async with database.system_transaction() as session:
        await beat(session, "runner-a", started_at=NOW - timedelta(hours=1), now=NOW - timedelta(seconds=20))
        await beat(session, "runner-b", started_at=NOW - timedelta(hours=1), now=NOW - timedelta(minutes=5))

    board = await read_dashboard(database, admin.tenant_id, time_zone="UTC", now=NOW)

    assert [runner.runner_id for runner in board.runners] == ["runner-a"]
    assert board.steps[3].done
    assert board.runner_last_heard == NOW - timedelta(seconds=20)


async def test_dead_and_paused_jobs_and_joiners_are_counted_for_the_tenant_only(database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    other, other_hr = await tenant_with_hr(database, "fabrikam.example", "Fabrikam")
    for each in (hr, other_hr):
        async with each.transaction() as session:
            dead = await enqueue(session, "provisioning.sync", {})
            dead.status = JobStatus.DEAD.value
            paused = await enqueue(session, "provisioning.sync", {})
            paused.status, paused.last_error = JobStatus.HELD.value, "paused: no active Entra ID connection"
    await linkedin_candidate(hr, "Ann", "Lee", start=date(2027, 3, 8))

    board = await read_dashboard(database, admin.tenant_id, time_zone="UTC", now=NOW)

    assert (board.dead_jobs, board.paused_jobs) == (1, 1)
    assert board.steps[4].done  # a candidate to hire
    assert other.tenant_id != admin.tenant_id


@pytest.mark.browser
async def test_the_dashboard_shows_the_checklist_and_the_runner_state(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, _hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)

    await expect(page.get_by_test_id("checklist")).to_contain_text("Connect Entra ID and pass Test connection")
    await expect(page.get_by_test_id("runner")).to_contain_text("none has run")
    await expect(page.get_by_test_id("time-travel")).to_have_count(0)  # a hub on a named database: no time travel

    async with database.system_transaction() as session:
        await beat(session, "runner-a", started_at=utcnow(), now=utcnow())
    await page.reload()

    await expect(page.get_by_test_id("runner")).to_contain_text("running (1)")
    await screenshot(page, "dashboard")


@pytest.mark.browser
async def test_time_travel_asks_first_and_moves_the_clock_only_when_confirmed(
    page: Page, development_hub: DevelopmentHub
) -> None:
    tmp_path = development_hub.data_dir
    admin, _hr = await tenant_with_hr(development_hub.database, "contoso.example", "Contoso")
    await sign_in(page, development_hub.url, admin)
    questions: list[str] = []

    async def dismiss(dialog: Dialog) -> None:
        questions.append(dialog.message)
        await dialog.dismiss()

    page.once("dialog", dismiss)
    await page.get_by_role("button", name="Move the clock forward").click()
    await page.wait_for_timeout(300)
    assert questions and "Move the hub's clock forward?" in questions[0]
    assert not (tmp_path / clock_offset.OFFSET_FILE_NAME).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("spinbutton", name="Days").fill("2")
    await page.get_by_role("button", name="Move the clock forward").click()

    await expect(page.get_by_role("status")).to_contain_text("The clock moved 2 days forward")
    assert clock_offset.read_offset(tmp_path / clock_offset.OFFSET_FILE_NAME) == timedelta(days=2)
    await screenshot(page, "dashboard-time-travel")


async def test_time_travel_and_the_directory_view_are_not_found_outside_development(database: Database) -> None:
    admin, _hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    settings = Settings(
        database_url=database.url, base_url="https://hub", env=Environment.PRODUCTION,
        secret_key="a-production-key-that-is-long-enough-0123456789", log_level="WARNING",
    )  # fmt: skip
    app = create_app(settings, database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://hub") as client:
        form = await client.get("/console/sign-in")
        signed = await client.post(
            "/console/sign-in",
            data={"email": admin.email, "password": admin.password, "csrf_token": csrf_of(form.text), "next": "/"},
        )
        overview = await client.get("/console/")
        answer = await client.post("/console/demo/clock", data={"days": "1", "csrf_token": csrf_of(overview.text)})
        directory = await client.get("/console/sandbox/directory/")

    assert signed.status_code == 303
    assert overview.status_code == 200
    assert 'data-testid="time-travel"' not in overview.text
    assert answer.status_code == 404
    assert directory.status_code == 404


async def test_time_travel_from_the_console_is_refused_on_a_hub_with_a_named_database(
    live_hub: str, database: Database
) -> None:
    admin, _hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(client, "/console/", "/console/demo/clock", {"days": "1"})
        shown = await client.get(answer.headers["location"])

    assert answer.status_code == 303
    assert "time travel is for the embedded development database" in shown.text


async def test_the_directory_view_lists_users_with_managers_and_groups_through_graph(
    entra_sandbox: EntraSandbox,
) -> None:
    world = entra_sandbox.world
    directory = world.add_directory()
    app = world.register_application(directory, "hirehub", multi_tenant=True)
    app.secrets.append("s3cret")
    for permission in required_permissions(exchange_enabled=False):
        world.grant_application_permissions(directory, app.app_id, {permission.name}, permission.resource_app_id)
    store = directory_store(world, directory)
    password = {"forceChangePasswordNextSignIn": True, "password": "Pa55word!x"}
    boss = store.create_user(
        {"accountEnabled": True, "displayName": "Bo Boss", "mailNickname": "bo", "passwordProfile": password,
         "userPrincipalName": f"bo@{directory.default_domain}", "department": "Sales", "jobTitle": "Director"}
    )  # fmt: skip
    ann = store.create_user(
        {"accountEnabled": False, "displayName": "Ann Lee", "mailNickname": "ann", "passwordProfile": password,
         "userPrincipalName": f"ann@{directory.default_domain}", "department": "Sales", "jobTitle": "Seller"}
    )  # fmt: skip
    store.set_manager(ann.id, f"https://graph.microsoft.com/v1.0/users/{boss.id}")
    group = store.create_group(
        {"displayName": "Sales team", "mailEnabled": False, "securityEnabled": True, "mailNickname": "sales"}
    )
    store.add_member(group.id, f"https://graph.microsoft.com/v1.0/directoryObjects/{ann.id}")
    identity = SandboxIdentity(
        tenant_id=directory.tenant_id, default_domain=directory.default_domain, client_id=app.app_id,
        client_secret="s3cret", admin="", admin_password="", linkedin_client_id="", linkedin_client_secret="",
    )  # fmt: skip

    async with async_client(
        entra_sandbox.host_map, verify=ssl.create_default_context(cafile=entra_sandbox.ca_file)
    ) as http:
        view = await read_directory(http, identity)

    users = {user.user_principal_name: user for user in view.users}
    assert users[f"ann@{directory.default_domain}"].manager == f"bo@{directory.default_domain}"
    assert users[f"ann@{directory.default_domain}"].enabled is False
    assert (users[f"bo@{directory.default_domain}"].department, users[f"bo@{directory.default_domain}"].job_title) == (
        "Sales",
        "Director",
    )
    assert [(g.display_name, g.members) for g in view.groups] == [("Sales team", (f"ann@{directory.default_domain}",))]
