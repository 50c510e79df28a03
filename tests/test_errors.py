"""The refusal tree: every refusal is of one kind, which decides how each protocol answers it."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import hirehub
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


def _every_refusal_class() -> list[type[errors.HubError]]:
    """Every subclass of the tree the hub defines, found after importing every module of the package."""
    for module in pkgutil.walk_packages(hirehub.__path__, "hirehub."):
        if ".migrations" not in module.name and ".sandbox" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: list[type[errors.HubError]] = []
    pending = [errors.HubError]
    while pending:
        found.extend(subclasses := pending.pop().__subclasses__())
        pending.extend(subclasses)
    return found


def test_every_refusal_the_hub_raises_is_of_exactly_one_kind() -> None:
    leaves = [cls for cls in _every_refusal_class() if not cls.__subclasses__()]
    kinds_of = {cls: [kind for kind in errors.KINDS if issubclass(cls, kind)] for cls in leaves}

    assert len(leaves) > 30
    assert {cls.__qualname__: kinds for cls, kinds in kinds_of.items() if len(kinds) != 1} == {}
