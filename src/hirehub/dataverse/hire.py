"""The bound action ``mshr_Hire`` on a candidate to hire: the API's way to make a worker.

It calls the same domain service as the console's *Hire new worker* dialog, so the API and the console
cannot hire differently. It needs Write on the candidate and Create on the worker table, which an ATS's
*Recruiting application* role does not grant: HR hires, the ATS proposes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.hr import services
from hirehub.hr.domain import HireDetails
from hirehub.hr.job_titles import title_without_position
from hirehub.hr.models import CandidateToHire, Worker
from hirehub.odata.binding import ActionParameter, BoundAction
from hirehub.odata.edm import EdmType
from hirehub.security.privileges import Privilege

CANDIDATE_TABLE = "mshr_hcmcandidatetohireentity"
WORKER_TABLE = "mshr_hcmworkerentity"
ACTOR = "web-api"
"""Who the audit log names for a title the action makes."""


async def hire(session: AsyncSession, candidate: CandidateToHire, parameters: Mapping[str, Any]) -> Worker:
    """Without a position, the worker's title is the one the candidate was recruited as (its ATS export's)."""
    details = HireDetails(
        start_date=parameters["StartDate"], first_name=parameters["FirstName"], last_name=parameters["LastName"],
        email=parameters["Email"], phone=parameters["Phone"],
    )  # fmt: skip
    title = await title_without_position(
        session, candidate, position_given=parameters["PositionId"] is not None, actor=ACTOR
    )
    outcome = await services.hire(
        session, candidate.id, details, position_id=parameters["PositionId"], manager_id=parameters["ManagerId"],
        company_code=parameters["CompanyCode"], title_id=title.id if title else None,
    )  # fmt: skip
    return outcome.worker


HIRE = BoundAction(
    name="mshr_Hire",
    bound_to=CANDIDATE_TABLE,
    returns=WORKER_TABLE,
    parameters=(
        ActionParameter("StartDate", EdmType.DATE),
        ActionParameter("PositionId", EdmType.GUID),
        ActionParameter("ManagerId", EdmType.GUID),
        ActionParameter("CompanyCode", EdmType.STRING),
        ActionParameter("FirstName", EdmType.STRING),
        ActionParameter("LastName", EdmType.STRING),
        ActionParameter("Email", EdmType.STRING),
        ActionParameter("Phone", EdmType.STRING),
    ),
    requires=((CANDIDATE_TABLE, Privilege.WRITE), (WORKER_TABLE, Privilege.CREATE)),
    run=hire,
)
