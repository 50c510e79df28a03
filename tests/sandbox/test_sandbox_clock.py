"""The sandboxes' clocks under a development group's time travel: the calendar moves with the hub's, the protocol
does not.

What the hub's planner compares with its own (shifted) clock — when a user's sign-in sessions were revoked, when
the directory made it — must be stamped on the same calendar, or a leaver's one-shot steps would be planned again
on every sync after a jump. What the hub's libraries judge with the wall clock — an access token MSAL caches, a
push notification's ``expiresAt`` — must not move, or a token issued before a jump would fail after it. Throttle
windows and call pacing count seconds, which a jump neither refills nor freezes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hirehub.db.clock_offset import RECHECK_SECONDS, offset_file, write_offset
from hirehub.sandbox.entra.graph import directory_store
from hirehub.sandbox.entra.graph_store import format_datetime
from hirehub.sandbox.entra.world import EntraWorld, SandboxClock
from hirehub.sandbox.linkedin import LinkedInWorld
from hirehub.sandbox.linkedin.notifications import Notifier
from hirehub.sandbox.linkedin.world import integration_key

JUMP = timedelta(days=3)


class StoppedTime:
    """A monotonic clock that moves only when told, so nothing but the time travel changes between readings."""

    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def travel(tmp_path: Path) -> Path:
    """The offset file of a development group, not yet written (no shift)."""
    return offset_file(tmp_path)


@pytest.fixture
def looks() -> StoppedTime:
    """What paces the clock's looks at the offset file (it looks again once ``RECHECK_SECONDS`` have passed)."""
    return StoppedTime()


@pytest.fixture
def clock(travel: Path, looks: StoppedTime) -> SandboxClock:
    followed = SandboxClock(monotonic=StoppedTime())
    followed.follow(travel, monotonic=looks)
    return followed


@pytest.fixture
def jump(travel: Path, looks: StoppedTime) -> Callable[..., None]:
    """``hirehub demo clock advance``: the shift written to the group's file, and time for the clock to look."""

    def jumped(by: timedelta = JUMP) -> None:
        write_offset(travel, by)
        looks.value += RECHECK_SECONDS

    return jumped


def test_the_calendar_moves_with_the_groups_time_travel_and_the_protocol_clock_stays(
    clock: SandboxClock, jump: Callable[..., None]
) -> None:
    calendar, protocol, seconds = clock.now(), clock.protocol_now(), clock.seconds()

    jump()

    assert clock.now() - calendar == JUMP
    assert clock.travelled == JUMP
    assert clock.protocol_now() == protocol
    assert clock.seconds() == seconds


def test_a_clock_that_follows_no_file_keeps_calendar_and_protocol_together() -> None:
    clock = SandboxClock(monotonic=StoppedTime())

    assert clock.now() == clock.protocol_now()
    assert clock.travelled == timedelta(0)


def test_an_access_token_issued_before_a_jump_is_still_good_after_it(
    clock: SandboxClock, jump: Callable[..., None]
) -> None:
    world = EntraWorld(clock=clock)
    directory = world.add_directory()
    app = world.register_application(directory, "hirehub")
    token, lifetime = world.issue_access_token(directory, app.app_id, "https://graph.microsoft.com")

    jump()

    claims = world.verify_access_token(token, "https://graph.microsoft.com")
    assert claims.raw["exp"] - claims.raw["iat"] == lifetime
    assert claims.raw["iat"] == int(clock.protocol_now().timestamp())


def test_the_directory_stamps_what_it_records_on_the_moved_calendar(
    clock: SandboxClock, jump: Callable[..., None]
) -> None:
    world = EntraWorld(clock=clock)
    store = directory_store(world, world.add_directory())
    jump()

    user = store.create_user(
        {"accountEnabled": True, "displayName": "Ada Lovelace", "mailNickname": "ada",
         "userPrincipalName": "ada@contoso.onmicrosoft.com",
         "passwordProfile": {"password": "Ada-Lovelace-1815!", "forceChangePasswordNextSignIn": True}}
    )  # fmt: skip
    store.revoke_sessions(user.id)

    expected = format_datetime(clock.protocol_now() + JUMP)
    assert user.props["createdDateTime"] == expected
    assert user.props["signInSessionsValidFromDateTime"] == expected


def test_linkedins_daily_call_count_starts_again_on_the_new_day(clock: SandboxClock, jump: Callable[..., None]) -> None:
    world = LinkedInWorld(clock=clock)
    customer = world.provision(world.register_partner(), unique_foreign_id="t", name="hub - Contoso", description="C")
    world.admit_integrations_call(customer, entities=1, batch=False)
    assert world.calls_today(customer) == 1

    jump(timedelta(days=1))

    assert world.calls_today(customer) == 0


def test_a_push_notification_expires_on_the_wall_clock_the_receiver_judges_it_by(
    clock: SandboxClock, jump: Callable[..., None]
) -> None:
    world = LinkedInWorld(clock=clock, notifier=Notifier())
    customer = world.provision(world.register_partner(), unique_foreign_id="t", name="hub - Contoso", description="C")
    key = integration_key("urn:li:organization:1", "ONE_CLICK_EXPORT")
    integration = world.update_integration(customer, key, {"integrationName": "Export"})
    world.set_configuration(customer, key, "CALLBACK_URL", "https://hub.example/push/x")
    jump()

    notification = world.new_notification(integration)

    assert notification is not None
    expires = datetime.fromtimestamp(notification.expires_at_ms / 1000, tz=clock.protocol_now().tzinfo)
    assert expires - clock.protocol_now() == pytest.approx(timedelta(days=1), abs=timedelta(seconds=1))
