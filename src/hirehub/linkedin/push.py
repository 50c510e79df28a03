"""``POST /linkedin/push/{token}``: where LinkedIn delivers a customer's push notifications.

The endpoint only verifies and acknowledges (LinkedIn counts a slow or non-2xx answer as a failed delivery); the
request finder call and the status update happen in a job. See :mod:`hirehub.linkedin.notifications` for the checks;
their refusals are the hub's refusal kinds, which the application answers as problem documents.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from hirehub.db.session import Database
from hirehub.linkedin.notifications import receive
from hirehub.linkedin.runtime import PUSH_PATH, linkedin_sealer
from hirehub.settings import Settings

router = APIRouter(tags=["linkedin"], include_in_schema=False)
SIGNATURE_HEADER = "X-LI-Signature"
MAX_BODY = 64 * 1024


@router.post(PUSH_PATH + "/{push_token}")
async def push(push_token: str, request: Request) -> JSONResponse:
    database: Database = request.app.state.database
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(413, "a push notification is a small JSON object")
    settings: Settings = request.app.state.settings
    receipt = await receive(
        database, sealer=linkedin_sealer(settings.secret_key), push_token=push_token, body=body,
        signature=request.headers.get(SIGNATURE_HEADER), now=datetime.now(UTC),
    )  # fmt: skip
    return JSONResponse({"status": receipt.outcome}, status_code=receipt.status)
