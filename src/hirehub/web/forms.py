"""What the console's hand-written forms share: reading posted text, placing refusals, and one submit flow.

A form re-renders with the error next to the field that caused it, so parsing never raises: each reader
returns the value or records a message under the field's id in :class:`FieldErrors`, and the page decides
whether to go on. A refusal of the hub (:class:`hirehub.errors.HubError`) is placed by its ``field`` alone —
beside that field when the form has it, in the page's banner otherwise — and answered with its kind's status,
so no page ever reads a message to decide where it goes. :func:`submit` is the one parse → validate → call →
redirect-or-re-render flow every form follows.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hirehub.accounts import SignedIn
from hirehub.db.base import utcnow
from hirehub.errors import HubError
from hirehub.web.auth import Admin

T = TypeVar("T")
V = TypeVar("V")


class FieldErrors(dict[str, str]):
    """Messages by field id (the id the template gives the control, so the message sits next to it)."""

    def date(self, field: str, raw: str, label: str, *, required: bool = False) -> date | None:
        return self._read(
            field, raw, date.fromisoformat, missing=f"{label} is required" if required else None,
            wrong=f"{label} '{{}}' is not a date (YYYY-MM-DD)",
        )  # fmt: skip

    def choice(self, field: str, raw: str, label: str, *, required: bool = False) -> uuid.UUID | None:
        """The id a ``<select>`` posted; an id the page never offered is reported, not trusted."""
        return self._read(
            field, raw, uuid.UUID, missing=f"choose a {label.lower()}" if required else None,
            wrong=f"'{{}}' is not one of the {label.lower()} choices",
        )  # fmt: skip

    def _read(self, field: str, raw: str, parse: Callable[[str], V], *, missing: str | None, wrong: str) -> V | None:
        """``parse`` of the stripped text; an empty one is ``missing`` (when the field is required), and one that
        does not parse is ``wrong`` with the text in its ``{}``."""
        text = raw.strip()
        if not text:
            if missing is not None:
                self[field] = missing
            return None
        try:
            return parse(text)
        except ValueError:
            self[field] = wrong.format(text)
            return None


def actor(admin: SignedIn) -> str:
    """Who, for the audit log: the same form the admin API uses for a console session."""
    return f"console:{admin.email}"


def today_in(time_zone: str) -> date:
    """Today where the tenant is: a last day or a start date is a calendar day in the tenant's time zone."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return utcnow().astimezone(zone).date()  # the hub's clock: development's time travel moves it too


def with_message(path: str, *, notice: str = "", error: str = "") -> str:
    """Where to send the browser after a change (POST, redirect, GET), with the outcome to show there."""
    query = {key: value for key, value in (("notice", notice), ("error", error)) if value}
    return f"{path}?{urlencode(query)}" if query else path


@dataclass(frozen=True)
class FormState:
    """What a page shows of the form it renders again: the posted values, messages by field id, a banner."""

    values: Mapping[str, Any] = field(default_factory=dict)
    field_errors: FieldErrors = field(default_factory=FieldErrors)
    error: str = ""
    status_code: int = 200

    def or_values(self, defaults: Mapping[str, Any]) -> FormState:
        """This state, or with ``defaults`` as the values when nothing was posted (a page shown afresh)."""
        return self if self.values else replace(self, values=defaults)


FormPage = Callable[[FormState], Awaitable[Response]]
"""A page that shows a form, rendered again with what the administrator posted and what was wrong with it."""


@dataclass
class PostedForm:
    """A posted form: its values by field id, and how a refusal's ``field`` finds its control.

    A refusal names the operation's input (``client_id``); the control is that name after ``prefix``
    (``app-client_id``) when the form has such a value, or the id ``fields`` gives for it.
    """

    values: dict[str, Any]
    prefix: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)
    problems: FieldErrors = field(default_factory=FieldErrors)

    def control_of(self, name: str | None) -> str | None:
        if name is None:
            return None
        if name in self.fields:
            return self.fields[name]
        control = f"{self.prefix}{name}"
        return control if control in self.values else None

    def invalid(self) -> FormState:
        return FormState(self.values, self.problems, status_code=400)

    def refused(self, refusal: HubError) -> FormState:
        """The form again with the refusal beside its field, or in the banner when no field of this form has it."""
        control = self.control_of(refusal.field)
        if control is None:
            return FormState(self.values, self.problems, error=str(refusal), status_code=refusal.status)
        return FormState(self.values, FieldErrors({**self.problems, control: str(refusal)}), status_code=refusal.status)


async def submit(
    posted: PostedForm, page: FormPage, change: Callable[[], Awaitable[T]], then: Callable[[T], str]
) -> Response:
    """Render the form again if what was posted does not parse or the change is refused; else make the change
    and send the browser to ``then(result)`` (post, redirect, get)."""
    if posted.problems:
        return await page(posted.invalid())
    try:
        result = await change()
    except HubError as refusal:
        return await page(posted.refused(refusal))
    return RedirectResponse(then(result), status_code=303)


ConsolePage = Callable[[Request, SignedIn, FormState, str], Awaitable[Response]]
"""A section's page: rendered for the signed-in administrator with a form's state and a notice."""


def add_page(router: APIRouter, path: str, page: ConsolePage) -> None:
    """Serve ``page`` at ``path`` as a redirect lands on it: with the ``notice`` or ``error`` the change left."""

    async def shown(request: Request, admin: Admin, notice: str = "", error: str = "") -> Response:
        return await page(request, admin, FormState(error=error), notice)

    router.add_api_route(path, shown, methods=["GET"], response_class=HTMLResponse, name=page.__name__)
