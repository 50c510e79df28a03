"""The OData layer serves exactly what its binding declares: a table the binding leaves out does not exist for
the API, a table's write hooks run around a generic write, and every refusal — the hub's by its kind, the
database's by its constraint codes — answers in Dataverse's shape."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.dataverse import binding
from hirehub.errors import AlreadyExists, Conflict, Forbidden, Invalid, NotFound, Unavailable
from hirehub.hr.models import Skill
from hirehub.odata.binding import Binding, TableDefinition, WriteHooks
from hirehub.odata.csdl import metadata_document
from hirehub.odata.errors import DUPLICATE_KEY, MISSING_PRIVILEGE, REFERENCED, SERVICE_UNAVAILABLE, as_dataverse_error
from hirehub.odata.model import build_model
from hirehub.security.principal import MissingPrivilege
from hirehub.security.privileges import Privilege
from tests.odata.conftest import API, PEOPLE, Caller, Hub

SKILLS = f"{API}/mshr_hcmskillentities"
SKILL_TABLE = "mshr_hcmskillentity"


def hr_binding_with(*tables: TableDefinition) -> Binding:
    """The HR binding cut down to ``tables``, with its naming and no actions."""
    return Binding(tables=tables, property_name=binding().property_name)


def hr_table(logical_name: str, **changes: Any) -> TableDefinition:
    (table,) = [t for t in binding().tables if t.logical_name == logical_name]
    return dataclasses.replace(table, **changes)


def test_a_table_the_binding_leaves_out_is_not_in_the_model_nor_in_metadata() -> None:
    model = build_model(hr_binding_with(hr_table(SKILL_TABLE)))
    assert list(model.types) == [SKILL_TABLE]
    assert b"mshr_dirpersonentity" not in metadata_document(model)


def test_a_lookup_to_a_table_the_binding_leaves_out_is_not_offered() -> None:
    model = build_model(hr_binding_with(hr_table(SKILL_TABLE)))
    assert model.entity_type(SKILL_TABLE).lookups == {}


def test_an_action_on_a_table_the_binding_leaves_out_is_refused_when_the_model_is_built() -> None:
    (hire,) = binding().actions
    with pytest.raises(LookupError):
        build_model(dataclasses.replace(hr_binding_with(hr_table(SKILL_TABLE)), actions=(hire,)))


async def test_the_api_answers_404_for_a_set_its_binding_leaves_out(hub: Hub, hr: Caller) -> None:
    hub.app.state.odata_binding = hr_binding_with(hr_table(SKILL_TABLE))
    assert (await hr.get(SKILLS)).status_code == 200
    unknown = await hr.get(PEOPLE)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "Resource not found for the segment 'mshr_dirpersonentities'."


async def test_a_tables_write_hooks_run_around_a_create(hub: Hub, hr: Caller) -> None:
    seen: list[str] = []

    async def describe(session: AsyncSession, row: Skill) -> None:
        row.description = f"Skill {row.skill_id}"
        seen.append("before_insert")

    async def after(session: AsyncSession, row: Skill) -> None:
        seen.append(f"after_write {row.description}")

    hooks = WriteHooks(before_insert=describe, after_write=after)
    hub.app.state.odata_binding = hr_binding_with(hr_table(SKILL_TABLE, hooks=hooks))
    skill = await hr.create(SKILLS, {"mshr_skillid": "PY"})
    assert (await hr.get(f"{SKILLS}({skill})")).json()["mshr_description"] == "Skill PY"
    assert seen == ["before_insert", "after_write Skill PY"]


async def test_a_create_the_existing_hook_recognises_updates_that_row(hub: Hub, hr: Caller) -> None:
    first = await hr.create(SKILLS, {"mshr_skillid": "PY", "mshr_description": "Python"})

    async def same_skill_id(session: AsyncSession, body: Any) -> Any:
        return await session.get(Skill, uuid.UUID(first))

    hub.app.state.odata_binding = hr_binding_with(hr_table(SKILL_TABLE, hooks=WriteHooks(existing=same_skill_id)))
    again = await hr.create(SKILLS, {"mshr_skillid": "PY", "mshr_description": "Python 3"})
    assert again == first
    assert (await hr.get(f"{SKILLS}({first})")).json()["mshr_description"] == "Python 3"


async def test_a_set_the_binding_marks_read_only_refuses_writes_with_its_reason(hub: Hub, hr: Caller) -> None:
    reason = "skills come from the competency catalogue."
    hub.app.state.odata_binding = hr_binding_with(hr_table(SKILL_TABLE, read_only=reason))
    refused = await hr.post(SKILLS, {"mshr_skillid": "PY"})
    assert refused.status_code == 405
    assert refused.json()["error"]["message"] == f"'mshr_hcmskillentities' cannot be written through the API: {reason}"


async def test_a_duplicate_alternate_key_is_refused_as_dataverse_refuses_it(hr: Caller) -> None:
    await hr.create(SKILLS, {"mshr_skillid": "PY"})
    duplicate = await hr.post(SKILLS, {"mshr_skillid": "PY"})
    assert duplicate.status_code == 412
    assert duplicate.json()["error"] == {
        "code": DUPLICATE_KEY, "message": "A record with matching key values already exists."
    }  # fmt: skip


async def test_deleting_a_record_others_refer_to_is_refused_by_its_foreign_key(hr: Caller) -> None:
    skill = await hr.create(SKILLS, {"mshr_skillid": "PY"})
    person = await hr.create(PEOPLE, {"mshr_firstname": "Ann"})
    await hr.create(
        f"{API}/mshr_hcmpersonskillentities",
        {"mshr_FK_Skill_id@odata.bind": f"/mshr_hcmskillentities({skill})",
         "mshr_FK_Person_id@odata.bind": f"/mshr_dirpersonentities({person})"},
    )  # fmt: skip
    refused = await hr.delete(f"{SKILLS}({skill})")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == REFERENCED
    assert (await hr.get(f"{SKILLS}({skill})")).status_code == 200


@pytest.mark.parametrize(
    ("refusal", "status", "code"),
    [
        (Invalid("a start date is required", field="StartDate"), 400, "0x80040265"),
        (NotFound("no position P-9"), 404, "0x80040217"),
        (AlreadyExists("worker 000123 exists"), 412, DUPLICATE_KEY),
        (Conflict("the candidate was hired already"), 400, "0x80040265"),
        (Forbidden("not for you"), 403, MISSING_PRIVILEGE),
        (MissingPrivilege("missing prvCreatemshr_x", table="mshr_x", privilege=Privilege.CREATE), 403,
         MISSING_PRIVILEGE),
        (Unavailable("the directory is throttling", retry_after=30), 503, SERVICE_UNAVAILABLE),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)  # fmt: skip
def test_each_kind_of_refusal_has_one_dataverse_answer(refusal: Exception, status: int, code: str) -> None:
    answer = as_dataverse_error(refusal)
    assert (answer.status, answer.code) == (status, code)


def test_a_refusal_keeps_its_message_except_a_duplicate_which_says_what_dataverse_says() -> None:
    assert as_dataverse_error(NotFound("no position P-9")).message == "no position P-9"
    assert as_dataverse_error(AlreadyExists("x")).message == "A record with matching key values already exists."


def test_an_unavailable_refusal_tells_the_client_when_to_retry() -> None:
    assert as_dataverse_error(Unavailable("busy", retry_after=29.6)).headers == {"Retry-After": "30"}


def test_a_fault_that_is_no_refusal_is_raised_again() -> None:
    with pytest.raises(ZeroDivisionError):
        as_dataverse_error(ZeroDivisionError())
