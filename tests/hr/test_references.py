"""Naming a record by its GUID or its human code, within the tenant only."""

from __future__ import annotations

import uuid

import pytest

from hirehub import errors
from hirehub.db.session import Database
from hirehub.hr.models import Department, Position, ReasonCode, Title
from hirehub.hr.references import resolve
from hirehub.tenancy import service as tenancy
from tests.hr.conftest import HR


async def test_a_record_is_found_by_its_guid_and_by_its_code(hr: HR) -> None:
    position = await hr.position("POS-7")
    async with hr.transaction() as session:
        assert (await resolve(session, Position, str(position.id), field="position")).id == position.id
        assert (await resolve(session, Position, "POS-7", field="position")).id == position.id
        assert (await resolve(session, Position, f"{{{position.id}}}", field="position")).id == position.id


async def test_a_code_is_matched_regardless_of_case_when_only_one_record_fits(hr: HR) -> None:
    reason = await hr.reason("RESIGN")
    async with hr.transaction() as session:
        assert (await resolve(session, ReasonCode, "resign", field="reason")).id == reason.id


async def test_an_unknown_code_or_guid_is_not_found_and_names_what_was_looked_for(hr: HR) -> None:
    async with hr.transaction() as session:
        with pytest.raises(errors.NotFound, match="no department 'D-404'") as raised:
            await resolve(session, Department, "D-404", field="department")
        assert raised.value.field == "department"
        with pytest.raises(errors.NotFound, match="no title with id"):
            await resolve(session, Title, str(uuid.uuid4()), field="title")


async def test_an_empty_or_overlong_value_is_invalid(hr: HR) -> None:
    async with hr.transaction() as session:
        with pytest.raises(errors.Invalid) as raised:
            await resolve(session, Department, "  ", field="department")
        assert raised.value.field == "department"
        with pytest.raises(errors.Invalid, match="at most 20 characters"):
            await resolve(session, Department, "D" * 21, field="department")


async def test_another_tenants_record_is_not_found_by_guid_or_by_code(hr: HR, database: Database) -> None:
    async with database.system_transaction() as session:
        other = await tenancy.create_tenant(session, name="Fabrikam", domain="fabrikam.example")
    async with database.tenant_transaction(other.id) as session:
        theirs = Department(department_number="D-9", name="Theirs")
        session.add(theirs)
    async with hr.transaction() as session:
        with pytest.raises(errors.NotFound):
            await resolve(session, Department, str(theirs.id), field="department")
        with pytest.raises(errors.NotFound):
            await resolve(session, Department, "D-9", field="department")
