"""The ledger of a shared Graph write budget: leases, queues, holds and expiry, as pure arithmetic.

The processes themselves are in ``test_write_budget_processes``; here each rule is stated on the ledger alone, and
a simulation of many holders using their leases late checks the one promise that matters: Graph's own bucket never
refuses a write made with a leased token.
"""

from __future__ import annotations

import heapq
import random
from datetime import timedelta

import pytest

from hirehub.directories.entra.budget_ledger import (
    EXPIRY_GRACE_SECONDS,
    Ledger,
    Limit,
    advance,
    confirm,
    grant,
    hold,
    settle,
)
from tests.entra.budget_support import EPOCH, excess_writes

LIMIT = Limit(capacity=100, window_seconds=10)  # 10 writes a second


def at(seconds: float):  # type: ignore[no-untyped-def]
    return EPOCH + timedelta(seconds=seconds)


def test_a_budget_never_used_grants_its_whole_capacity_at_once_then_paces_at_the_rate() -> None:
    ledger, first = grant(Ledger.full(LIMIT, at(0)), LIMIT, at(0), lease_id="a", want=100)
    assert (first.tokens, first.delay) == (100, 0.0)
    ledger = settle(ledger, LIMIT, at(0), lease_id="a", unused=0)
    _, second = grant(ledger, LIMIT, at(0), lease_id="b", want=5)
    assert second.delay == pytest.approx(0.5)  # five writes at ten a second


def test_callers_short_of_tokens_queue_in_the_order_they_asked() -> None:
    ledger = Ledger(0.0, at(0))
    starts = []
    for name in "abc":
        ledger, granted = grant(ledger, LIMIT, at(0), lease_id=name, want=10)
        starts.append(granted.delay)
    assert starts == pytest.approx([1.0, 2.0, 3.0])
    assert ledger.tokens == pytest.approx(-30)


def test_spare_tokens_are_leased_only_when_the_ledger_has_them_now() -> None:
    _, rich = grant(Ledger(50.0, at(0)), LIMIT, at(0), lease_id="a", want=1, spare=19)
    assert rich.tokens == 20
    _, poor = grant(Ledger(5.0, at(0)), LIMIT, at(0), lease_id="a", want=1, spare=19)
    assert poor.tokens == 5  # what is there, never a debt for tokens nobody asked for
    _, empty = grant(Ledger(0.0, at(0)), LIMIT, at(0), lease_id="a", want=1, spare=19)
    assert (empty.tokens, empty.delay) == (1, pytest.approx(0.1))


def test_leased_tokens_count_against_the_capacity_until_settled() -> None:
    ledger, _ = grant(Ledger.full(LIMIT, at(0)), LIMIT, at(0), lease_id="a", want=40, lease_seconds=120)
    later = advance(ledger, LIMIT, at(60))  # long enough to refill everything, within the lease's life
    assert later.tokens == 60  # the 40 leased are still someone's to spend
    assert settle(later, LIMIT, at(60), lease_id="a", unused=15).tokens == 75  # 25 were spent: 15 come back


def test_a_lease_whose_holder_vanished_expires_and_the_capacity_comes_back() -> None:
    ledger, granted = grant(Ledger.full(LIMIT, at(0)), LIMIT, at(0), lease_id="dead", want=100, lease_seconds=1)
    expires = granted.start + timedelta(seconds=1 + EXPIRY_GRACE_SECONDS)
    assert advance(ledger, LIMIT, expires - timedelta(milliseconds=1)).tokens == 0  # still held
    assert advance(ledger, LIMIT, expires).leases == {}
    assert advance(ledger, LIMIT, expires + timedelta(seconds=10)).tokens == 100
    # a holder coming back after its lease expired gets nothing back: its tokens were counted as spent
    expired = advance(ledger, LIMIT, expires)
    assert settle(expired, LIMIT, expires, lease_id="dead", unused=100).tokens == expired.tokens == 30


def test_a_hold_starts_nothing_before_it_ends_and_paces_from_an_empty_bucket_after() -> None:
    ledger = hold(Ledger.full(LIMIT, at(0)), LIMIT, at(0), 7.0)
    assert ledger.held_until == at(7)
    _, granted = grant(ledger, LIMIT, at(1), lease_id="a", want=10)
    assert granted.start == at(8)  # the hold's end, then the ten writes' worth of refill


def test_a_holder_waiting_for_its_lease_learns_of_a_hold_that_came_meanwhile() -> None:
    ledger, granted = grant(Ledger(0.0, at(0)), LIMIT, at(0), lease_id="a", want=30, lease_seconds=1)
    assert granted.start == at(3)
    ledger = hold(ledger, LIMIT, at(1), 10.0)
    ledger, resume = confirm(ledger, LIMIT, at(3), lease_id="a", lease_seconds=1)
    assert resume == at(11)
    assert ledger.leases["a"].expires == at(11 + 1 + EXPIRY_GRACE_SECONDS)  # kept until it can be used
    _, gone = confirm(ledger, LIMIT, at(30), lease_id="a")
    assert gone is None


def test_a_lease_cannot_ask_for_more_than_the_capacity() -> None:
    with pytest.raises(ValueError, match="between 1 and 100"):
        grant(Ledger.full(LIMIT, at(0)), LIMIT, at(0), lease_id="a", want=101)


def test_tokens_a_holder_has_not_used_yet_are_not_granted_again_when_the_budget_refills() -> None:
    """Graph's bucket still holds a lease's unused tokens, and stops filling when full: were the ledger to fill
    to the capacity beside them, another holder's burst and the late writes together would exceed it."""
    ledger, early = grant(Ledger.full(LIMIT, at(0)), LIMIT, at(0), lease_id="a", want=1, spare=19, lease_seconds=3)
    assert early.tokens == 20
    ledger, burst = grant(ledger, LIMIT, at(2), lease_id="b", want=100)
    assert burst.delay > 0  # the ledger has refilled for two seconds, but 20 of its tokens are still leased
    writes = [2.9] * early.tokens + [burst.start.timestamp() - EPOCH.timestamp()] * burst.tokens
    assert excess_writes(writes, LIMIT) == []
    # settled, the lease's tokens are counted once, as spent or as back
    ledger = settle(ledger, LIMIT, at(2.9), lease_id="a", unused=0)
    assert ledger.outstanding == 100 and ledger.leases.keys() == {"b"}


@pytest.mark.parametrize("seed", range(20))
def test_holders_using_their_leases_late_never_exceed_graphs_bucket(seed: int) -> None:
    """Holders ask for leases (small ones, and bursts) with spare tokens at random moments, and use them at once or
    late in the lease's life (some tokens never), then settle them at its end, or vanish: every write, replayed
    through Graph's bucket, is admitted."""
    rng = random.Random(seed)
    lease_seconds = 3.0
    ledger = Ledger.full(LIMIT, at(0))
    clock = 0.0
    writes: list[float] = []
    settling: list[tuple[float, str, int]] = []  # (when, lease, unused tokens), earliest first
    for n in range(400):
        clock += rng.expovariate(0.3)
        while settling and settling[0][0] <= clock:
            when, lease_id, unused = heapq.heappop(settling)
            ledger = settle(ledger, LIMIT, at(when), lease_id=lease_id, unused=unused)
        lease_id = f"lease-{n}"
        ledger, granted = grant(
            ledger, LIMIT, at(clock), lease_id=lease_id, want=rng.choice((1, 2, 3, 20, 60)),
            spare=rng.randint(0, 30), lease_seconds=lease_seconds,
        )  # fmt: skip
        start = clock + granted.delay
        used = granted.tokens if rng.random() < 0.8 else rng.randint(0, granted.tokens)
        late = rng.random() < 0.5
        writes += [start + (lease_seconds * rng.betavariate(3, 1) if late else 0.0) for _ in range(used)]
        if rng.random() < 0.9:  # otherwise the holder vanished: its lease expires
            heapq.heappush(settling, (start + lease_seconds, lease_id, granted.tokens - used))
    assert len(writes) > 2000
    assert excess_writes(writes, LIMIT) == []
