"""Executing a ``$batch``: each request outside a change set on its own, each change set in one transaction.

A change set succeeds or fails whole: the first refusal rolls back everything it did and is its only
answer, as Dataverse does. ``$<Content-ID>`` references — at the start of a URL, or as the value of an
``@odata.bind`` — are replaced by the entity URL an earlier request of the same change set created.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fastapi import Response

from hirehub.db.session import Database
from hirehub.odata import handlers
from hirehub.odata.batch_codec import (
    BatchFormatError,
    BatchRequest,
    BatchResponse,
    ChangeSet,
    ChangeSetResponse,
    parse_batch,
    resolve_references,
    serialize_batch_response,
)
from hirehub.odata.errors import DataverseError, bad_payload, bad_query, method_not_allowed
from hirehub.odata.handlers import Call
from hirehub.odata.model import EntityModel
from hirehub.odata.responses import JSON_METADATA, ODATA_HEADERS, encode
from hirehub.security.principal import Principal

WRITE_METHODS = frozenset({"POST", "PATCH", "DELETE"})


class _ChangeSetFailed(Exception):
    def __init__(self, response: BatchResponse) -> None:
        self.response = response


@dataclass(frozen=True)
class _Batch:
    """What every part of one ``$batch`` shares: where it runs, for whom, against which model."""

    database: Database
    principal: Principal
    model: EntityModel
    root: str


async def execute(
    database: Database, principal: Principal, *, model: EntityModel, root: str, body: bytes, content_type: str
) -> Response:
    try:
        items = parse_batch(body, content_type)
    except BatchFormatError as exc:
        raise bad_payload(f"The $batch request is malformed: {exc}") from None
    batch = _Batch(database, principal, model, root)
    answers: list[BatchResponse | ChangeSetResponse] = []
    for item in items:
        if isinstance(item, ChangeSet):
            answers.append(await _change_set(batch, item))
        else:
            answers.append(await _single(batch, item))
    payload, response_type = serialize_batch_response(answers)
    return Response(payload, status_code=200, media_type=response_type, headers=ODATA_HEADERS)


async def _single(batch: _Batch, request: BatchRequest) -> BatchResponse:
    database, principal, model = batch.database, batch.principal, batch.model
    try:
        call = _call(request, batch.root, {})
        if call.method == "GET":
            async with database.tenant_session(principal.tenant_id) as session:
                response = await handlers.read(session, call, principal=principal, model=model)
        elif call.method in WRITE_METHODS:
            async with database.tenant_transaction(principal.tenant_id) as session:
                response = await handlers.write(session, call, principal=principal, model=model)
        else:
            raise method_not_allowed(f"The method {call.method} is not supported in a batch.")
    except DataverseError as exc:
        return _error(exc, request.content_id)
    return _answer(response, request.content_id)


async def _change_set(batch: _Batch, change_set: ChangeSet) -> ChangeSetResponse:
    results: dict[str, str] = {}
    answers: list[BatchResponse] = []
    try:
        async with batch.database.tenant_transaction(batch.principal.tenant_id) as session:
            for request in change_set.requests:
                try:
                    call = _call(request, batch.root, results)
                    response = await handlers.write(session, call, principal=batch.principal, model=batch.model)
                except DataverseError as exc:
                    raise _ChangeSetFailed(_error(exc, request.content_id)) from None
                answer = _answer(response, request.content_id)
                entity_id = response.headers.get("OData-EntityId")
                if request.content_id is not None and entity_id is not None:
                    results[request.content_id] = entity_id
                answers.append(answer)
    except _ChangeSetFailed as failed:
        return ChangeSetResponse((failed.response,))
    return ChangeSetResponse(tuple(answers))


def _call(request: BatchRequest, root: str, results: dict[str, str]) -> Call:
    url = request.url
    if results or url.startswith("$"):
        try:
            url = resolve_references(url, results)
        except BatchFormatError as exc:
            raise bad_query(str(exc)) from None
    parts = urlsplit(url)
    path = parts.path
    service_path = urlsplit(root).path
    if path.startswith(service_path + "/"):
        path = path[len(service_path) + 1 :]
    elif path.startswith("/"):
        raise bad_query(f"The batch request URL '{request.url}' is not below the service root {root}.")
    body = _resolve_body(request.body, results) if results else request.body
    return Call(
        method=request.method, path=path, query=dict(parse_qsl(parts.query, keep_blank_values=True)),
        headers={name.lower(): value for name, value in request.headers.items()}, body=body, root=root,
    )  # fmt: skip


def _resolve_body(body: bytes, results: dict[str, str]) -> bytes:
    """``"nav@odata.bind": "$1"`` becomes the URL of the entity request 1 created."""
    if not body:
        return body
    try:
        document: Any = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict):
        return body
    changed = False
    for key, value in document.items():
        if key.endswith("@odata.bind") and isinstance(value, str) and value.startswith("$"):
            try:
                document[key] = resolve_references(value, results)
            except BatchFormatError as exc:
                raise bad_payload(str(exc)) from None
            changed = True
    return json.dumps(document).encode() if changed else body


def _answer(response: Response, content_id: str | None) -> BatchResponse:
    headers = {name: value for name, value in response.headers.items() if name.lower() != "content-length"}
    return BatchResponse(response.status_code, headers, bytes(response.body), content_id)


def _error(exc: DataverseError, content_id: str | None) -> BatchResponse:
    headers = {"Content-Type": JSON_METADATA, **exc.response_headers()}
    return BatchResponse(exc.status, headers, encode(exc.body()), content_id)
