"""``WhoAmI``: the first call every Dataverse client makes, and the simplest authenticated endpoint."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hirehub.security.principal import Principal
from hirehub.security.routes import PrincipalDependency

router = APIRouter(tags=["dataverse"])
BUSINESS_UNIT_NAMESPACE = uuid.UUID("5b0e7f1c-1d7e-4b61-9c55-6f1f7f0d2a11")


@router.get("/api/data/v9.2/WhoAmI")
@router.get("/api/data/v9.1/WhoAmI")
async def who_am_i(request: Request, principal: Principal = PrincipalDependency) -> JSONResponse:
    version = "v9.1" if "/v9.1/" in request.url.path else "v9.2"
    base = request.app.state.security.base_url
    return JSONResponse(
        {
            "@odata.context": f"{base}/api/data/{version}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
            "BusinessUnitId": str(uuid.uuid5(BUSINESS_UNIT_NAMESPACE, str(principal.tenant_id))),
            "UserId": str(principal.application_user_id),
            "OrganizationId": str(principal.tenant_id),
        },
        headers={"OData-Version": "4.0"},
    )
