"""The organisation in the console: departments, jobs, titles, positions and termination reasons.

Every section has the same four pages — the list (retired records shown apart), *New*, the record's edit page,
and *Retire* behind a confirmation — so each is declared once as a :class:`Section`: its fields, the columns of
its list and the calls of :mod:`hirehub.hr.organisation` it makes. The service checks, numbers and audits; a
refusal comes back beside the field it names, with nothing changed. A record is addressed by its GUID in the
administrator's tenant only: another tenant's is the same 404 as one that does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.accounts import SignedIn
from hirehub.db.session import Database
from hirehub.hr import organisation as org
from hirehub.hr.as_of import tenant_today
from hirehub.hr.models import Department, Job, Position, ReasonCode, Title
from hirehub.hr.organisation import PositionFields
from hirehub.hr.references import code_column
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.forms import FormState, PostedForm, actor, submit, with_message
from hirehub.web.pages import not_found, render, render_form

router = APIRouter(include_in_schema=False)
Values = Mapping[str, str]
Labels = dict[uuid.UUID, str]


@dataclass(frozen=True)
class Field:
    """One control of a section's form; ``name`` is also the service's name for it, so a refusal finds it."""

    name: str
    label: str
    kind: str = "text"  # text, select (of ``offers``' records), date or number
    required: bool = False
    hint: str = ""
    code: bool = False  # the record's human code: given when it is created, shown but never changed after
    offers: type[Any] | None = None


@dataclass(frozen=True)
class Column:
    heading: str
    value: Callable[[Any, Labels], str]


@dataclass(frozen=True)
class Section:
    """One kind of organisation record as the console shows and changes it."""

    slug: str
    model: type[Any]
    singular: str
    heading: str
    intro: str
    fields: tuple[Field, ...]
    columns: tuple[Column, ...]
    create: Callable[[AsyncSession, Values, str], Awaitable[Any]]
    update: Callable[[AsyncSession, str, Values, str], Awaitable[Any]]
    values: Callable[[Any], dict[str, str]]
    dated_retirement: bool = False

    @property
    def path(self) -> str:
        return f"/console/{self.slug}/"

    def code_of(self, record: Any) -> str:
        return str(getattr(record, code_column(self.model).key))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _label(record: Any) -> str:
    code = str(getattr(record, code_column(type(record)).key))
    name = getattr(record, "name", None) or getattr(record, "description", None)
    return f"{code} – {name}" if name and name != code else code


def _ref(attribute: str) -> Callable[[Any, Labels], str]:
    return lambda record, labels: labels.get(getattr(record, attribute), "—")


def _attr(attribute: str) -> Callable[[Any, Labels], str]:
    return lambda record, _labels: _text(getattr(record, attribute)) or "—"


def _blank(value: str | None) -> str | None:
    """None for a control left empty (the service then draws a number or leaves the value out)."""
    return value if value and value.strip() else None


def _position_fields(values: Values, *, creating: bool) -> PositionFields:
    seats = values.get("max_workers", "").strip()
    activation = values.get("activation", "").strip()
    return PositionFields(
        job=values.get("job", ""), department=values.get("department", ""),
        title=_blank(values.get("title")) if creating else values.get("title", ""),
        reports_to=_blank(values.get("reports_to")) if creating else values.get("reports_to", ""),
        description=values.get("description", ""), max_workers=int(seats) if seats else None,
        activation=date.fromisoformat(activation) if activation else None,
    )  # fmt: skip


SECTIONS: tuple[Section, ...] = (
    Section(
        "departments", Department, "department", "Departments",
        "Departments of the organisation. A position belongs to one; a worker's department is their position's.",
        (
            Field("department_number", "Department number", code=True, hint="Left empty, the next number is drawn."),
            Field("name", "Name", required=True),
            Field("parent", "Parent department", kind="select", offers=Department),
        ),
        (Column("Number", _attr("department_number")), Column("Name", _attr("name")),
         Column("Parent department", _ref("parent_department_id"))),
        create=lambda s, v, who: org.create_department(
            s, name=v["name"], number=_blank(v.get("department_number")), parent=_blank(v.get("parent")), actor=who
        ),
        update=lambda s, ref, v, who: org.update_department(s, ref, name=v["name"], parent=v["parent"], actor=who),
        values=lambda r: {"department_number": r.department_number, "name": r.name,
                          "parent": _text(r.parent_department_id)},
    ),
    Section(
        "hr-jobs", Job, "job", "Organisation jobs",
        "Jobs describe work; positions are seats for a job. A job's title is what its positions carry by default.",
        (
            Field("job_id", "Job", required=True, code=True, hint="Its code, for example DEV-ENG."),
            Field("description", "Description"),
            Field("title", "Title", kind="select", offers=Title),
        ),
        (Column("Job", _attr("job_id")), Column("Description", _attr("description")),
         Column("Title", _ref("title_id"))),
        create=lambda s, v, who: org.create_job(
            s, name=v["job_id"], description=v.get("description"), title=_blank(v.get("title")), actor=who
        ),
        update=lambda s, ref, v, who: org.update_job(
            s, ref, description=v["description"], title=v["title"], actor=who
        ),
        values=lambda r: {"job_id": r.job_id, "description": _text(r.description), "title": _text(r.title_id)},
    ),
    Section(
        "titles", Title, "title", "Titles",
        "Titles as workers carry them, and as the directory shows them (the account's job title).",
        (Field("title_id", "Title", required=True, code=True, hint="For example Data Engineer."),
         Field("description", "Description")),
        (Column("Title", _attr("title_id")), Column("Description", _attr("description"))),
        create=lambda s, v, who: org.create_title(s, name=v["title_id"], description=v.get("description"), actor=who),
        update=lambda s, ref, v, who: org.update_title(s, ref, description=v["description"], actor=who),
        values=lambda r: {"title_id": r.title_id, "description": _text(r.description)},
    ),
    Section(
        "positions", Position, "position", "Positions",
        "Seats in the organisation: a job in a department, with a title and the position it reports to. A "
        "worker's manager is whoever holds the position theirs reports to.",
        (
            Field("position_id", "Position", code=True, hint="Left empty, the next number is drawn."),
            Field("description", "Description"),
            Field("job", "Job", kind="select", required=True, offers=Job),
            Field("department", "Department", kind="select", required=True, offers=Department),
            Field("title", "Title", kind="select", offers=Title, hint="Left empty, the job's title."),
            Field("reports_to", "Reports to position", kind="select", offers=Position),
            Field("max_workers", "Workers it seats", kind="number"),
            Field("activation", "Activation", kind="date", hint="The first day it can be filled (YYYY-MM-DD)."),
        ),
        (
            Column("Position", _attr("position_id")), Column("Description", _attr("description")),
            Column("Job", _ref("job_id")), Column("Department", _ref("department_id")),
            Column("Title", _ref("title_id")), Column("Reports to", _ref("reports_to_id")),
            Column("Seats", _attr("max_workers")), Column("Retirement", _attr("retirement")),
        ),
        create=lambda s, v, who: org.create_position(
            s, _position_fields(v, creating=True), position_id=_blank(v.get("position_id")), actor=who
        ),
        update=lambda s, ref, v, who: org.update_position(s, ref, _position_fields(v, creating=False), actor=who),
        values=lambda r: {
            "position_id": r.position_id, "description": _text(r.description), "job": _text(r.job_id),
            "department": _text(r.department_id), "title": _text(r.title_id), "reports_to": _text(r.reports_to_id),
            "max_workers": _text(r.max_workers), "activation": _text(r.activation),
        },
        dated_retirement=True,
    ),
    Section(
        "termination-reasons", ReasonCode, "termination reason", "Termination reasons",
        "The reasons *Terminate* offers; a leaver's employment keeps the one chosen.",
        (Field("reason_code_id", "Reason code", required=True, code=True, hint="For example RESIGN."),
         Field("description", "Description", required=True)),
        (Column("Reason code", _attr("reason_code_id")), Column("Description", _attr("description"))),
        create=lambda s, v, who: org.create_reason(
            s, code=v["reason_code_id"], description=v["description"], actor=who
        ),
        update=lambda s, ref, v, who: org.update_reason(s, ref, description=v["description"], actor=who),
        values=lambda r: {"reason_code_id": r.reason_code_id, "description": _text(r.description)},
    ),
)  # fmt: skip
"""The sections, in the order the navigation lists them."""


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def _labels(session: AsyncSession) -> Labels:
    """Every organisation record's label by GUID, to show the records a row names."""
    labels: Labels = {}
    models: tuple[type[Any], ...] = (Department, Job, Title, Position)
    for model in models:
        labels.update({row.id: _label(row) for row in await session.scalars(select(model))})
    return labels


async def _offers(session: AsyncSession, section: Section, keep: Values) -> dict[str, list[tuple[str, str]]]:
    """The choices of each select: records not retired today, and the one the record holds now even if it is."""
    today = await tenant_today(session)
    offers: dict[str, list[tuple[str, str]]] = {}
    for control in section.fields:
        if control.offers is None:
            continue
        rows = await session.scalars(select(control.offers).order_by(code_column(control.offers)))
        kept = keep.get(control.name, "")
        offers[control.name] = [
            (str(row.id), _label(row) + (" (retired)" if org.is_retired(row, today) else ""))
            for row in rows
            if not org.is_retired(row, today) or str(row.id) == kept
        ]
    return offers


def _read(section: Section, form: Mapping[str, Any], *, creating: bool) -> PostedForm:
    """The posted values of the section's controls, with what does not parse marked beside its control."""
    values = {f.name: str(form.get(f.name, "")) for f in section.fields if creating or not f.code}
    posted = PostedForm(values)
    for control in section.fields:
        raw = values.get(control.name, "")
        if control.kind == "date":
            posted.problems.date(control.name, raw, control.label)
        elif control.kind == "number" and raw.strip() and not raw.strip().isdigit():
            posted.problems[control.name] = f"{control.label} must be a whole number"
        elif control.kind == "select":
            posted.problems.choice(control.name, raw, control.label, required=control.required)
    return posted


def _install(section: Section) -> None:
    async def list_page(request: Request, admin: Admin, notice: str = "", error: str = "") -> Response:
        async with _database(request).tenant_session(admin.tenant_id) as session:
            records = list(await session.scalars(select(section.model).order_by(code_column(section.model))))
            labels = await _labels(session)
            today = await tenant_today(session)
        active, retired = org.partition(records, on=today)
        return render(
            request, "organisation_list.html", section=section, active=active, retired=retired, labels=labels,
            notice=notice, error=error,
        )  # fmt: skip

    async def form_page(
        request: Request, admin: SignedIn, state: FormState, record_id: uuid.UUID | None = None
    ) -> Response:
        async with _database(request).tenant_session(admin.tenant_id) as session:
            record = await session.get(section.model, record_id) if record_id is not None else None
            if record_id is not None and record is None:
                return not_found(request, section.singular)
            values = section.values(record) if record is not None else {}
            state = FormState({**values, **state.values}, state.field_errors, state.error, state.status_code)
            offers = await _offers(session, section, state.values)
            retired = record is not None and org.is_retired(record)  # a retirement set, even a future one
        return render_form(
            request, "organisation_form.html", state, section=section, record=record, offers=offers, retired=retired,
        )  # fmt: skip

    def record_path(record: Any) -> str:
        return f"{section.path}{record.id}"

    async def new_page(request: Request, admin: Admin) -> Response:
        return await form_page(request, admin, FormState())

    async def create(request: Request, admin: Admin) -> Response:
        posted = _read(section, await request.form(), creating=True)

        async def change() -> Any:
            async with _database(request).tenant_transaction(admin.tenant_id) as session:
                return await section.create(session, posted.values, actor(admin))

        def then(record: Any) -> str:
            return with_message(section.path, notice=f"The {section.singular} {section.code_of(record)} was created")

        return await submit(posted, lambda state: form_page(request, admin, state), change, then)

    async def edit_page(request: Request, record_id: uuid.UUID, admin: Admin, notice: str = "") -> Response:
        return await form_page(request, admin, FormState(), record_id)

    async def update(request: Request, record_id: uuid.UUID, admin: Admin) -> Response:
        posted = _read(section, await request.form(), creating=False)

        async def change() -> Any:
            async with _database(request).tenant_transaction(admin.tenant_id) as session:
                return await section.update(session, str(record_id), posted.values, actor(admin))

        def then(record: Any) -> str:
            return with_message(section.path, notice=f"The {section.singular} {section.code_of(record)} was saved")

        return await submit(posted, lambda state: form_page(request, admin, state, record_id), change, then)

    async def retire_page(
        request: Request, admin: SignedIn, record_id: uuid.UUID, state: FormState = FormState()
    ) -> Response:
        async with _database(request).tenant_session(admin.tenant_id) as session:
            record = await session.get(section.model, record_id)
            if record is None:
                return not_found(request, section.singular)
            today = await tenant_today(session)
        state = state.or_values({"on": today.isoformat()})
        return render_form(
            request, "organisation_retire.html", state, section=section, record=record, label=_label(record),
            path=record_path(record),
        )  # fmt: skip

    async def confirm_page(request: Request, record_id: uuid.UUID, admin: Admin) -> Response:
        return await retire_page(request, admin, record_id)

    async def retire(request: Request, record_id: uuid.UUID, admin: Admin) -> Response:
        form = await request.form()
        posted = PostedForm({"on": str(form.get("on", ""))})
        on = posted.problems.date("on", posted.values["on"], "Retire from", required=section.dated_retirement)

        async def change() -> Any:
            async with _database(request).tenant_transaction(admin.tenant_id) as session:
                day = on or await tenant_today(session)
                return await org.retire(session, section.model, str(record_id), actor=actor(admin), on=day)

        def then(record: Any) -> str:
            return with_message(section.path, notice=f"The {section.singular} {section.code_of(record)} was retired")

        if not await _exists(request, section, record_id, admin):
            return not_found(request, section.singular)
        return await submit(posted, lambda state: retire_page(request, admin, record_id, state), change, then)

    async def reinstate(request: Request, record_id: uuid.UUID, admin: Admin) -> Response:
        async def change() -> Any:
            async with _database(request).tenant_transaction(admin.tenant_id) as session:
                return await org.reinstate(session, section.model, str(record_id), actor=actor(admin))

        def then(record: Any) -> str:
            code = section.code_of(record)
            return with_message(section.path, notice=f"The {section.singular} {code} is offered again")

        if not await _exists(request, section, record_id, admin):
            return not_found(request, section.singular)
        return await submit(PostedForm({}), lambda state: form_page(request, admin, state, record_id), change, then)

    csrf = [Depends(require_csrf)]
    base = section.path
    router.add_api_route(base, list_page, methods=["GET"], response_class=HTMLResponse, name=f"{section.slug}-list")
    router.add_api_route(f"{base}new", new_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(f"{base}new", create, methods=["POST"], response_class=HTMLResponse, dependencies=csrf)
    router.add_api_route(f"{base}{{record_id}}", edit_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(
        f"{base}{{record_id}}", update, methods=["POST"], response_class=HTMLResponse, dependencies=csrf
    )
    router.add_api_route(f"{base}{{record_id}}/retire", confirm_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(
        f"{base}{{record_id}}/retire", retire, methods=["POST"], response_class=HTMLResponse, dependencies=csrf
    )
    router.add_api_route(
        f"{base}{{record_id}}/reinstate", reinstate, methods=["POST"], response_class=HTMLResponse, dependencies=csrf
    )


async def _exists(request: Request, section: Section, record_id: uuid.UUID, admin: SignedIn) -> bool:
    """Whether the administrator's tenant has the record (a change of another tenant's is a plain 404)."""
    async with _database(request).tenant_session(admin.tenant_id) as session:
        return await session.get(section.model, record_id) is not None


for _section in SECTIONS:
    _install(_section)
