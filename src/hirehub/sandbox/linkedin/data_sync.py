"""The data-sync endpoints of the Middleware Platform, on LinkedIn's paths: ``install(app, world)``.

- ``POST /v2/simpleJobPostings`` (``x-restli-method: batch_create``, ``{"elements": [...]}``) → a task URN per
  element; ``GET /v2/simpleJobPostingTasks?ids=…`` (``batch_get``) → each task's status.
- ``PUT /v2/atsCandidates?ids[0].atsCandidateId=…&ids[0].dataProvider=ATS&ids[0].integrationContext=…``
  (``batch_update``); ``GET`` the same ids (``batch_get``: the record and the members it matched); ``POST``
  (``batch_partial_update`` of ``manualMatchedMember``); ``DELETE`` (``batch_delete``).
- ``PUT /v2/atsApplications?ids[0].atsJobApplicationId=…`` (``batch_update``), ``DELETE`` (``batch_delete``), and
  ``PUT /v2/atsApplications/{key}/stages?ids=…`` (``batch_update`` of the application's stages).

Keys in Rest.li 1.0 or 2.0 as the caller's protocol header says, answered in the same protocol; every call needs a
customer application's token and an ENABLED integration for each ``integrationContext`` it names (see
:mod:`~hirehub.sandbox.linkedin.data_world` for the rules and their sources).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from hirehub.restli import (
    ERROR_RESPONSE_HEADER,
    Key,
    Protocol,
    RestliSyntaxError,
    batch_response,
    decode_key,
    encode_key,
    error_response,
)
from hirehub.sandbox.linkedin.app import _body_entities, _Call, _match_ids
from hirehub.sandbox.linkedin.data_world import (
    APPLICATION_KEY_PARTS,
    APPLICATIONS,
    CANDIDATE_KEY_PARTS,
    CANDIDATES,
    DATA_PROVIDER,
    JOB_POSTINGS,
    ORGANIZATION_PREFIX,
    TASK_URN_PREFIX,
    RecordId,
    SyncedData,
    Throttled,
)
from hirehub.sandbox.linkedin.world import LinkedInError, LinkedInWorld

_UPDATED = {"status": 204}
"""A batch write's per-entity success, as Rest.li answers ``batch_update``, ``batch_partial_update`` and
``batch_delete``."""


def _record(value: object) -> dict[str, Any]:
    """A JSON object from the body, or an empty one (which the record's validation then refuses)."""
    return value if isinstance(value, dict) else {}


def throttled_response(exc: Throttled) -> JSONResponse:
    return JSONResponse(
        error_response(exc.status, exc.message, exc.service_error_code),
        status_code=exc.status,
        headers={ERROR_RESPONSE_HEADER: "true", "Retry-After": str(exc.retry_after)},
    )


def _record_id(key: Key, parts: frozenset[str], id_part: str) -> RecordId:
    """The (integrationContext, ATS id) a compound key names, or 400 when it is not such a key."""
    if isinstance(key, str) or set(key) != parts:
        raise LinkedInError(400, f"a key has exactly the parts {', '.join(sorted(parts))}", 400)
    if key["dataProvider"] != DATA_PROVIDER:
        raise LinkedInError(400, "dataProvider must be ATS", 400)
    if not key[id_part]:
        raise LinkedInError(400, f"{id_part} must not be empty", 400)
    return key["integrationContext"], key[id_part]


class _Batch:
    """One batch call on ``atsCandidates`` or ``atsApplications``: its keys checked, its callers authorized and
    its limits applied before anything changes, then per-entity results and errors in the caller's protocol."""

    def __init__(self, call: _Call, data: SyncedData, resource: str, parts: frozenset[str], id_part: str) -> None:
        self.call = call
        self.data = data
        self.resource = resource
        self.parts = parts
        self.id_part = id_part
        self.results: dict[str, dict[str, Any]] = {}
        self.errors: dict[str, dict[str, Any]] = {}

    def admit(self, keys: Sequence[Key]) -> list[tuple[Key, RecordId]]:
        named = [(key, _record_id(key, self.parts, self.id_part)) for key in keys]
        for context in {record_id[0] for _, record_id in named}:
            self.data.authorize(self.call.app, context)
        self.data.admit(self.call.app, self.resource, len(named), quota=True)
        return named

    def apply(self, key: Key, result: Mapping[str, Any] | None, act: Callable[..., Any], *arguments: Any) -> None:
        """One entity: ``result`` (or, when None, what ``act(*arguments)`` returns) in ``results``, or LinkedIn's
        error body in ``errors`` when ``act`` refuses."""
        response_key = encode_key(key, self.call.protocol) if self.call.protocol is Protocol.V2 else _v1(key)
        try:
            value = act(*arguments)
        except LinkedInError as exc:
            self.errors[response_key] = error_response(exc.status, exc.message, exc.service_error_code)
            return
        self.results[response_key] = dict(result if result is not None else value)

    def answer(self, *, statuses: bool = False) -> JSONResponse:
        self.call.record()
        body = batch_response(self.results, self.errors)
        return JSONResponse({**body, "statuses": {}} if statuses else body)


def _v1(key: Key) -> str:
    """A Rest.li 1.0 response key: the parts as LinkedIn's samples write them (``k=v&…``, values raw)."""
    if isinstance(key, str):
        return key
    return "&".join(f"{k}={v}" for k, v in key.items())


async def _entities(call: _Call) -> list[tuple[Key, Any]]:
    """A ``batch_update``/``batch_partial_update`` body's entities, matched against the ``ids`` parameter."""
    entities = _body_entities(await call.json(), call.protocol, compound=True)
    _match_ids(call.ids(), entities)
    return list(entities.values())


Opener = Callable[[_Call], _Batch]
"""Checks a call's caller for one resource and opens its batch (candidates, applications)."""


def install(app: FastAPI, world: LinkedInWorld) -> None:
    """Add the data-sync routes over ``world.data`` to the sandbox's ``app``."""
    data = world.data

    @app.exception_handler(Throttled)
    async def _throttled(_: Request, exc: Throttled) -> JSONResponse:
        return throttled_response(exc)

    # job postings ---------------------------------------------------------------------------------------------------
    @app.post("/v2/simpleJobPostings")
    async def create_postings(request: Request) -> JSONResponse:
        call = _Call(world, request)
        call.require_customer()
        call.require_method("batch_create", required=True)
        elements = (await call.json()).get("elements")
        if not isinstance(elements, list) or not all(isinstance(e, dict) for e in elements) or not elements:
            raise LinkedInError(400, 'a batch create body is {"elements": [{…}, …]}', 400)
        data.admit(call.app, JOB_POSTINGS, len(elements), quota=False)
        named = [(e.get("integrationContext"), e.get("externalJobPostingId")) for e in elements]
        if len(set(named)) != len(named):
            raise LinkedInError(400, "the batch names the same externalJobPostingId twice", 400)
        for context in {c for c, _ in named if isinstance(c, str) and c.startswith(ORGANIZATION_PREFIX)}:
            data.authorize(call.app, context)  # a malformed context fails its element's task instead
        tasks = [data.submit_posting(call.app, element) for element in elements]
        call.record()
        return JSONResponse(
            {
                "elements": [
                    {"status": 202, "id": task.urn, "location": f"/simpleJobPostingTasks/{task.urn}"} for task in tasks
                ]
            }
        )

    @app.get("/v2/simpleJobPostingTasks")
    async def get_tasks(request: Request) -> JSONResponse:
        call = _Call(world, request)
        call.require_customer()
        call.require_method("batch_get", required=False)
        ids = call.ids()
        if not ids or not all(isinstance(i, str) and i.startswith(TASK_URN_PREFIX) for i in ids):
            raise LinkedInError(400, f"name the tasks with ids={TASK_URN_PREFIX}…", 400)
        data.admit(call.app, JOB_POSTINGS, len(ids), quota=False)
        results: dict[str, dict[str, Any]] = {}
        errors: dict[str, dict[str, Any]] = {}
        now = world.clock.seconds()
        for urn in ids:
            assert isinstance(urn, str)
            task = data.tasks.get(urn)
            response_key = encode_key(urn, call.protocol)
            if task is None or task.client_id != call.app.client_id:
                errors[response_key] = error_response(404, f"No task {urn}", 404)
            else:
                results[response_key] = task.view(now, data.task_delay)
        call.record()
        return JSONResponse({**batch_response(results, errors), "statuses": {}})

    # candidates and applications: a batch_update replaces records, a batch_delete removes them ----------------------
    async def replace(request: Request, opened: Opener, store: Callable[..., object]) -> JSONResponse:
        call = _Call(world, request)
        batch = opened(call)
        call.require_method("batch_update", required=True)
        entities = await _entities(call)
        for (key, record_id), (_, value) in zip(batch.admit([k for k, _ in entities]), entities, strict=True):
            batch.apply(key, _UPDATED, store, record_id, _record(value))
        return batch.answer()

    async def delete(request: Request, opened: Opener, remove: Callable[..., object]) -> JSONResponse:
        call = _Call(world, request)
        batch = opened(call)
        call.require_method("batch_delete", required=False)
        for key, record_id in batch.admit(call.ids()):
            batch.apply(key, _UPDATED, remove, record_id)
        return batch.answer()

    def candidates(call: _Call) -> _Batch:
        call.require_customer()
        return _Batch(call, data, CANDIDATES, CANDIDATE_KEY_PARTS, "atsCandidateId")

    @app.put("/v2/atsCandidates")
    async def put_candidates(request: Request) -> JSONResponse:
        return await replace(request, candidates, data.put_candidate)

    @app.get("/v2/atsCandidates")
    async def get_candidates(request: Request) -> JSONResponse:
        call = _Call(world, request)
        batch = candidates(call)
        call.require_method("batch_get", required=False)
        for key, record_id in batch.admit(call.ids()):
            batch.apply(key, None, data.candidate_view, record_id)
        return batch.answer(statuses=True)

    @app.post("/v2/atsCandidates")
    async def match_candidates(request: Request) -> JSONResponse:
        call = _Call(world, request)
        batch = candidates(call)
        call.require_method("batch_partial_update", required=True)
        entities = await _entities(call)
        for (key, record_id), (_, value) in zip(batch.admit([k for k, _ in entities]), entities, strict=True):
            patch = _record(value).get("patch")
            batch.apply(key, _UPDATED, data.set_manual_match, record_id, _record(_record(patch).get("$set")))
        return batch.answer()

    @app.delete("/v2/atsCandidates")
    async def delete_candidates(request: Request) -> JSONResponse:
        return await delete(request, candidates, data.delete_candidate)

    # applications -----------------------------------------------------------------------------------------------------
    def applications(call: _Call) -> _Batch:
        call.require_customer()
        return _Batch(call, data, APPLICATIONS, APPLICATION_KEY_PARTS, "atsJobApplicationId")

    @app.put("/v2/atsApplications")
    async def put_applications(request: Request) -> JSONResponse:
        return await replace(request, applications, data.put_application)

    @app.delete("/v2/atsApplications")
    async def delete_applications(request: Request) -> JSONResponse:
        return await delete(request, applications, data.delete_application)

    @app.put("/v2/atsApplications/{key:path}/stages")  # :path, as an encoded id may hold %2F
    async def put_stages(key: str, request: Request) -> JSONResponse:
        call = _Call(world, request)
        batch = applications(call)
        call.require_method("batch_update", required=True)
        application_key = _path_key(request, call.protocol)
        (_, record_id), *_ = batch.admit([application_key])
        entities = _body_entities(await call.json(), call.protocol, compound=False)
        _match_ids(call.ids(), entities)
        for stage_id, value in entities.values():
            assert isinstance(stage_id, str)
            batch.apply(stage_id, _UPDATED, data.put_stage, record_id, stage_id, _record(value))
        return batch.answer()


def _path_key(request: Request, protocol: Protocol) -> Key:
    """The entity key in ``/v2/atsApplications/{key}/…`` read from the raw path (values may hold ``%2C``)."""
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    segment = raw_path.decode("latin-1").split("?")[0].split("/")[3]
    try:
        return decode_key(segment, protocol, compound=True)
    except RestliSyntaxError as exc:
        raise LinkedInError(400, str(exc), 400) from exc
