"""What a domain event is, and how one becomes a row's JSON and comes back the same type.

Events are frozen dataclasses with a stable ``name`` (what the outbox row's ``type`` holds, so rows written
before a class was renamed still read) and a ``subject_id`` (the person they concern, which orders them). They
carry only JSON-able scalars, dates and UUIDs: the field types say how each value is read back, so a handler
receives the same event its producer made, not a dict.
"""

from __future__ import annotations

import dataclasses
import types
import typing
import uuid
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar, Union


class EventTypeError(TypeError):
    """An event class whose fields cannot be written as JSON and read back, or a payload that does not fit it."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """A fact the domain reports; subclasses are frozen keyword-only dataclasses that set ``name``."""

    name: ClassVar[str]

    @property
    def subject_id(self) -> uuid.UUID:
        """The record the event concerns: events of one subject are dispatched in the order they happened."""
        raise NotImplementedError


def encode(event: DomainEvent) -> dict[str, Any]:
    """The event's fields as JSON values (UUIDs and dates as text)."""
    return {field.name: _jsonable(getattr(event, field.name)) for field in dataclasses.fields(event)}


E = TypeVar("E", bound=DomainEvent)


def decode(event_type: type[E], payload: dict[str, Any]) -> E:
    """The event of type ``event_type`` that :func:`encode` wrote as ``payload``; keys it does not know are ignored."""
    readers = _READERS.get(event_type) or _READERS.setdefault(event_type, _readers_of(event_type))
    try:
        values = {key: readers[key](value) for key, value in payload.items() if key in readers}
        return event_type(**values)
    except (TypeError, ValueError) as exc:
        raise EventTypeError(f"the payload does not fit {event_type.__name__}: {exc}") from exc


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


Reader = typing.Callable[[Any], Any]


def _optional(read: Reader) -> Reader:
    return lambda value: None if value is None else read(value)


_SCALARS: dict[Any, Reader] = {
    uuid.UUID: uuid.UUID,
    datetime: datetime.fromisoformat,
    date: date.fromisoformat,
    str: str,
    int: int,
    float: float,
    bool: bool,
}


def _reader(annotation: Any, owner: type) -> Reader:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        members = [member for member in typing.get_args(annotation) if member is not type(None)]
        if len(members) == 1:
            return _optional(_reader(members[0], owner))
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    raise EventTypeError(f"{owner.__name__}: a field of type {annotation!r} cannot be read back from JSON")


_READERS: dict[type[DomainEvent], dict[str, Reader]] = {}
"""Each event type's readers, worked out from its type hints the first time one is decoded."""


def _readers_of(event_type: type[DomainEvent]) -> dict[str, Reader]:
    hints = typing.get_type_hints(event_type)
    return {field.name: _reader(hints[field.name], event_type) for field in dataclasses.fields(event_type)}
