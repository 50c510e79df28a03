"""A refusal for a missing HR privilege names the privilege and a role that actually grants it."""

from __future__ import annotations

import uuid

import pytest

from hirehub.db.session import Database
from hirehub.security.principal import HRRoleOffer, MissingPrivilege, Principal
from hirehub.security.privileges import (
    SYSTEM_ADMINISTRATOR_ROLE_NAME,
    Depth,
    Grant,
    HRPrivileges,
    PlatformPrivileges,
    Privilege,
)
from tests.odata.conftest import API, Hub
from tests.security.conftest import set_up_integration

DEPARTMENTS = f"{API}/mshr_omdepartmententities"


async def test_the_recruiting_role_is_told_which_role_grants_creating_a_department(
    hub: Hub, database: Database
) -> None:
    integration = await set_up_integration(database, "admin.example", roles=(SYSTEM_ADMINISTRATOR_ROLE_NAME,))
    caller = await hub.caller(integration)

    refused = await caller.post(DEPARTMENTS, {"mshr_departmentnumber": "D1", "mshr_name": "Engineering"})

    assert refused.status_code == 403
    message = refused.json()["error"]["message"]
    assert "Create on 'mshr_omdepartmententity'" in message
    assert "such as Human resource manager (HcmHumanResourceManager)" in message
    assert "Recruiting application" not in message
    assert (await caller.get(DEPARTMENTS)).json()["value"] == []


def test_with_no_role_granting_it_the_refusal_says_how_to_grant_it() -> None:
    principal = Principal(
        tenant_id=uuid.uuid4(), client_id="app", application_user_id=uuid.uuid4(), hr_user_id="ats",
        platform=PlatformPrivileges.combine([Grant("mshr_hcmworkerentity", Privilege.DELETE, Depth.ORGANIZATION)]),
        hr=HRPrivileges(), role_count=1,
        other_hr_roles=(HRRoleOffer("Readers", "Readers", HRPrivileges.combine([{"mshr_hcmworkerentity": ["Read"]}]),
                                    built_in=False),),
    )  # fmt: skip

    with pytest.raises(MissingPrivilege) as refused:
        principal.require("mshr_hcmworkerentity", Privilege.DELETE)

    assert "No HR role of this organisation grants it" in str(refused.value)
    assert "add Delete on 'mshr_hcmworkerentity' to an HR role" in str(refused.value)
