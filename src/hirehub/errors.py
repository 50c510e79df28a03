"""The one tree every refusal of the hub belongs to.

A refusal is raised before anything changes, and its message is written for the person who asked. Each
protocol maps the *kind* of refusal once — Dataverse's error body on the Web API, an RFC 9457 problem on the
admin API, the field of a console form, the CLI's ``{"error": …}`` — so no caller ever inspects message
text to decide what happened. A refusal that concerns one input names it in ``field``; that is how a console
form puts the message beside the right box.

Subclasses are the domain's own names for a refusal (``CandidateAlreadyHired`` is a :class:`Conflict`); the
protocols only ever look at the six kinds below.
"""

from __future__ import annotations

from typing import ClassVar


class HubError(Exception):
    """Base of every refusal: nothing changed, and ``str(error)`` says why in words for the caller.

    ``status`` is the HTTP status the kind maps to on protocols that have no finer code of their own.
    """

    status: ClassVar[int] = 400

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or type(self).__name__).strip().splitlines()[0])
        self.field = field

    @property
    def message(self) -> str:
        return str(self)


class Invalid(HubError):
    """The input does not fit: a malformed value, a missing field, dates out of order."""

    status = 400


class NotFound(HubError):
    """A record the operation names does not exist, or belongs to another tenant (the two are not told apart)."""

    status = 404


class AlreadyExists(HubError):
    """A record with the same key exists already; creating it again would make a duplicate."""

    status = 409


class Conflict(HubError):
    """The request is well formed but the record's present state does not allow it."""

    status = 409


class Forbidden(HubError):
    """The caller is known but may not do this."""

    status = 403


class Unauthenticated(Forbidden):
    """The caller could not be identified: no credentials, or credentials that do not verify.

    A refinement of :class:`Forbidden` rather than a seventh kind: a protocol without a separate answer for an
    unknown caller treats it as forbidden; HTTP answers 401, so the caller knows to authenticate and try again.
    """

    status = 401


class Unavailable(HubError):
    """Something the operation needs cannot be reached now; trying again later may work.

    ``retry_after`` is the number of seconds the caller should wait, when it is known.
    """

    status = 503

    def __init__(self, message: str = "", *, field: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


KINDS: tuple[type[HubError], ...] = (Invalid, NotFound, AlreadyExists, Conflict, Forbidden, Unavailable)
"""The kinds the protocols map; every refusal is an instance of exactly one of them."""


def kind_of(error: HubError) -> type[HubError]:
    """The kind among :data:`KINDS` that ``error`` is (``HubError`` itself for a bare base instance)."""
    for kind in KINDS:
        if isinstance(error, kind):
            return kind
    return HubError
