"""The refusal tree: every refusal is of one kind, which decides how each protocol answers it."""

from __future__ import annotations

import pytest

from hirehub import errors


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (errors.Invalid, 400),
        (errors.NotFound, 404),
        (errors.AlreadyExists, 409),
        (errors.Conflict, 409),
        (errors.Forbidden, 403),
        (errors.Unavailable, 503),
    ],
)
def test_each_kind_maps_to_its_http_status(kind: type[errors.HubError], status: int) -> None:
    assert kind("refused").status == status


def test_a_domain_refusal_is_found_as_its_kind() -> None:
    class PositionOccupied(errors.Conflict):
        """The position already has as many workers as it allows."""

    assert errors.kind_of(PositionOccupied()) is errors.Conflict


def test_a_refusal_without_a_message_says_its_docstring_first_line() -> None:
    class PositionOccupied(errors.Conflict):
        """The position already has as many workers as it allows.

        More detail for developers.
        """

    assert str(PositionOccupied()) == "The position already has as many workers as it allows."


def test_an_invalid_input_names_its_field() -> None:
    refusal = errors.Invalid("must be a GUID", field="client_id")

    assert (refusal.field, refusal.message) == ("client_id", "must be a GUID")


def test_unavailable_carries_how_long_to_wait() -> None:
    assert errors.Unavailable("Graph is throttling", retry_after=30).retry_after == 30


def test_every_kind_is_listed_once() -> None:
    assert len(set(errors.KINDS)) == len(errors.KINDS) == len(errors.HubError.__subclasses__())
