"""Per-request plumbing: a request id, a structured access log line and Prometheus measurements.

A request that fails with an exception (the server then answers 500) is logged at error level with the formatted
traceback and the request id, whatever ASGI server runs the hub.
"""

from __future__ import annotations

import time
import uuid

import structlog
from starlette.types import Message, Receive, Scope, Send

from hirehub.api.asgi import HTTPMiddleware
from hirehub.logging import get_logger
from hirehub.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = get_logger("hirehub.http")


class ObservabilityMiddleware(HTTPMiddleware):
    """A request id on every answer, one access-log line and the Prometheus measurements of each request."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = uuid.uuid4().hex
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        failure: Exception | None = None
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # a fault, not a refusal: the server answers 500; the log keeps the traceback
            failure = exc
            raise
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
