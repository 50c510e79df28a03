"""RFC 9457 problem details: the error shape of every endpoint that has no protocol of its own.

The OData API answers in Dataverse's shape and the token endpoint in Microsoft's OAuth shape; the admin
API, the LinkedIn push endpoint, health checks and console JSON answer with ``application/problem+json``.
A refusal of the domain (:class:`~hirehub.errors.HubError`) is mapped here once, by its kind, so a route
never catches one to choose a status.
"""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hirehub.errors import (
    AlreadyExists,
    Conflict,
    Forbidden,
    HubError,
    Invalid,
    NotFound,
    Unauthenticated,
    Unavailable,
)

PROBLEM_JSON = "application/problem+json"
TITLES: dict[type[HubError], str] = {
    Invalid: "Invalid request", NotFound: "Not found", AlreadyExists: "Already exists", Conflict: "Conflict",
    Unauthenticated: "Unauthenticated", Forbidden: "Forbidden", Unavailable: "Unavailable", HubError: "Refused",
}  # fmt: skip
"""A problem's ``title`` by kind: the nearest listed class in the refusal's ancestry."""


class Problem(Exception):
    """Raise to answer with a problem document that no refusal kind describes (an HTTP-level concern)."""

    def __init__(
        self, status: int, title: str, detail: str = "", *, headers: dict[str, str] | None = None, **extensions: Any
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions


def problem_response(
    status: int, title: str, detail: str = "", *, headers: dict[str, str] | None = None, **extensions: Any
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def refusal_response(error: HubError) -> JSONResponse:
    """A refusal as its problem document: the kind's status and phrase, the message as ``detail``, and the
    extension members a client can act on — ``field`` (the input concerned), ``problems`` (every reason a
    document was refused, when the refusal lists them) — with ``Retry-After`` when the wait is known."""
    extensions: dict[str, Any] = {}
    if error.field is not None:
        extensions["field"] = error.field
    problems = getattr(error, "problems", None)
    if problems:
        extensions["problems"] = list(problems)
    headers = {}
    if isinstance(error, Unavailable) and error.retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(error.retry_after)))
    title = next(TITLES[cls] for cls in type(error).__mro__ if cls in TITLES)
    return problem_response(error.status, title, error.message, headers=headers, **extensions)


async def handle_refusal(_request: Request, exc: Exception) -> JSONResponse:
    """The app's handler for :class:`~hirehub.errors.HubError`: routes let refusals propagate to it."""
    assert isinstance(exc, HubError)
    return refusal_response(exc)


async def handle_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc.status, exc.title, exc.detail, headers=exc.headers, **exc.extensions)


async def handle_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """A request body or parameter that does not fit: 400, with each field and what is wrong with it."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": ".".join(str(part) for part in error.get("loc", ()) if part != "body"), "message": error.get("msg")}
        for error in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem_response(400, "Invalid request", detail, errors=errors)


async def handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own refusals (405, 404, a body it cannot parse) in the caller's protocol: Dataverse's
    shape under the Web API, a problem document everywhere else."""
    assert isinstance(exc, StarletteHTTPException)
    detail = str(exc.detail)
    headers = dict(exc.headers or {})
    if request.url.path.startswith("/api/data/"):
        return JSONResponse(
            {"error": {"code": "0x80060888", "message": detail}}, status_code=exc.status_code,
            headers={"OData-Version": "4.0", **headers},
        )  # fmt: skip
    return problem_response(exc.status_code, HTTPStatus(exc.status_code).phrase, detail, headers=headers)
