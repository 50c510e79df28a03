"""HR refusals are kinds of the hub's error tree, naming the input they concern, so every protocol maps them alike."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from hirehub import errors as hub
from hirehub.hr import errors, services
from hirehub.hr.domain import HireDetails
from tests.hr.conftest import HR, START


async def test_a_missing_start_date_is_invalid_and_names_the_start_date(hr: HR) -> None:
    candidate = await hr.candidate()

    with pytest.raises(hub.Invalid) as refused:
        async with hr.transaction() as session:
            await services.hire(session, candidate.id, HireDetails(None))

    assert (type(refused.value), refused.value.field) == (errors.MissingRequiredField, "start_date")


async def test_hiring_a_candidate_twice_is_a_conflict(hr: HR) -> None:
    candidate = await hr.candidate()
    async with hr.transaction() as session:
        await services.hire(session, candidate.id, HireDetails(START))

    with pytest.raises(hub.Conflict):
        async with hr.transaction() as session:
            await services.hire(session, candidate.id, HireDetails(START))


async def test_an_unknown_position_is_not_found_and_names_the_position(hr: HR) -> None:
    candidate = await hr.candidate()

    with pytest.raises(hub.NotFound) as refused:
        async with hr.transaction() as session:
            await services.hire(session, candidate.id, HireDetails(START), position_id=uuid.uuid4())

    assert refused.value.field == "position_id"


async def test_a_termination_before_the_start_is_invalid_and_names_the_last_day(hr: HR) -> None:
    worker = await hr.hired(start=date(2027, 1, 4))

    with pytest.raises(hub.Invalid) as refused:
        async with hr.transaction() as session:
            await services.terminate(session, worker.id, date(2026, 12, 31), today=date(2026, 11, 1))

    assert refused.value.field == "last_day"


def test_every_hr_refusal_is_exactly_one_kind() -> None:
    refusals = [cls for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.HRError)]

    for refusal in refusals:
        if refusal is not errors.HRError:
            assert sum(issubclass(refusal, kind) for kind in hub.KINDS) == 1, refusal.__name__
