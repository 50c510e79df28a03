"""Per-request plumbing: a request id, a structured access log line and Prometheus measurements.

A request that fails with an exception is logged at error level with the formatted traceback and the request id,
whatever ASGI server runs the hub, and answered here with a 500 in the caller's protocol (Dataverse's error body on
the Web API, a problem document elsewhere) rather than by the server's last-resort handler, so the answer still
passes through the hub's outer middleware and carries its security headers and request id.
"""

from __future__ import annotations

import time
import uuid

import structlog
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from hirehub.api.asgi import HTTPMiddleware
from hirehub.api.problems import problem_response
from hirehub.logging import get_logger
from hirehub.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = get_logger("hirehub.http")

UNEXPECTED_ERROR = "0x80040216"
"""Dataverse's code for an unexpected error."""


class ObservabilityMiddleware(HTTPMiddleware):
    """A request id on every answer, one access-log line and the Prometheus measurements of each request."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = uuid.uuid4().hex
        status = 500
        started = time.perf_counter()

        started_answer = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started_answer
            if message["type"] == "http.response.start":
                started_answer = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        failure: Exception | None = None
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # a fault, not a refusal: the log keeps the traceback
            failure = exc
            if started_answer:
                raise  # half an answer is out: only the server can end the connection
            await _fault_response(scope["path"], request_id)(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            HTTP_REQUESTS.labels(scope["method"], template, str(status)).inc()
            HTTP_LATENCY.labels(template).observe(elapsed)
            fields = {"method": scope["method"], "path": scope["path"], "status": status,
                      "duration_ms": round(elapsed * 1000, 2)}  # fmt: skip
            if failure is None:
                log.info("http.request", **fields)
            else:
                log.error("http.request", exc_info=failure, **fields)
            structlog.contextvars.unbind_contextvars("request_id")


def _fault_response(path: str, request_id: str) -> JSONResponse:
    """The 500 a client of ``path`` understands, naming the request id an operator finds the traceback by."""
    detail = f"An unexpected error occurred (request id {request_id})."
    if "/api/data/" in path:
        body = {"error": {"code": UNEXPECTED_ERROR, "message": detail}}
        return JSONResponse(body, status_code=500, headers={"OData-Version": "4.0"})
    return problem_response(500, "Internal Server Error", detail)
