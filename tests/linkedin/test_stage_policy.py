"""An application's stage costs a call of its own (one application per call, against the same daily quota as the
applications): the first sync of an application sends none, and later syncs send the stage only when it changed
since the one LinkedIn last got."""

from __future__ import annotations

import uuid

from hirehub.hr.models import CandidateToHire
from hirehub.hr.models.options import ApplicantIntegrationResult
from hirehub.linkedin.data_models import SyncKind
from tests.linkedin.conftest import LinkedIn
from tests.linkedin.test_data_send import _enabled_with_history, _settle, _states
from tests.linkedin.test_end_to_end import ORGANIZATION


def _stage_calls(linkedin: LinkedIn, since: int) -> list[str]:
    return [sent.url for sent in linkedin.wire.sent[since:] if sent.method == "PUT" and "/stages" in sent.url]


async def _change(linkedin: LinkedIn, tenant_id: uuid.UUID, candidate_id: uuid.UUID, **values: object) -> None:
    async with linkedin.database.tenant_transaction(tenant_id) as session:
        candidate = await session.get(CandidateToHire, candidate_id)
        assert candidate is not None
        for name, value in values.items():
            setattr(candidate, name, value)
    await _settle(linkedin)


async def test_the_first_sync_of_an_application_makes_no_stage_call_and_remembers_the_stage_it_had(
    linkedin: LinkedIn,
) -> None:
    tenant_id, records = await _enabled_with_history(linkedin)

    application = (await _states(linkedin, tenant_id))[(SyncKind.APPLICATION, records["applicant"])]

    assert linkedin.world.data.application(ORGANIZATION, str(application.ats_id)) is not None
    assert _stage_calls(linkedin, 0) == []
    assert linkedin.world.data.stages == {}
    assert application.stage == "Offer accepted"


async def test_a_stage_that_changed_is_sent_once_and_a_change_elsewhere_sends_no_stage(linkedin: LinkedIn) -> None:
    tenant_id, records = await _enabled_with_history(linkedin)
    before = len(linkedin.wire.sent)

    await _change(linkedin, tenant_id, records["applicant"],
                  applicant_integration_result=ApplicantIntegrationResult.HIRED.value)  # fmt: skip

    application = (await _states(linkedin, tenant_id))[(SyncKind.APPLICATION, records["applicant"])]
    assert len(_stage_calls(linkedin, before)) == 1
    [stages] = linkedin.world.data.stages.values()
    assert [stage["stage"] for stage in stages.values()] == ["Hired"]
    assert application.stage == "Hired"

    before = len(linkedin.wire.sent)
    await _change(linkedin, tenant_id, records["applicant"], last_name="Okafor-Hale")

    renamed = linkedin.world.data.application(ORGANIZATION, str(application.ats_id))
    assert renamed is not None and renamed["lastName"] == "Okafor-Hale"  # the application itself was sent again
    assert _stage_calls(linkedin, before) == []
