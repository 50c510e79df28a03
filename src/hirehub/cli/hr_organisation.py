"""``hirehub hr department|job|title|reason|position|candidate …``: the organisation and candidates to hire.

Each command is one call of :mod:`hirehub.hr.organisation` (or :mod:`hirehub.hr.candidates`) in the tenant's
transaction, so the console and the command line refuse alike; an option naming a record takes its GUID or code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.cli.context import Result, change_in, read_in
from hirehub.cli.output import JsonOption, refuse
from hirehub.errors import Invalid
from hirehub.hr import candidates, organisation
from hirehub.hr.as_of import tenant_today
from hirehub.hr.models import Department, Job, Position, ReasonCode, Title
from hirehub.hr.organisation import PositionFields
from hirehub.hr.presenting import (
    candidate_json,
    department_json,
    job_json,
    position_json,
    positions_json,
    reason_json,
    title_json,
)

ACTOR = "cli"
TenantOption = typer.Option(..., "--tenant", help="Tenant GUID or domain.")


def _day(value: str | None, option: str, as_json: bool) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        refuse(Invalid(f"{option} '{value}' is not a date (YYYY-MM-DD)", field=option.lstrip("-")), as_json)


def _retire_commands(app: typer.Typer, model: type[Any], option: str, show: Callable[..., Awaitable[Result]]) -> None:
    """``retire`` and ``reinstate`` for one noun, whose record is named by ``option``."""

    def retire(
        tenant: str = TenantOption,
        record: str = typer.Option(..., option, help="GUID or code."),
        on: str | None = typer.Option(None, "--on", help="Positions: the first day it can no longer be filled."),
        as_json: bool = JsonOption,
    ) -> None:
        day = _day(on, "--on", as_json)

        async def work(session: AsyncSession) -> Result:
            row = await organisation.retire(session, model, record, actor=ACTOR, on=day or await tenant_today(session))
            return await show(session, row)

        change_in(tenant, work, as_json)

    def reinstate(
        tenant: str = TenantOption,
        record: str = typer.Option(..., option, help="GUID or code."),
        as_json: bool = JsonOption,
    ) -> None:
        async def work(session: AsyncSession) -> Result:
            return await show(session, await organisation.reinstate(session, model, record, actor=ACTOR))

        change_in(tenant, work, as_json)

    retire.__doc__ = "Retire it: it stays readable with its history, but is no longer offered for new assignments."
    reinstate.__doc__ = "Offer a retired record for new assignments again."
    app.command("retire")(retire)
    app.command("reinstate")(reinstate)


# --- departments ------------------------------------------------------------------------------------------------

department_app = typer.Typer(help="Departments: a number (drawn when not given) and a name.")


@department_app.command("create")
def department_create(
    tenant: str = TenantOption,
    name: str = typer.Option(..., "--name"),
    number: str | None = typer.Option(None, "--number", help="The department number; the next one when left out."),
    parent: str | None = typer.Option(None, "--parent", help="The parent department (GUID or number)."),
    as_json: bool = JsonOption,
) -> None:
    """Create a department."""

    async def work(session: AsyncSession) -> Result:
        row = await organisation.create_department(session, name=name, number=number, parent=parent, actor=ACTOR)
        return await department_json(session, row)

    change_in(tenant, work, as_json)


@department_app.command("update")
def department_update(
    tenant: str = TenantOption,
    department: str = typer.Option(..., "--department", help="GUID or number."),
    name: str | None = typer.Option(None, "--name"),
    parent: str | None = typer.Option(None, "--parent", help="GUID or number; '' makes it top-level."),
    as_json: bool = JsonOption,
) -> None:
    """Rename a department or move it under another."""

    async def work(session: AsyncSession) -> Result:
        row = await organisation.update_department(session, department, name=name, parent=parent, actor=ACTOR)
        return await department_json(session, row)

    change_in(tenant, work, as_json)


@department_app.command("list")
def department_list(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """The departments, retired ones included (``retired`` tells them apart)."""

    async def work(session: AsyncSession) -> Result:
        return {
            "departments": [await department_json(session, d) for d in await organisation.list_departments(session)]
        }

    read_in(tenant, work, as_json)


_retire_commands(department_app, Department, "--department", department_json)

# --- jobs -------------------------------------------------------------------------------------------------------

job_app = typer.Typer(help="Jobs: a code, a description, and the title their positions carry.")


@job_app.command("create")
def job_create(
    tenant: str = TenantOption,
    name: str = typer.Option(..., "--name", help="The job's code, e.g. DEV-ENG."),
    description: str | None = typer.Option(None, "--description"),
    title: str | None = typer.Option(None, "--title", help="The title (GUID or code) its positions carry."),
    as_json: bool = JsonOption,
) -> None:
    """Create a job."""

    async def work(session: AsyncSession) -> Result:
        row = await organisation.create_job(session, name=name, description=description, title=title, actor=ACTOR)
        return await job_json(session, row)

    change_in(tenant, work, as_json)


@job_app.command("update")
def job_update(
    tenant: str = TenantOption,
    job: str = typer.Option(..., "--job", help="GUID or code."),
    description: str | None = typer.Option(None, "--description", help="'' clears it."),
    title: str | None = typer.Option(None, "--title", help="GUID or code; '' clears it."),
    as_json: bool = JsonOption,
) -> None:
    """Change a job's description or title (its code never changes)."""

    async def work(session: AsyncSession) -> Result:
        row = await organisation.update_job(session, job, description=description, title=title, actor=ACTOR)
        return await job_json(session, row)

    change_in(tenant, work, as_json)


@job_app.command("list")
def job_list(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """The jobs, retired ones included."""

    async def work(session: AsyncSession) -> Result:
        return {"jobs": [await job_json(session, j) for j in await organisation.list_jobs(session)]}

    read_in(tenant, work, as_json)


_retire_commands(job_app, Job, "--job", job_json)

# --- titles -----------------------------------------------------------------------------------------------------

title_app = typer.Typer(help="Titles, as workers carry them.")


@title_app.command("create")
def title_create(
    tenant: str = TenantOption,
    name: str = typer.Option(..., "--name", help="The title, e.g. 'Data Engineer'."),
    description: str | None = typer.Option(None, "--description"),
    as_json: bool = JsonOption,
) -> None:
    """Create a title."""

    async def work(session: AsyncSession) -> Result:
        return await title_json(
            session, await organisation.create_title(session, name=name, description=description, actor=ACTOR)
        )

    change_in(tenant, work, as_json)


@title_app.command("update")
def title_update(
    tenant: str = TenantOption,
    title: str = typer.Option(..., "--title", help="GUID or the title itself."),
    description: str = typer.Option(..., "--description", help="'' clears it."),
    as_json: bool = JsonOption,
) -> None:
    """Change a title's description."""

    async def work(session: AsyncSession) -> Result:
        return await title_json(
            session, await organisation.update_title(session, title, description=description, actor=ACTOR)
        )

    change_in(tenant, work, as_json)


@title_app.command("list")
def title_list(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """The titles, retired ones included."""

    async def work(session: AsyncSession) -> Result:
        return {"titles": [await title_json(session, t) for t in await organisation.list_titles(session)]}

    read_in(tenant, work, as_json)


_retire_commands(title_app, Title, "--title", title_json)

# --- termination reasons ----------------------------------------------------------------------------------------

reason_app = typer.Typer(help="Termination reasons: a code leavers carry and its description.")


@reason_app.command("create")
def reason_create(
    tenant: str = TenantOption,
    code: str = typer.Option(..., "--code", help="e.g. RESIGN."),
    description: str = typer.Option(..., "--description"),
    as_json: bool = JsonOption,
) -> None:
    """Create a termination reason."""

    async def work(session: AsyncSession) -> Result:
        return await reason_json(
            session, await organisation.create_reason(session, code=code, description=description, actor=ACTOR)
        )

    change_in(tenant, work, as_json)


@reason_app.command("update")
def reason_update(
    tenant: str = TenantOption,
    reason: str = typer.Option(..., "--reason", help="GUID or code."),
    description: str = typer.Option(..., "--description"),
    as_json: bool = JsonOption,
) -> None:
    """Change a reason's description (its code never changes)."""

    async def work(session: AsyncSession) -> Result:
        return await reason_json(
            session, await organisation.update_reason(session, reason, description=description, actor=ACTOR)
        )

    change_in(tenant, work, as_json)


@reason_app.command("list")
def reason_list(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """The termination reasons, retired ones included."""

    async def work(session: AsyncSession) -> Result:
        return {"reasons": [await reason_json(session, r) for r in await organisation.list_reasons(session)]}

    read_in(tenant, work, as_json)


_retire_commands(reason_app, ReasonCode, "--reason", reason_json)

# --- positions --------------------------------------------------------------------------------------------------

position_app = typer.Typer(help="Positions: a seat in a department for a job, with a title and a reports-to.")
MaxWorkersOption = typer.Option(None, "--max-workers", help="How many workers it seats (1 when left out).")


@position_app.command("create")
def position_create(
    tenant: str = TenantOption,
    job: str = typer.Option(..., "--job", help="GUID or code."),
    department: str = typer.Option(..., "--department", help="GUID or number."),
    title: str | None = typer.Option(None, "--title", help="GUID or code; the job's title when left out."),
    reports_to: str | None = typer.Option(None, "--reports-to", help="The position it reports to (GUID or id)."),
    position_id: str | None = typer.Option(None, "--position-id", help="Its id; the next number when left out."),
    description: str | None = typer.Option(None, "--description"),
    max_workers: int | None = MaxWorkersOption,
    activation: str | None = typer.Option(None, "--activation", help="The first day it can be filled."),
    as_json: bool = JsonOption,
) -> None:
    """Create a position."""
    fields = PositionFields(
        job=job, department=department, title=title, reports_to=reports_to, description=description,
        max_workers=max_workers, activation=_day(activation, "--activation", as_json),
    )  # fmt: skip

    async def work(session: AsyncSession) -> Result:
        row = await organisation.create_position(session, fields, position_id=position_id, actor=ACTOR)
        return await position_json(session, row)

    change_in(tenant, work, as_json)


@position_app.command("update")
def position_update(
    tenant: str = TenantOption,
    position: str = typer.Option(..., "--position", help="GUID or id."),
    job: str | None = typer.Option(None, "--job", help="GUID or code."),
    department: str | None = typer.Option(None, "--department", help="GUID or number."),
    title: str | None = typer.Option(None, "--title", help="GUID or code; '' clears it."),
    reports_to: str | None = typer.Option(None, "--reports-to", help="GUID or id; '' clears it."),
    description: str | None = typer.Option(None, "--description"),
    max_workers: int | None = MaxWorkersOption,
    activation: str | None = typer.Option(None, "--activation"),
    as_json: bool = JsonOption,
) -> None:
    """Change what a position is (its id never changes)."""
    fields = PositionFields(
        job=job, department=department, title=title, reports_to=reports_to, description=description,
        max_workers=max_workers, activation=_day(activation, "--activation", as_json),
    )  # fmt: skip

    async def work(session: AsyncSession) -> Result:
        return await position_json(session, await organisation.update_position(session, position, fields, actor=ACTOR))

    change_in(tenant, work, as_json)


@position_app.command("list")
def position_list(
    tenant: str = TenantOption,
    open_on: str | None = typer.Option(None, "--open-on", help="Only those a worker can be assigned to from DATE."),
    as_json: bool = JsonOption,
) -> None:
    """The positions (retired ones included), or those open on a date with their free seats."""
    day = _day(open_on, "--open-on", as_json)

    async def work(session: AsyncSession) -> Result:
        return {"positions": await positions_json(session, day)}

    read_in(tenant, work, as_json)


_retire_commands(position_app, Position, "--position", position_json)

# --- candidates to hire -----------------------------------------------------------------------------------------

candidate_app = typer.Typer(help="Candidates to hire: added by hand, or exported by the ATS.")


@candidate_app.command("add")
def candidate_add(
    tenant: str = TenantOption,
    first_name: str = typer.Option(..., "--first-name"),
    last_name: str = typer.Option(..., "--last-name"),
    email: str | None = typer.Option(None, "--email"),
    phone: str | None = typer.Option(None, "--phone"),
    job_title: str | None = typer.Option(None, "--job-title", help="What they were recruited as."),
    start: str | None = typer.Option(None, "--start", help="The day they can start."),
    as_json: bool = JsonOption,
) -> None:
    """Add a candidate to hire by hand (they wait in *Candidates to hire* for the Hire step)."""
    new = candidates.HandEntered(
        first_name=first_name, last_name=last_name, email=email, phone=phone, job_title=job_title,
        availability_date=_day(start, "--start", as_json),
    )  # fmt: skip

    async def work(session: AsyncSession) -> Result:
        return candidate_json(await candidates.add_candidate(session, new, actor=ACTOR))

    change_in(tenant, work, as_json)


@candidate_app.command("list")
def candidate_list(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """Every candidate to hire with its status (the applicant integration result)."""

    async def work(session: AsyncSession) -> Result:
        return {"candidates": [candidate_json(c) for c in await candidates.list_candidates(session)]}

    read_in(tenant, work, as_json)


NOUNS = (
    ("department", department_app), ("job", job_app), ("title", title_app), ("reason", reason_app),
    ("position", position_app), ("candidate", candidate_app),
)  # fmt: skip


def register(hr_app: typer.Typer) -> None:
    """Add the organisation's nouns to ``hirehub hr``."""
    for name, noun_app in NOUNS:
        hr_app.add_typer(noun_app, name=name)
