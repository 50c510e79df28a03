"""The organisation's services: codes, validation, retiring, reports-to, open positions, audit, tenants."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hirehub import errors
from hirehub.audit.models import AuditEntry
from hirehub.db.session import Database
from hirehub.hr import organisation as org
from hirehub.hr import services
from hirehub.hr.domain import HireDetails
from hirehub.hr.models import Department, Job, Position, ReasonCode, Title
from hirehub.hr.organisation import PositionFields
from hirehub.tenancy import service as tenancy
from tests.hr.conftest import HR, START

ADMIN = "console:admin@contoso.example"


async def _in(hr: HR, work: Any) -> Any:
    async with hr.transaction() as session:
        return await work(session)


async def _position(hr: HR, **fields: Any) -> Position:
    async def work(session: Any) -> Position:
        department = await org.create_department(session, name="Engineering", actor=ADMIN)
        job = await org.create_job(session, name="ENG", actor=ADMIN)
        return await org.create_position(
            session, PositionFields(job=job.job_id, department=department.department_number, **fields), actor=ADMIN
        )

    return await _in(hr, work)


async def test_a_department_without_a_number_gets_the_next_one_of_the_tenants_sequence(hr: HR) -> None:
    first = await _in(hr, lambda s: org.create_department(s, name="Engineering", actor=ADMIN))
    second = await _in(hr, lambda s: org.create_department(s, name="Sales", actor=ADMIN))
    assert (first.department_number, second.department_number) == ("DEP000001", "DEP000002")


async def test_a_number_typed_by_hand_is_skipped_by_the_sequence(hr: HR) -> None:
    await _in(hr, lambda s: org.create_department(s, name="Typed", number="DEP000001", actor=ADMIN))
    drawn = await _in(hr, lambda s: org.create_department(s, name="Drawn", actor=ADMIN))
    assert drawn.department_number == "DEP000002"


async def test_a_duplicate_code_is_refused_with_its_field_whatever_its_case(hr: HR) -> None:
    await _in(hr, lambda s: org.create_title(s, name="Data Engineer", actor=ADMIN))
    with pytest.raises(errors.AlreadyExists) as raised:
        await _in(hr, lambda s: org.create_title(s, name="data engineer", actor=ADMIN))
    assert raised.value.field == "title_id"
    assert len(await hr.rows(Title)) == 1


@pytest.mark.parametrize(
    ("name", "field"), [("", "name"), ("   ", "name"), ("x" * 101, "name")], ids=["empty", "blank", "too-long"]
)
async def test_a_department_name_must_be_given_and_fit(hr: HR, name: str, field: str) -> None:
    with pytest.raises(errors.Invalid) as raised:
        await _in(hr, lambda s: org.create_department(s, name=name, actor=ADMIN))
    assert raised.value.field == field
    assert await hr.rows(Department) == []


async def test_a_code_that_looks_like_a_guid_is_refused(hr: HR) -> None:
    with pytest.raises(errors.Invalid) as raised:
        await _in(hr, lambda s: org.create_reason(s, code="0" * 32, description="Odd", actor=ADMIN))
    assert raised.value.field == "reason_code_id"


async def test_every_change_is_audited_with_its_before_and_after(hr: HR) -> None:
    department = await _in(hr, lambda s: org.create_department(s, name="Engineering", actor=ADMIN))
    await _in(hr, lambda s: org.update_department(s, str(department.id), name="R&D", actor=ADMIN))
    await _in(hr, lambda s: org.retire(s, Department, "DEP000001", actor=ADMIN, on=START))
    async with hr.database.tenant_session(hr.tenant_id) as session:
        entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.position)))
    assert [e.action for e in entries] == ["department.created", "department.updated", "department.retired"]
    assert {e.actor for e in entries} == {ADMIN}
    assert entries[1].before is not None and entries[1].before["name"] == "Engineering"
    assert entries[1].after is not None and entries[1].after["name"] == "R&D"
    assert entries[2].after is not None and entries[2].after["retired"] is True


async def test_a_department_cannot_be_put_under_one_of_its_own(hr: HR) -> None:
    top = await _in(hr, lambda s: org.create_department(s, name="Top", actor=ADMIN))
    await _in(hr, lambda s: org.create_department(s, name="Middle", parent=top.department_number, actor=ADMIN))
    with pytest.raises(errors.Invalid) as raised:
        await _in(hr, lambda s: org.update_department(s, "DEP000001", parent="DEP000002", actor=ADMIN))
    assert raised.value.field == "parent"
    assert (await hr.get(Department, top.id)).parent_department_id is None


async def test_a_position_takes_its_jobs_title_and_a_drawn_id(hr: HR) -> None:
    async def work(session: Any) -> Position:
        title = await org.create_title(session, name="Data Engineer", actor=ADMIN)
        await org.create_department(session, name="Engineering", number="ENG", actor=ADMIN)
        await org.create_job(session, name="DE", title=str(title.id), actor=ADMIN)
        return await org.create_position(session, PositionFields(job="DE", department="eng"), actor=ADMIN)

    position = await _in(hr, work)
    assert position.position_id == "POS000001"
    assert position.title_id == (await hr.rows(Title))[0].id


async def test_a_position_needs_a_job_and_a_department(hr: HR) -> None:
    await _in(hr, lambda s: org.create_job(s, name="DE", actor=ADMIN))
    with pytest.raises(errors.Invalid) as raised:
        await _in(hr, lambda s: org.create_position(s, PositionFields(job="DE"), actor=ADMIN))
    assert raised.value.field == "department"
    with pytest.raises(errors.NotFound) as unknown:
        await _in(hr, lambda s: org.create_position(s, PositionFields(job="NOPE", department="X"), actor=ADMIN))
    assert unknown.value.field == "job"
    assert await hr.rows(Position) == []


async def test_reports_to_cannot_form_a_cycle(hr: HR) -> None:
    head = await _position(hr)
    lead = await _in(
        hr,
        lambda s: org.create_position(
            s, PositionFields(job="ENG", department="DEP000001", reports_to=head.position_id), actor=ADMIN
        ),
    )
    for above in (lead.position_id, head.position_id):
        with pytest.raises(errors.Invalid) as raised:
            await _in(
                hr,
                lambda s, a=above: org.update_position(s, head.position_id, PositionFields(reports_to=a), actor=ADMIN),
            )
        assert raised.value.field == "reports_to"
    assert (await hr.get(Position, head.id)).reports_to_id is None


async def test_a_retired_record_stays_readable_but_is_not_offered_for_new_assignments(hr: HR) -> None:
    await _position(hr)
    await _in(hr, lambda s: org.retire(s, Job, "ENG", actor=ADMIN, on=START))
    assert [j.job_id for j in await hr.rows(Job)] == ["ENG"]
    with pytest.raises(errors.Conflict) as raised:
        await _in(hr, lambda s: org.create_position(s, PositionFields(job="ENG", department="DEP000001"), actor=ADMIN))
    assert raised.value.field == "job"
    await _in(hr, lambda s: org.reinstate(s, Job, "ENG", actor=ADMIN))
    await _in(hr, lambda s: org.create_position(s, PositionFields(job="ENG", department="DEP000001"), actor=ADMIN))


async def test_terminate_is_offered_only_reasons_not_retired(hr: HR) -> None:
    await _in(hr, lambda s: org.create_reason(s, code="RESIGN", description="Resignation", actor=ADMIN))
    await _in(hr, lambda s: org.create_reason(s, code="OLD", description="Old reason", actor=ADMIN))
    await _in(hr, lambda s: org.retire(s, ReasonCode, "OLD", actor=ADMIN, on=START))
    offered = await _in(hr, org.termination_reasons)
    assert [r.reason_code_id for r in offered] == ["RESIGN"]
    assert len(await _in(hr, org.list_reasons)) == 2


async def test_open_positions_on_a_date_follow_activation_retirement_and_seats(hr: HR) -> None:
    position = await _position(hr, activation=START)
    before = await _in(hr, lambda s: org.positions_open_on(s, START - timedelta(days=1)))
    on_start = await _in(hr, lambda s: org.positions_open_on(s, START))
    assert before == [] and [p.position.id for p in on_start] == [position.id]
    await _in(hr, lambda s: org.retire(s, Position, position.position_id, actor=ADMIN, on=START + timedelta(days=10)))
    assert await _in(hr, lambda s: org.positions_open_on(s, START + timedelta(days=10))) == []
    assert len(await _in(hr, lambda s: org.positions_open_on(s, START + timedelta(days=9)))) == 1


async def test_a_filled_position_is_not_open_and_cannot_be_retired_while_held(hr: HR) -> None:
    position = await _position(hr)
    await hr.hired(start=START, position_id=position.id)
    assert await _in(hr, lambda s: org.positions_open_on(s, START + timedelta(days=30))) == []
    with pytest.raises(errors.Conflict):
        await _in(hr, lambda s: org.retire(s, Position, position.position_id, actor=ADMIN, on=date(2027, 1, 1)))
    assert (await hr.get(Position, position.id)).retirement is None


async def test_another_tenants_records_cannot_be_named(hr: HR, database: Database) -> None:
    async with database.system_transaction() as session:
        other = await tenancy.create_tenant(session, name="Fabrikam", domain="fabrikam.example")
    async with database.tenant_transaction(other.id) as session:
        theirs = await org.create_department(session, name="Theirs", actor=ADMIN)
    await _in(hr, lambda s: org.create_job(s, name="ENG", actor=ADMIN))
    for named in (str(theirs.id), theirs.department_number):
        with pytest.raises(errors.NotFound):
            await _in(
                hr, lambda s, n=named: org.create_position(s, PositionFields(job="ENG", department=n), actor=ADMIN)
            )
        with pytest.raises(errors.NotFound):
            await _in(hr, lambda s, n=named: org.retire(s, Department, n, actor=ADMIN, on=START))
    assert await hr.rows(Position) == []


async def test_a_retired_position_takes_no_hire_and_no_move_and_nothing_changes(hr: HR) -> None:
    retired = await _position(hr)
    await _in(hr, lambda s: org.retire(s, Position, retired.position_id, actor=ADMIN, on=START))
    candidate = await hr.candidate("Grace", "Hopper")
    before = await hr.state()
    with pytest.raises(errors.Conflict) as refused_hire:
        await _in(hr, lambda s: services.hire(s, candidate.id, HireDetails(START), position_id=retired.id, today=START))
    assert refused_hire.value.field == "position_id"
    assert await hr.state() == before

    worker = await hr.hired()
    before = await hr.state()
    with pytest.raises(errors.Conflict) as refused_move:
        await _in(hr, lambda s: services.transfer(s, worker.id, START + timedelta(days=5), position_id=retired.id))
    assert refused_move.value.field == "position_id"
    assert await hr.state() == before


async def test_a_position_retired_later_still_takes_a_hire_before_its_retirement(hr: HR) -> None:
    position = await _position(hr)
    await _in(hr, lambda s: org.retire(s, Position, position.position_id, actor=ADMIN, on=START + timedelta(days=30)))
    worker = await hr.hired(start=START, position_id=position.id)
    assert worker.personnel_number


async def test_a_retired_reason_is_refused_at_a_termination_and_nothing_changes(hr: HR) -> None:
    await _in(hr, lambda s: org.create_reason(s, code="OLD", description="Old reason", actor=ADMIN))
    reason = (await hr.rows(ReasonCode, reason_code_id="OLD"))[0]
    await _in(hr, lambda s: org.retire(s, ReasonCode, "OLD", actor=ADMIN, on=START))
    worker = await hr.hired()
    before = await hr.state()
    with pytest.raises(errors.Conflict) as refused:
        await _in(hr, lambda s: services.terminate(s, worker.id, START + timedelta(days=3), reason_id=reason.id,
                                                   today=START))  # fmt: skip
    assert refused.value.field == "reason_id"
    assert await hr.state() == before
