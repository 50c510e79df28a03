"""``POST /linkedin/push/{token}``: where LinkedIn delivers a customer's push notifications.

The endpoint only verifies and acknowledges (LinkedIn counts a slow or non-2xx answer as a failed delivery); the
request finder call and the status update happen in a job. See :mod:`hirehub.linkedin.notifications` for the checks;
their refusals are the hub's refusal kinds, which the application answers as problem documents.

The URL is public, so the cheap checks come before the body is read: a declared ``Content-Length`` over the cap,
then the token. A body without a length is read only up to the cap; the rest is never held.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from hirehub.db.session import Database
from hirehub.linkedin.notifications import callback_owner, receive
from hirehub.linkedin.runtime import PUSH_PATH, linkedin_sealer
from hirehub.settings import Settings

router = APIRouter(tags=["linkedin"], include_in_schema=False)
SIGNATURE_HEADER = "X-LI-Signature"
MAX_BODY = 64 * 1024
TOO_LARGE = "a push notification is a small JSON object"


@router.post(PUSH_PATH + "/{push_token}")
async def push(push_token: str, request: Request) -> JSONResponse:
    database: Database = request.app.state.database
    if _declared_length(request) > MAX_BODY:
        raise HTTPException(413, TOO_LARGE, headers={"Connection": "close"})
    await callback_owner(database, push_token)
    body = await _read_at_most(request, MAX_BODY)
    settings: Settings = request.app.state.settings
    receipt = await receive(
        database, sealer=linkedin_sealer(settings.secret_key), push_token=push_token, body=body,
        signature=request.headers.get(SIGNATURE_HEADER), now=datetime.now(UTC),
    )  # fmt: skip
    return JSONResponse({"status": receipt.outcome}, status_code=receipt.status)


def _declared_length(request: Request) -> int:
    """The ``Content-Length`` the caller declared (0 when absent: then reading stops at the cap)."""
    text = request.headers.get("content-length", "").strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()):
        raise HTTPException(400, "Content-Length is not a number of bytes")
    return int(text) if len(text) <= 20 else MAX_BODY + 1


async def _read_at_most(request: Request, limit: int) -> bytes:
    """The body, read chunk by chunk and abandoned once it passes ``limit``."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, TOO_LARGE, headers={"Connection": "close"})
    return bytes(body)
