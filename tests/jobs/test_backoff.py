"""Backoff: exponential with full jitter, capped at an hour, never shorter than the service's hint."""

from __future__ import annotations

import random

from hirehub.jobs.backoff import backoff_ceiling, backoff_delay


def test_the_ceiling_doubles_from_two_seconds_with_each_attempt() -> None:
    assert [backoff_ceiling(attempt) for attempt in range(1, 7)] == [2, 4, 8, 16, 32, 64]


def test_the_ceiling_stops_at_an_hour_however_many_attempts() -> None:
    assert backoff_ceiling(12) == 3600
    assert backoff_ceiling(10_000) == 3600


def test_the_delay_is_drawn_between_zero_and_the_ceiling() -> None:
    draws = random.Random(7)
    delays = [backoff_delay(5, uniform=draws.uniform) for _ in range(200)]

    assert all(0 <= delay <= 32 for delay in delays)
    assert max(delays) - min(delays) > 16  # spread out, not synchronised


def test_a_retry_after_hint_is_a_floor() -> None:
    assert backoff_delay(1, retry_after=30, uniform=lambda low, high: high) == 30
    assert backoff_delay(12, retry_after=30, uniform=lambda low, high: high) == 3600


def test_a_retry_after_hint_longer_than_the_cap_is_still_honoured() -> None:
    assert backoff_delay(20, retry_after=7200, uniform=lambda low, high: high) == 7200
