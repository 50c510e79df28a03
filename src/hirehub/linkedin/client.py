"""The Rest.li calls the hub makes to LinkedIn, on their real URLs and wire format.

Requests speak Rest.li protocol 1.0, as LinkedIn's RSC onboarding guide and LinkedIn's own samples do (no
``X-RestLi-Protocol-Version`` header, ``ids[0].k=v`` in queries, ``k1=v1&k2=v2`` keys in bodies and paths); the keys are
written and read by :mod:`hirehub.restli`, which LinkedIn's emulator shares. Every *batch* call on ``atsIntegrations``
(the ``batch_partial_update`` of integrations and the batch get of their statuses) is made in a turn of the hub-wide
pacer, which lasts until LinkedIn's answer is back: the guide's rule is "batch calls grouped with no more than 100
records and a minimum delay of one-second between calls". A configuration upsert concerns one integration and the
request finder one notification; they are not batch calls over integrations and are not held back (they still count
toward the daily call limit).

An answer's status decides the exception: 5xx, 429 and network errors are
:class:`~hirehub.linkedin.errors.LinkedInUnavailable` (retry later, honouring ``Retry-After``); any other 4xx is
:class:`~hirehub.linkedin.errors.LinkedInRefused`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from hirehub.db.session import Database
from hirehub.linkedin.batches import MAX_BATCH
from hirehub.linkedin.errors import LinkedInRefused, LinkedInUnavailable
from hirehub.linkedin.keys import IntegrationKey
from hirehub.linkedin.pacer import Pacer
from hirehub.restli import METHOD_HEADER, KeyId, Protocol, encode_key, ids_query, parse_batch_response

API = "https://api.linkedin.com/v2"
PROTOCOL = Protocol.V1


@dataclass(frozen=True)
class BatchAnswer:
    results: dict[KeyId, dict[str, Any]]
    errors: dict[KeyId, dict[str, Any]]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or str(response.status_code)
    if isinstance(body, Mapping):
        return str(body.get("message") or body.get("error_description") or body.get("error") or body)[:300]
    return str(body)[:300]


class LinkedInClient:
    """One customer's (or the partner's) calls, authorised by ``token``; batch calls paced hub-wide."""

    def __init__(self, http: httpx.AsyncClient, database: Database, pacer: Pacer, token: str) -> None:
        self._http = http
        self._database = database
        self._pacer = pacer
        self._token = token

    async def _send(
        self,
        method: str,
        url: str,
        *,
        body: Mapping[str, Any] | None = None,
        restli_method: str | None = None,
        paced: bool = True,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token}"}
        if restli_method:
            headers[METHOD_HEADER] = restli_method
        try:
            if paced:
                async with self._pacer.turn(self._database):
                    response = await self._http.request(method, url, json=body, headers=headers)
            else:
                response = await self._http.request(method, url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise LinkedInUnavailable(f"LinkedIn is unreachable: {type(exc).__name__}") from exc
        status = response.status_code
        if status >= 500 or status in (408, 429):
            message = f"LinkedIn answered {status}: {_message(response)}"
            raise LinkedInUnavailable(message, retry_after=_retry_after(response))
        if status >= 400:
            raise LinkedInRefused(f"LinkedIn answered {status}: {_message(response)}", linkedin_status=status)
        return response

    # Provisioning (the partner's token) -----------------------------------------------------------------------
    async def provision_application(self, application: Mapping[str, Any]) -> dict[str, Any]:
        response = await self._send("POST", f"{API}/provisionedApplications", body=application, paced=False)
        return dict(response.json())

    async def application_by_foreign_id(self, unique_foreign_id: str) -> dict[str, Any] | None:
        query = urlencode({"q": "credentialsByUniqueForeignId", "uniqueForeignId": unique_foreign_id})
        response = await self._send("GET", f"{API}/provisionedApplications?{query}", paced=False)
        elements = response.json().get("elements") or []
        return dict(elements[0]) if elements else None

    # Integrations (the customer's token) ----------------------------------------------------------------------
    async def update_integrations(self, names: Sequence[tuple[IntegrationKey, str]]) -> BatchAnswer:
        """``batch_partial_update`` of ``integrationName`` for up to 100 integrations."""
        self._check_batch(len(names))
        keys = [key.as_restli() for key, _ in names]
        entities = {
            encode_key(key.as_restli(), PROTOCOL): {"patch": {"$set": {"integrationName": name}}} for key, name in names
        }
        url = f"{API}/atsIntegrations?{ids_query(keys, PROTOCOL)}"
        response = await self._send("POST", url, body={"entities": entities}, restli_method="batch_partial_update")
        return self._batch(response)

    async def update_configurations(self, key: IntegrationKey, values: Mapping[str, str]) -> BatchAnswer:
        """``batch_update`` of one integration's configuration values (``CALLBACK_URL``, visibility defaults)."""
        names = list(values)
        path_key = encode_key(key.as_restli(), PROTOCOL)
        url = f"{API}/atsIntegrations/{path_key}/configurations?{ids_query(names, PROTOCOL)}"
        entities = {encode_key(name, PROTOCOL): {"configurationValue": {"string": values[name]}} for name in names}
        response = await self._send("PUT", url, body={"entities": entities}, restli_method="batch_update", paced=False)
        return self._batch(response)

    async def integrations_of_request(self, request_id: str) -> list[dict[str, Any]]:
        """The request finder: the integrations a push notification is about."""
        query = urlencode({"q": "request", "requestId": request_id})
        response = await self._send("GET", f"{API}/atsIntegrations?{query}", paced=False)
        return [dict(element) for element in response.json().get("elements") or []]

    async def exported_candidates(self, request_id: str) -> list[dict[str, Any]]:
        """One-Click Export: the profile a recruiter exported, by the request id its push notification carried."""
        query = urlencode({"q": "request", "requestId": request_id})
        response = await self._send("GET", f"{API}/exportedCandidates?{query}", paced=False)
        return [dict(element) for element in response.json().get("elements") or []]

    async def get_integrations(self, keys: Sequence[IntegrationKey]) -> BatchAnswer:
        """Batch get (the manual status retrieval for integrations onboarded before notifications existed)."""
        self._check_batch(len(keys))
        url = f"{API}/atsIntegrations?{ids_query([key.as_restli() for key in keys], PROTOCOL)}"
        return self._batch(await self._send("GET", url))

    @staticmethod
    def _check_batch(size: int) -> None:
        if not 1 <= size <= MAX_BATCH:
            raise ValueError(f"a batch call carries 1 to {MAX_BATCH} entities, not {size}")

    @staticmethod
    def _batch(response: httpx.Response) -> BatchAnswer:
        body = response.json()
        results, errors = parse_batch_response(body, PROTOCOL)
        # Batch GET answers per-key failures under "statuses" as well as "errors" (the guide's sample has both).
        for raw_key, status in (body.get("statuses") or {}).items():
            parsed, _ = parse_batch_response({"results": {raw_key: {"status": status}}}, PROTOCOL)
            for key_id, value in parsed.items():
                if not 200 <= int(status) < 300:
                    errors.setdefault(key_id, value)
        return BatchAnswer(results, errors)
