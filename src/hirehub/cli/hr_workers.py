"""``hirehub hr hire|transfer|terminate`` and ``hirehub hr worker show``: workers on the HR calendar.

Each command is one call of the HR service the console and the Web API use (:mod:`hirehub.hr.services`) in the
tenant's transaction, so a refusal changes nothing and reads the same everywhere. Every answer is the worker as
of a day (:func:`hirehub.hr.as_of.worker_as_of`): the status and placement that day, and the changes still to
come. The directory account is what provisioning recorded for the worker, as the console's worker page shows it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.cli.context import Result, change_in, read_in
from hirehub.cli.output import JsonOption
from hirehub.errors import Invalid
from hirehub.hr import services
from hirehub.hr.as_of import ScheduledChange, WorkerAsOf, tenant_today, worker_as_of
from hirehub.hr.domain import HireDetails
from hirehub.hr.job_titles import title_without_position
from hirehub.hr.models import CandidateToHire, Position, ReasonCode, Worker
from hirehub.hr.references import resolve
from hirehub.tenancy.models import Company
from hirehub.tenancy.service import list_companies
from hirehub.web.directory_account import directory_account

ACTOR = "cli"
TenantOption = typer.Option(..., "--tenant", help="Tenant GUID or domain.")
PersonnelNumberOption = typer.Option(..., "--personnel-number", help="The worker's personnel number or GUID.")


def iso_day(value: str, option: str) -> date:
    """An ISO ``YYYY-MM-DD`` date, or a refusal naming the option."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"{option} '{value}' is not a date (YYYY-MM-DD)", field=option.lstrip("-")) from None


async def company_code(session: AsyncSession, given: str | None, candidate: CandidateToHire) -> str:
    """The company (dataareaid) of the hire: the one named, the candidate's, or the tenant's only one."""
    if given is not None:
        company: Company = await resolve(session, Company, given, field="company")
        return company.code
    if candidate.data_area_id:
        return candidate.data_area_id
    companies = await list_companies(session)
    if len(companies) == 1:
        return companies[0].code
    if not companies:
        raise Invalid("the tenant has no company to hire into: create one with `hirehub company create`",
                      field="company")  # fmt: skip
    choices = ", ".join(c.code for c in companies)
    raise Invalid(f"the tenant has several companies: name one with --company ({choices})", field="company")


async def worker_json(session: AsyncSession, view: WorkerAsOf) -> Result:
    """The worker as ``hirehub hr worker show --json`` prints it (the keys are an interface)."""
    worker = view.worker
    account = await directory_account(session, worker.personnel_number)
    return {
        "personnel_number": worker.personnel_number,
        "worker_id": str(worker.id),
        "name": " ".join(part for part in (worker.first_name, worker.last_name) if part),
        "as_of": view.as_of.isoformat(),
        "status": view.status.value,
        "company": worker.data_area_id,
        "position": {"id": str(view.position.id), "position_id": view.position.position_id} if view.position else None,
        "department": {"id": str(view.department.id), "name": view.department.name} if view.department else None,
        "job": view.job.job_id if view.job else None,
        "title": view.title.title_id if view.title else None,
        "manager": view.manager.personnel_number if view.manager else None,
        "employment": {
            "start": view.employment_start.isoformat() if view.employment_start else None,
            "last_day": view.last_day.isoformat() if view.last_day else None,
        },
        "scheduled": [_scheduled_json(change) for change in view.scheduled],
        "directory_account": (
            {"user_principal_name": account.user_principal_name, "enabled": account.state == "Enabled"}
            if account.provisioned
            else None
        ),
    }


def _scheduled_json(change: ScheduledChange) -> Result:
    details = {key: _plain(value) for key, value in change.details.items()}
    return {"kind": change.kind.value, "effective": change.effective.isoformat(), "id": str(change.id), **details}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


async def _worker(session: AsyncSession, personnel_number: str) -> Worker:
    found: Worker = await resolve(session, Worker, personnel_number, field="personnel_number")
    return found


async def _today_view(session: AsyncSession, worker: Worker) -> Result:
    return await worker_json(session, await worker_as_of(session, worker.id, as_of=await tenant_today(session)))


def hire(
    tenant: str = TenantOption,
    candidate: str = typer.Option(..., "--candidate", help="The candidate's id (CAND-…) or GUID."),
    start: str = typer.Option(..., "--start", help="The first day of work, YYYY-MM-DD."),
    position: str | None = typer.Option(None, "--position", help="The position's id or GUID."),
    company: str | None = typer.Option(None, "--company", help="The company code; optional when there is one."),
    as_json: bool = JsonOption,
) -> None:
    """Hire a candidate: the person becomes a worker from the start date on."""

    async def work(session: AsyncSession) -> Result:
        first_day = iso_day(start, "--start")
        hired: CandidateToHire = await resolve(session, CandidateToHire, candidate, field="candidate")
        seat: Position | None = await resolve(session, Position, position, field="position") if position else None
        code = await company_code(session, company, hired)
        today = await tenant_today(session)
        title = await title_without_position(session, hired, position_given=seat is not None, actor=ACTOR)
        outcome = await services.hire(
            session, hired.id, HireDetails(first_day), position_id=seat.id if seat else None, company_code=code,
            title_id=title.id if title else None, today=today,
        )  # fmt: skip
        shown = await worker_json(session, await worker_as_of(session, outcome.worker.id, as_of=today))
        return {**shown, "start": first_day.isoformat(), "candidate_id": hired.candidate_id}

    change_in(tenant, work, as_json)


def transfer(
    tenant: str = TenantOption,
    personnel_number: str = PersonnelNumberOption,
    effective: str = typer.Option(..., "--effective", help="The first day in the new position, YYYY-MM-DD."),
    position: str = typer.Option(..., "--position", help="The new position's id or GUID."),
    as_json: bool = JsonOption,
) -> None:
    """Move a worker to another position from a date on (past, today or ahead: then it is scheduled)."""

    async def work(session: AsyncSession) -> Result:
        day = iso_day(effective, "--effective")
        worker = await _worker(session, personnel_number)
        seat: Position = await resolve(session, Position, position, field="position")
        await services.transfer(session, worker.id, day, position_id=seat.id, today=await tenant_today(session))
        return {**await _today_view(session, worker), "effective": day.isoformat()}

    change_in(tenant, work, as_json)


def terminate(
    tenant: str = TenantOption,
    personnel_number: str = PersonnelNumberOption,
    last_day: str = typer.Option(..., "--last-day", help="The last day worked, YYYY-MM-DD."),
    reason: str | None = typer.Option(None, "--reason", help="The termination reason's code or GUID."),
    as_json: bool = JsonOption,
) -> None:
    """End a worker's employment after the last day worked (which may be ahead)."""

    async def work(session: AsyncSession) -> Result:
        day = iso_day(last_day, "--last-day")
        worker = await _worker(session, personnel_number)
        why: ReasonCode | None = await resolve(session, ReasonCode, reason, field="reason") if reason else None
        await services.terminate(
            session, worker.id, day, reason_id=why.id if why else None, today=await tenant_today(session)
        )
        shown = await _today_view(session, worker)
        return {**shown, "last_day": day.isoformat(), "reason": why.reason_code_id if why else None}

    change_in(tenant, work, as_json)


def show(
    tenant: str = TenantOption,
    personnel_number: str = PersonnelNumberOption,
    as_of: str | None = typer.Option(None, "--as-of", help="The day to show, YYYY-MM-DD (default: today)."),
    as_json: bool = JsonOption,
) -> None:
    """The worker as of a day (today in the tenant's time zone unless --as-of says otherwise)."""

    async def work(session: AsyncSession) -> Result:
        day = iso_day(as_of, "--as-of") if as_of is not None else await tenant_today(session)
        worker = await _worker(session, personnel_number)
        return await worker_json(session, await worker_as_of(session, worker.id, as_of=day))

    read_in(tenant, work, as_json)


def register(hr_app: typer.Typer) -> None:
    """Add the worker commands to ``hirehub hr``."""
    hr_app.command("hire")(hire)
    hr_app.command("transfer")(transfer)
    hr_app.command("terminate")(terminate)
    worker_app = typer.Typer(help="Workers: one worker as of a day.")
    worker_app.command("show")(show)
    hr_app.add_typer(worker_app, name="worker")
