"""Workers: the list, a worker's page, and transfer, terminate, rehire and rescind through the HR services."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.async_api import Page, expect

from hirehub.db.session import Database
from hirehub.hr import services
from hirehub.hr.models import Employment, PositionWorkerAssignment, Worker
from hirehub.hr.models.options import WorkerStatus
from tests.web.confirming import accept_the_confirmation
from tests.web.console_support import post_form, signed_in, tenant_with_hr
from tests.web.support import screenshot, sign_in

pytestmark = pytest.mark.browser
START = date(2026, 12, 1)


async def test_a_transfer_ahead_is_scheduled_and_changes_nothing_today(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    first, second = await hr.position("POS-1"), await hr.position("POS-2")
    worker = await hr.hired("Ada", "Lovelace", position_id=first.id)
    await sign_in(page, live_hub, admin)

    await page.get_by_role("link", name="Workers").click()
    await expect(page.get_by_role("row").filter(has_text="Ada Lovelace")).to_contain_text("Title of POS-1")
    await screenshot(page, "workers-list")
    await page.get_by_role("link", name=worker.personnel_number).click()
    await page.get_by_label("Effective date").fill("2027-03-01")
    await page.get_by_label("New position").select_option(label="POS-2 – Seat POS-2")
    await page.get_by_role("button", name="Transfer").click()

    await expect(page.get_by_role("status")).to_have_text("The worker was transferred")
    await expect(page.get_by_test_id("worker-department")).to_have_text("Dept of POS-1")
    await expect(page.get_by_test_id("scheduled-change")).to_contain_text(
        "Transfer to POS-2 — takes effect on 1 Mar 2027"
    )
    await screenshot(page, "worker-transfer-scheduled")
    ranges = sorted(await hr.rows(PositionWorkerAssignment, worker_id=worker.id), key=lambda a: a.valid_from)
    assert [(a.position_id, a.valid_to) for a in ranges] == [(first.id, date(2027, 2, 28)), (second.id, None)]


async def test_a_scheduled_transfer_is_changed_then_cancelled_after_a_confirmation(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    first, second = await hr.position("POS-1"), await hr.position("POS-2")
    worker = await hr.hired("Ada", "Lovelace", position_id=first.id)
    async with hr.transaction() as session:
        await services.transfer(session, worker.id, date(2027, 3, 1), position_id=second.id)
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/workers/{worker.id}")

    scheduled = page.get_by_test_id("scheduled-change")
    await scheduled.get_by_text("Change", exact=True).click()
    await scheduled.get_by_label("Takes effect on").fill("2027-04-01")
    await scheduled.get_by_role("button", name="Save the change").click()
    await expect(page.get_by_role("status")).to_have_text("The scheduled change was changed")
    await expect(scheduled).to_contain_text("Transfer to POS-2 — takes effect on 1 Apr 2027")

    questions: list[str] = []

    async def answer(dialog: Any) -> None:
        questions.append(dialog.message)
        await dialog.accept()

    page.once("dialog", answer)
    await scheduled.get_by_role("button", name="Cancel").click()
    await expect(page.get_by_role("status")).to_have_text("The scheduled change was cancelled")
    await expect(page.get_by_test_id("scheduled-changes")).to_contain_text("No changes are scheduled.")
    assert questions and "Cancel this change" in questions[0]
    assert [(a.position_id, a.valid_to) for a in await hr.rows(PositionWorkerAssignment)] == [(first.id, None)]


async def test_the_employed_filter_finds_a_worker_whose_employment_has_started(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await hr.hired("Ada", "Lovelace", start=date(2026, 11, 2))
    await hr.hired("Grace", "Hopper", start=date(2027, 2, 1))
    await sign_in(page, live_hub, admin)

    await page.goto(f"{live_hub}/console/workers/?status=employed")
    await expect(page.get_by_role("row").filter(has_text="Ada Lovelace")).to_have_count(1)
    await expect(page.get_by_role("row").filter(has_text="Grace Hopper")).to_have_count(0)
    await page.goto(f"{live_hub}/console/workers/?status=pending")
    await expect(page.get_by_role("row").filter(has_text="Grace Hopper")).to_have_count(1)
    await expect(page.get_by_role("row").filter(has_text="Ada Lovelace")).to_have_count(0)


async def test_a_cancel_for_another_tenants_worker_changes_nothing(live_hub: str, database: Database) -> None:
    contoso, _ = await tenant_with_hr(database, "contoso.example", "Contoso")
    _, fabrikam_hr = await tenant_with_hr(database, "fabrikam.example", "Fabrikam")
    theirs = await fabrikam_hr.hired("Fabian", "Fabrikam")
    async with fabrikam_hr.transaction() as session:
        await services.terminate(session, theirs.id, date(2027, 6, 30), today=date(2026, 11, 23))
    [employment] = await fabrikam_hr.rows(Employment, worker_id=theirs.id)
    before = await fabrikam_hr.state()
    async with signed_in(live_hub, contoso) as client:
        refused = await post_form(
            client, "/console/workers/", f"/console/workers/{theirs.id}/scheduled/{employment.id}/cancel",
            {"kind": "termination"},
        )  # fmt: skip
    assert refused.status_code == 404
    assert await fabrikam_hr.state() == before


async def test_terminating_sets_the_last_day_worked_and_offers_a_rehire(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    reason = await hr.reason("RESIGN")
    worker = await hr.hired("Ada", "Lovelace")
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/workers/{worker.id}")

    await page.get_by_label("Last day worked").fill("2027-06-30")
    await page.get_by_label("Reason").select_option(label="RESIGN – Resign")
    questions = accept_the_confirmation(page)
    await page.get_by_role("button", name="Terminate").click()

    await expect(page.get_by_role("status")).to_have_text("The worker was terminated")
    assert questions and questions[0].startswith("Terminate Ada Lovelace?")
    await expect(page.get_by_role("heading", name="Rehire")).to_be_visible()
    await expect(page.get_by_role("heading", name="Terminate")).to_have_count(0)
    await expect(page.get_by_test_id("account-timing")).to_contain_text(
        "The account will be disabled at the end of 30 Jun 2027 (1 Jul 2027 at 00:00, UTC)"
    )
    await screenshot(page, "worker-terminated")
    [employment] = await hr.rows(Employment, worker_id=worker.id)
    assert (employment.end_date, employment.termination_reason_id) == (date(2027, 6, 30), reason.id)


async def test_a_terminated_worker_is_rehired_on_the_same_record(page: Page, live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Ada", "Lovelace")
    async with hr.transaction() as session:
        await services.terminate(session, worker.id, date(2027, 1, 31), today=date(2026, 11, 23))
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/workers/{worker.id}")

    await page.get_by_label("Start date").fill("2027-09-01")
    await page.get_by_role("button", name="Rehire").click()

    await expect(page.get_by_role("status")).to_have_text("The worker was rehired")
    employments = sorted(await hr.rows(Employment, worker_id=worker.id), key=lambda e: e.start_date)
    assert [(e.start_date, e.end_date) for e in employments] == [
        (START, date(2027, 1, 31)),
        (date(2027, 9, 1), None),
    ]
    assert len(await hr.rows(Worker)) == 1


async def test_a_pending_hire_is_rescinded(page: Page, live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Ada", "Lovelace", start=date(2027, 2, 1))
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/workers/{worker.id}")

    questions = accept_the_confirmation(page)
    await page.get_by_role("button", name="Rescind hire").click()

    await expect(page.get_by_role("status")).to_have_text("The hire was rescinded")
    assert questions and questions[0].startswith("Rescind the hire of Ada Lovelace?")
    await expect(page.get_by_test_id("worker-status")).to_have_text("Rescinded")
    assert (await hr.get(Worker, worker.id)).status == WorkerStatus.RESCINDED


async def test_a_last_day_before_the_start_is_shown_at_the_field_and_changes_nothing(
    live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Ada", "Lovelace")
    before = await hr.state()
    page = f"/console/workers/{worker.id}"
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(client, page, f"{page}/terminate", {"last_day": "2026-10-01"})
    assert answer.status_code == 400
    assert 'id="terminate-last_day-error">the last day 2026-10-01 is before the start 2026-12-01' in answer.text
    assert 'id="terminate-last_day" name="last_day" type="date" value="2026-10-01"' in answer.text
    assert await hr.state() == before


async def test_a_transfer_without_a_position_is_shown_at_the_field_and_changes_nothing(
    live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Ada", "Lovelace")
    before = await hr.state()
    page = f"/console/workers/{worker.id}"
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(client, page, f"{page}/transfer", {"effective_date": "2027-01-01", "position_id": ""})
    assert answer.status_code == 400
    assert 'id="transfer-position_id-error">choose a new position' in answer.text
    assert await hr.state() == before


async def test_a_transfer_before_the_start_is_shown_at_the_effective_date_and_changes_nothing(
    live_hub: str, database: Database
) -> None:
    # Given a worker whose employment starts on 2026-12-01, and a free position
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Ada", "Lovelace")
    other = await hr.position("POS-2")
    before = await hr.state()
    page = f"/console/workers/{worker.id}"
    # When the administrator transfers the worker on a day before that
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(
            client, page, f"{page}/transfer", {"effective_date": "2026-10-01", "position_id": str(other.id)}
        )
    # Then the service's refusal (about its input "effective") sits beside the form's effective date
    assert answer.status_code == 400
    assert (
        'id="transfer-effective_date-error">a transfer cannot take effect before the employment starts' in answer.text
    )
    assert await hr.state() == before


async def test_a_termination_posted_with_a_forged_csrf_token_is_refused(live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Ada", "Lovelace")
    before = await hr.state()
    async with signed_in(live_hub, admin) as client:
        answer = await client.post(
            f"/console/workers/{worker.id}/terminate", data={"last_day": "2027-06-30", "csrf_token": "forged"}
        )
    assert answer.status_code == 403
    assert await hr.state() == before


async def test_another_tenants_workers_are_neither_listed_nor_changeable(
    page: Page, live_hub: str, database: Database
) -> None:
    contoso, _ = await tenant_with_hr(database, "contoso.example", "Contoso")
    _, fabrikam_hr = await tenant_with_hr(database, "fabrikam.example", "Fabrikam")
    theirs = await fabrikam_hr.hired("Fabian", "Fabrikam")
    await sign_in(page, live_hub, contoso)

    await page.goto(f"{live_hub}/console/workers/")
    assert "Fabian" not in await page.content()
    answer = await page.goto(f"{live_hub}/console/workers/{theirs.id}")
    assert answer is not None and answer.status == 404

    before = await fabrikam_hr.state()
    async with signed_in(live_hub, contoso) as client:
        refused = await post_form(client, "/console/workers/", f"/console/workers/{theirs.id}/terminate",
                                  {"last_day": "2027-06-30"})  # fmt: skip
    assert refused.status_code == 404
    assert await fabrikam_hr.state() == before


async def test_terminate_asks_first_and_a_person_who_says_no_leaves_the_worker_employed(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Ada", "Lovelace")
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/workers/{worker.id}")
    questions: list[str] = []

    async def say_no(dialog: Any) -> None:
        questions.append(dialog.message)
        await dialog.dismiss()

    page.once("dialog", say_no)
    await page.get_by_label("Last day worked").fill("2027-06-30")
    await page.get_by_role("button", name="Terminate").click()

    await expect(page.get_by_role("heading", name="Terminate")).to_be_visible()
    assert questions and "Terminate Ada Lovelace?" in questions[0]
    [employment] = await hr.rows(Employment, worker_id=worker.id)
    assert employment.end_date is None
