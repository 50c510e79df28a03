"""The data-sync calls the hub makes to LinkedIn once a customer's integration is enabled (RSC Module 2).

- ``simpleJobPostings`` ``batch_create`` (one task URN per element, in order) and ``simpleJobPostingTasks``
  ``batch_get`` (each task's status);
- ``atsCandidates`` ``batch_update``, ``batch_get`` (the members each candidate matched), ``batch_delete``;
- ``atsApplications`` ``batch_update``, ``batch_delete``, and the ``batch_update`` of one application's stages.

Rest.li 1.0 on LinkedIn's real URLs, keys written by :mod:`hirehub.restli` (as :mod:`hirehub.linkedin.client`
does; errors are its :class:`~hirehub.linkedin.errors.LinkedInUnavailable` — 5xx, 408, 429 with ``Retry-After`` —
and :class:`~hirehub.linkedin.errors.LinkedInRefused`).

The limits are kept by construction, across every worker and process, with the hub-wide :class:`Pacer`: each
customer application has one pacer per resource, so that resource's calls go one after another ("batch calls …
in sequential order") and, for candidates and applications, an answer is followed by the next call no sooner than
:data:`RECORD_LIMITED_INTERVAL` — at most 100 calls of at most 100 records in any minute, LinkedIn's 10,000 records
a minute per application. The task reads are not paced (300,000 a day, no per-minute limit). The daily quotas
(100,000 requests) are the sync's to count: at this pace a day holds 144,000 calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx

from hirehub.db.session import Database
from hirehub.linkedin.batches import MAX_BATCH
from hirehub.linkedin.client import API, PROTOCOL, BatchAnswer, LinkedInClient
from hirehub.linkedin.errors import LinkedInRefused
from hirehub.linkedin.pacer import Pacer
from hirehub.linkedin.runtime import LinkedInRuntime
from hirehub.linkedin.tokens import AccessToken, fetch_token
from hirehub.restli import encode_key, ids_query

JOB_POSTINGS = "simpleJobPostings"
CANDIDATES = "atsCandidates"
APPLICATIONS = "atsApplications"
RECORDS_PER_MINUTE = 10_000
RECORD_LIMITED_INTERVAL = timedelta(minutes=1) * MAX_BATCH / RECORDS_PER_MINUTE
"""0.6 s from one answer to the next call: a full batch every 0.6 s is 10,000 records a minute."""
SEQUENTIAL = timedelta(0)
"""Job postings: one call after the other (the pacer's register holds the next until the answer is back)."""

Record = tuple[Mapping[str, str], Mapping[str, Any]]
"""A record to send: its compound key and its payload (a mapping's ``Mapped.key`` and ``Mapped.payload``)."""
PacerFactory = Callable[[str, timedelta], Pacer]


def hub_pacer(name: str, interval: timedelta) -> Pacer:
    return Pacer(name, interval)


class DataSyncClient(LinkedInClient):
    """One customer application's data-sync calls, authorised by its ``token``, paced per resource hub-wide."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        database: Database,
        pacer: Pacer,
        token: str,
        *,
        client_id: str,
        pacer_factory: PacerFactory = hub_pacer,
    ) -> None:
        super().__init__(http, database, pacer, token)
        self._pacers = {
            resource: pacer_factory(f"{resource}:{client_id}", interval)
            for resource, interval in (
                (JOB_POSTINGS, SEQUENTIAL),
                (CANDIDATES, RECORD_LIMITED_INTERVAL),
                (APPLICATIONS, RECORD_LIMITED_INTERVAL),
            )
        }

    async def _paced(
        self, resource: str, method: str, url: str, *, body: Mapping[str, Any] | None = None, restli_method: str
    ) -> httpx.Response:
        async with self._pacers[resource].turn(self._database):
            return await self._send(method, url, body=body, restli_method=restli_method, paced=False)

    # job postings ------------------------------------------------------------------------------------------------
    async def create_job_postings(self, elements: Sequence[Mapping[str, Any]]) -> list[str]:
        """``batch_create`` up to 100 job posting elements; the task URN of each, in the elements' order."""
        self._check_batch(len(elements))
        response = await self._paced(
            JOB_POSTINGS,
            "POST",
            f"{API}/simpleJobPostings",
            body={"elements": [dict(e) for e in elements]},
            restli_method="batch_create",
        )
        answered = response.json().get("elements") or []
        if len(answered) != len(elements) or not all(isinstance(a, dict) and a.get("id") for a in answered):
            raise LinkedInRefused("LinkedIn's batch create answer does not name a task for each element")
        return [str(a["id"]) for a in answered]

    async def job_posting_tasks(self, task_urns: Sequence[str]) -> BatchAnswer:
        """Each task's ``status`` (``IN_PROGRESS``, ``SUCCEEDED`` with ``jobPosting``, ``FAILED`` with a reason)."""
        self._check_batch(len(task_urns))
        url = f"{API}/simpleJobPostingTasks?{ids_query(list(task_urns), PROTOCOL)}"
        return self._batch(await self._send("GET", url, paced=False))

    # candidates and applications ---------------------------------------------------------------------------------
    async def sync_candidates(self, records: Sequence[Record]) -> BatchAnswer:
        """``batch_update`` (create or replace) up to 100 candidates."""
        return await self._update(CANDIDATES, f"{API}/atsCandidates", records)

    async def candidate_matches(self, keys: Sequence[Mapping[str, str]]) -> BatchAnswer:
        """``batch_get`` of synced candidates: each result carries ``matchedMembers`` and ``manualMatchedMember``."""
        self._check_batch(len(keys))
        url = f"{API}/atsCandidates?{ids_query(list(keys), PROTOCOL)}"
        return self._batch(await self._paced(CANDIDATES, "GET", url, restli_method="batch_get"))

    async def delete_candidates(self, keys: Sequence[Mapping[str, str]]) -> BatchAnswer:
        return await self._delete(CANDIDATES, f"{API}/atsCandidates", keys)

    async def sync_applications(self, records: Sequence[Record]) -> BatchAnswer:
        """``batch_update`` up to 100 applications; each payload must carry every available field."""
        return await self._update(APPLICATIONS, f"{API}/atsApplications", records)

    async def delete_applications(self, keys: Sequence[Mapping[str, str]]) -> BatchAnswer:
        return await self._delete(APPLICATIONS, f"{API}/atsApplications", keys)

    async def sync_application_stages(
        self, application_key: Mapping[str, str], stages: Mapping[str, Mapping[str, Any]]
    ) -> BatchAnswer:
        """``batch_update`` of one application's stages, by stage id."""
        self._check_batch(len(stages))
        names = list(stages)
        path_key = encode_key(application_key, PROTOCOL)
        url = f"{API}/atsApplications/{path_key}/stages?{ids_query(names, PROTOCOL)}"
        entities = {encode_key(name, PROTOCOL): dict(stages[name]) for name in names}
        response = await self._paced(
            APPLICATIONS, "PUT", url, body={"entities": entities}, restli_method="batch_update"
        )
        return self._batch(response)

    async def _update(self, resource: str, url: str, records: Sequence[Record]) -> BatchAnswer:
        self._check_batch(len(records))
        keys = [key for key, _ in records]
        entities = {encode_key(key, PROTOCOL): dict(payload) for key, payload in records}
        if len(entities) != len(records):
            raise ValueError("a batch names each record once")
        response = await self._paced(
            resource,
            "PUT",
            f"{url}?{ids_query(keys, PROTOCOL)}",
            body={"entities": entities},
            restli_method="batch_update",
        )
        return self._batch(response)

    async def _delete(self, resource: str, url: str, keys: Sequence[Mapping[str, str]]) -> BatchAnswer:
        self._check_batch(len(keys))
        response = await self._paced(
            resource, "DELETE", f"{url}?{ids_query(list(keys), PROTOCOL)}", restli_method="batch_delete"
        )
        return self._batch(response)


async def data_sync_client(
    runtime: LinkedInRuntime,
    database: Database,
    client_id: str,
    client_secret: str,
    *,
    pacer_factory: PacerFactory = hub_pacer,
) -> DataSyncClient:
    """A data-sync client authorised as the customer app ``client_id`` (its token from the runtime's cache)."""

    async def fetch(cid: str, secret: str, now: datetime) -> AccessToken:
        return await fetch_token(runtime.http, cid, secret, now)

    token = await runtime.tokens.token(client_id, client_secret, fetch)
    return DataSyncClient(
        runtime.http, database, runtime.pacer, token, client_id=client_id, pacer_factory=pacer_factory
    )
