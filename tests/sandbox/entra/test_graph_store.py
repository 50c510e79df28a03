"""The directory's rules in isolation (no HTTP): uniqueness, proxy addresses, replication lag and the change log."""

from __future__ import annotations

import pytest

from hirehub.sandbox.entra.graph_store import GraphProblem, GraphStore, password_is_complex
from hirehub.sandbox.entra.world import SandboxClock
from tests.sandbox.entra.graph_support import DOMAIN, user_body


@pytest.fixture
def clock() -> SandboxClock:
    return SandboxClock(monotonic=lambda: 0.0)


def test_mail_becomes_the_primary_proxy_address_and_the_former_one_stays_secondary(clock: SandboxClock) -> None:
    store = GraphStore(clock, [DOMAIN])
    user = store.create_user(user_body("ann", mail="ann@contoso.com"))
    assert user.props["proxyAddresses"] == ["SMTP:ann@contoso.com"]

    store.update_user(user.id, {"mail": "ann.lee@contoso.com"})

    assert user.props["proxyAddresses"] == ["SMTP:ann.lee@contoso.com", "smtp:ann@contoso.com"]


def test_an_address_freed_by_deletion_can_be_used_again(clock: SandboxClock) -> None:
    store = GraphStore(clock, [DOMAIN])
    user = store.create_user(user_body("ann", mail="ann@contoso.com"))
    store.delete_user(user.id)
    assert store.create_user(user_body("ann", mail="ann@contoso.com")).id != user.id


def test_an_object_inside_the_lag_is_invisible_but_still_unique(clock: SandboxClock) -> None:
    store = GraphStore(clock, [DOMAIN], lag=lambda: 2.0)
    user = store.create_user(user_body("ann"))

    with pytest.raises(GraphProblem) as hidden:
        store.get(user.id)
    with pytest.raises(GraphProblem) as clash:
        store.create_user(user_body("ann"))

    assert hidden.value.status == 404 and clash.value.details[0]["code"] == "ObjectConflict"
    clock.advance(2)
    assert store.get(f"ANN@{DOMAIN}") is user


def test_the_change_log_settles_only_past_the_lag(clock: SandboxClock) -> None:
    store = GraphStore(clock, [DOMAIN], lag=lambda: 2.0)
    first = store.create_user(user_body("first"))
    clock.advance(5)
    second = store.create_user(user_body("second"))

    settled = store.settled_seq()

    assert store.changed_since(0, settled) == [first.id]
    clock.advance(5)
    assert store.changed_since(settled, store.settled_seq()) == [second.id]


@pytest.mark.parametrize(
    ("password", "ok"),
    [("Short1!", False), ("alllowercase", False), ("lowerUPPER1", True), ("lower-1234", True), ("ABCDEFGH12", False)],
)
def test_a_password_needs_eight_characters_from_three_classes(password: str, ok: bool) -> None:
    assert password_is_complex(password) is ok
