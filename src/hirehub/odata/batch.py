"""Executing a ``$batch``: each request outside a change set on its own, each change set in one transaction.

A change set succeeds or fails whole: the first refusal rolls back everything it did and is its only
answer, as Dataverse does. ``$<Content-ID>`` references — at the start of a URL, or as the value of an
``@odata.bind`` — are replaced by the entity URL an earlier request of the same change set created.

The answer is streamed: each part is sent once it has run, so memory holds one part's answer, not the batch's.
The batch spends one :class:`~hirehub.odata.budget.Budget` of rows read and bytes answered; the read that
would overspend it answers the refusal instead, and the batch ends there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson
from fastapi import Response
from fastapi.responses import StreamingResponse

from hirehub.db.session import Database
from hirehub.odata import documents, handlers
from hirehub.odata.batch_codec import (
    BatchFormatError,
    BatchItem,
    BatchRequest,
    BatchResponse,
    ChangeSet,
    ChangeSetResponse,
    ResponseWriter,
    parse_batch,
    resolve_references,
)
from hirehub.odata.budget import Budget
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
    budget: Budget


async def execute(
    database: Database, principal: Principal, *, model: EntityModel, root: str, body: bytes, content_type: str,
    budget: Budget,
) -> Response:  # fmt: skip
    """Parse the whole batch (a malformed one is refused before any part runs), then run and stream its parts."""
    try:
        items = parse_batch(body, content_type)
    except BatchFormatError as exc:
        raise bad_payload(f"The $batch request is malformed: {exc}") from None
    batch = _Batch(database, principal, model, root, budget)
    writer = ResponseWriter()
    return StreamingResponse(
        _answers(batch, items, writer), status_code=200, media_type=writer.content_type, headers=ODATA_HEADERS
    )


async def _answers(batch: _Batch, items: tuple[BatchItem, ...], writer: ResponseWriter) -> AsyncIterator[bytes]:
    for item in items:
        answer = await (_change_set(batch, item) if isinstance(item, ChangeSet) else _single(batch, item))
        part = _rendered(writer, answer)
        if batch.budget.overspent:  # this part's answer is the refusal
            yield part
            break
        if not batch.budget.can_send(len(part)) and _reads(item):  # a write's answer is sent: it is done
            yield writer.part(_error(Budget.bytes_refusal(), _content_id(item)))
            break
        yield part
    yield writer.end()


def _rendered(writer: ResponseWriter, answer: BatchResponse | ChangeSetResponse) -> bytes:
    try:
        return writer.part(answer)
    except BatchFormatError as exc:  # an answer that cannot be framed (a body holding the delimiter line)
        content_id = answer.content_id if isinstance(answer, BatchResponse) else None
        return writer.part(_error(bad_payload(f"The answer cannot be written into the batch: {exc}"), content_id))


def _reads(item: BatchItem) -> bool:
    return isinstance(item, BatchRequest) and item.method == "GET"


def _content_id(item: BatchItem) -> str | None:
    return item.content_id if isinstance(item, BatchRequest) else None


async def _single(batch: _Batch, request: BatchRequest) -> BatchResponse:
    database, principal, model = batch.database, batch.principal, batch.model
    try:
        call = _call(request, batch.root, {})
        if call.method == "GET":
            async with database.tenant_session(principal.tenant_id) as session:
                response = await handlers.read(session, call, principal=principal, model=model, budget=batch.budget)
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
        document: Any = documents.parse(body)
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
    return orjson.dumps(document) if changed else body


def _answer(response: Response, content_id: str | None) -> BatchResponse:
    headers = {name: value for name, value in response.headers.items() if name.lower() != "content-length"}
    return BatchResponse(response.status_code, headers, bytes(response.body), content_id)


def _error(exc: DataverseError, content_id: str | None) -> BatchResponse:
    """The refusal ``exc`` as one part's answer."""
    headers = {"Content-Type": JSON_METADATA, **exc.response_headers()}
    return BatchResponse(exc.status, headers, encode(exc.body()), content_id)
