"""One-Click Export, as LinkedIn Recruiter does it: a recruiter exports a member, LinkedIn tells the ATS.

LinkedIn's *Retrieve Exported Candidates* page describes the flow: the export sends a signed push notification of
type ``EXPORT_CANDIDATE_PROFILE`` to the customer's ``CALLBACK_URL`` (the configuration of its ONE_CLICK_EXPORT
integration); the ATS then calls ``GET /v2/exportedCandidates?q=request&requestId=<notification id>`` with the
customer application's token and receives the limited profile, with the ``integrationContext`` the export was made
for (which the ATS must check against the customer the callback URL belongs to). Only an ENABLED ONE_CLICK_EXPORT
integration exports.

The element this emulator returns::

    {"integrationContext": "urn:li:organization:…", "exportedAt": <epoch ms>,
     "externalJobPostingId": "<the ATS job the recruiter picked, when one was>",
     "candidate": {"person": "urn:li:person:…", "firstName": …, "lastName": …, "headline": …,
                   "emailAddresses": [...], "phoneNumbers": [{"number": …, "type": …}], "location": …,
                   "linkedInProfileUrl": …}}

The page names the ``candidate`` ("LinkedIn stub profile of the exported member") and ``integrationContext``
fields; the names inside the stub profile follow the ones LinkedIn uses for the same data in ``atsCandidates``.

A person playing the recruiter in development uses ``POST /sandbox/one-click-export`` (JSON: ``organization``,
``member``, optional ``externalJobPostingId``); tests call :func:`export_member` directly.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from hirehub.restli import freeze_key
from hirehub.sandbox.linkedin.notifications import EXPORT_NOTIFICATION_TYPE, Notification, build_notification
from hirehub.sandbox.linkedin.world import Integration, LinkedInError, LinkedInWorld, OnboardingStatus

EXPORT_TYPE = "ONE_CLICK_EXPORT"
CONTROL_PATH = "/sandbox/one-click-export"
MEMBER_FIELDS = (
    "person", "firstName", "lastName", "headline", "emailAddresses", "phoneNumbers", "location", "linkedInProfileUrl",
)  # fmt: skip


class ExportRefused(ValueError):
    """The export cannot happen (no enabled One-Click Export for that organization, or no member URN)."""


def _enabled_export(world: LinkedInWorld, organization: str) -> Integration:
    for integration in world.integrations.values():
        exporting = integration.integration_type == EXPORT_TYPE and integration.integration_context == organization
        if exporting and integration.onboarding_status is OnboardingStatus.ENABLED and integration.owner_client_id:
            return integration
    raise ExportRefused(f"One-Click Export is not enabled for {organization}")


def exported_element(
    organization: str, member: Mapping[str, Any], *, exported_at_ms: int, job_posting_id: str | None = None
) -> dict[str, Any]:
    """The ``exportedCandidates`` element for one member (only the stub profile's fields are kept)."""
    person = member.get("person")
    if not isinstance(person, str) or not person.startswith("urn:li:person:"):
        raise ExportRefused("a member is exported with its person URN (urn:li:person:…)")
    element: dict[str, Any] = {
        "integrationContext": organization,
        "exportedAt": exported_at_ms,
        "candidate": {name: member[name] for name in MEMBER_FIELDS if name in member},
    }
    if job_posting_id is not None:
        element["externalJobPostingId"] = job_posting_id
    return element


async def export_member(
    world: LinkedInWorld,
    organization: str,
    member: Mapping[str, Any],
    *,
    job_posting_id: str | None = None,
    expired: bool = False,
) -> Notification | None:
    """A recruiter exporting ``member`` for ``organization``: the profile is kept under a new request id and the
    signed ``EXPORT_CANDIDATE_PROFILE`` notification is delivered to the integration's ``CALLBACK_URL`` (None when
    it has none)."""
    integration = _enabled_export(world, organization)
    now = world.clock.now()
    element = exported_element(
        organization, member, exported_at_ms=int(now.timestamp() * 1000), job_posting_id=job_posting_id
    )
    callback = integration.configurations.get("CALLBACK_URL")
    owner = integration.owner_client_id
    if callback is None or owner is None:
        return None
    request_id = str(uuid.uuid4())
    world.requests[request_id] = [freeze_key(integration.key)]
    world.exports[request_id] = (owner, element)
    notification = build_notification(
        request_id, callback, world.applications[owner].current_secret, now=now, expired=expired,
        kind=EXPORT_NOTIFICATION_TYPE,
    )  # fmt: skip
    world.notifications[notification.id] = notification
    await world.deliver(notification)
    return notification


def install(app: FastAPI, world: LinkedInWorld) -> None:
    """``GET /v2/exportedCandidates`` (the ATS's side) and the development control that plays the recruiter."""

    @app.get("/v2/exportedCandidates")
    async def exported_candidates(request: Request) -> JSONResponse:
        client = world.authenticate(request.headers.get("Authorization"))
        if client.is_partner:
            raise LinkedInError(403, "Not enough permissions: exportedCandidates takes the customer's token", 100)
        if request.query_params.get("q") != "request":
            raise LinkedInError(400, "exportedCandidates is read with the finder q=request", 400)
        request_id = request.query_params.get("requestId")
        if not request_id:
            raise LinkedInError(400, "requestId is required", 400)
        kept = world.exports.get(request_id)
        elements = [kept[1]] if kept is not None and kept[0] == client.client_id else []
        world.calls.append((client.client_id, "GET", "/v2/exportedCandidates"))
        return JSONResponse({"elements": elements, "paging": {"count": 10, "links": [], "start": 0}})

    @app.post(CONTROL_PATH)
    async def play_recruiter(request: Request) -> JSONResponse:
        document = await request.json()
        if not isinstance(document, dict) or not isinstance(document.get("member"), dict):
            return JSONResponse({"message": "send {organization, member, externalJobPostingId?}"}, status_code=400)
        job = document.get("externalJobPostingId")
        try:
            notification = await export_member(
                world, str(document.get("organization")), document["member"],
                job_posting_id=job if isinstance(job, str) else None,
            )  # fmt: skip
        except ExportRefused as exc:
            return JSONResponse({"message": str(exc)}, status_code=409)
        if notification is None:
            return JSONResponse({"message": "the integration has no CALLBACK_URL"}, status_code=409)
        delivery = world.deliveries[-1]
        return JSONResponse(
            {"requestId": notification.id, "delivered": delivery.succeeded, "status": delivery.status_code},
            status_code=202,
        )
