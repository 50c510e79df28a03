"""The arithmetic of a write budget shared by processes: a token bucket that hands its tokens out in leases.

Graph throttles writes per application per directory with a token bucket (``capacity`` writes, refilled at
``capacity / window`` per second). The hub keeps its own copy of that bucket in one database row, the *ledger*,
and every process takes tokens from it before it writes. A process takes them a *lease* at a time (up to a few
writes' worth, so it does not go to the database for every write) and uses them for at most ``lease_seconds``.

Handing out tokens that are spent later, or never, must not let the writes exceed Graph's bucket. The rule that
makes it exact: **tokens leased and not yet settled count against the ledger's capacity** (it refills to
``capacity - outstanding``, not ``capacity``). Then ``Graph's tokens ≥ ledger's tokens + outstanding`` holds at
every moment — a grant moves tokens from one side of the sum to the other, a write spends one on both sides, a
refill adds the same on both sides until Graph's bucket is full, when the ledger's cap keeps its side below — so
a process that writes with a leased token always finds one at Graph, however late in its lease it writes.

* A lease settles when its holder comes back for more: the tokens it did not use go back to the ledger.
* A lease whose holder never comes back (the process died) *expires*: it leaves ``outstanding`` a little after
  its holder stopped using it, its tokens counted as spent, and the ledger can fill up to the capacity again.
* When the ledger is short, a grant is made anyway with a start in the future, and the ledger goes into debt
  (negative tokens): callers queue in the order they asked, each told when its writes may go, with no polling.
* A ``Retry-After`` from Graph *holds* the budget: the ledger is put in debt for that long (Graph's bucket is
  empty, whatever the ledger thought), so every grant made afterwards starts once the hold is over, and a grant
  made earlier but not yet due is told of the hold when its holder confirms it (:func:`confirm`).

Everything here is pure: the times are the database's, given by the caller; :mod:`.budget_store` keeps the
ledger in its row and runs each operation in one short transaction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

GRAPH_WRITES_PER_WINDOW = 3000
GRAPH_WINDOW_SECONDS = 150.0
LEASE_SECONDS = 1.0
"""How long a process may use a lease's tokens after its start: also how long, at most, a process goes on writing
with tokens granted before another process's 429 put the budget on hold."""
EXPIRY_GRACE_SECONDS = 2.0
"""Added to a lease's life before the ledger gives it up, against the holder's clock and commit delays."""


@dataclass(frozen=True)
class Limit:
    """Graph's bucket: ``capacity`` writes, refilled at ``capacity / window_seconds`` writes per second."""

    capacity: int = GRAPH_WRITES_PER_WINDOW
    window_seconds: float = GRAPH_WINDOW_SECONDS

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.window_seconds <= 0:
            raise ValueError("a budget needs a positive capacity and window")

    @property
    def rate(self) -> float:
        return self.capacity / self.window_seconds


@dataclass(frozen=True)
class Lease:
    """Tokens granted to one holder and not settled yet; given up at ``expires`` if its holder never settles."""

    tokens: int
    expires: datetime


@dataclass(frozen=True)
class Ledger:
    """The state of one budget as of ``stamp``; ``tokens`` is negative while callers queue or a hold lasts."""

    tokens: float
    stamp: datetime
    held_until: datetime | None = None
    leases: dict[str, Lease] = field(default_factory=dict)

    @classmethod
    def full(cls, limit: Limit, now: datetime) -> Ledger:
        """A budget never used: Graph's bucket starts full too."""
        return cls(float(limit.capacity), now)

    @property
    def outstanding(self) -> int:
        return sum(lease.tokens for lease in self.leases.values())


@dataclass(frozen=True)
class Grant:
    """A lease granted: ``tokens`` writes, which may start at ``start`` (the database's time), asked at ``now``."""

    lease_id: str
    tokens: int
    start: datetime
    now: datetime

    @property
    def delay(self) -> float:
        """Seconds from the grant to its start."""
        return max(0.0, (self.start - self.now).total_seconds())


def advance(ledger: Ledger, limit: Limit, now: datetime) -> Ledger:
    """The ledger at ``now``: expired leases given up, then refilled (never above ``capacity - outstanding``)."""
    leases = {lease_id: lease for lease_id, lease in ledger.leases.items() if lease.expires > now}
    cap = limit.capacity - sum(lease.tokens for lease in leases.values())
    elapsed = max(0.0, (now - ledger.stamp).total_seconds())
    tokens = min(ledger.tokens + elapsed * limit.rate, cap)
    return replace(ledger, tokens=tokens, stamp=max(now, ledger.stamp), leases=leases)


def grant(
    ledger: Ledger,
    limit: Limit,
    now: datetime,
    *,
    lease_id: str,
    want: int,
    spare: int = 0,
    lease_seconds: float = LEASE_SECONDS,
) -> tuple[Ledger, Grant]:
    """Lease ``want`` tokens, plus up to ``spare`` more if the ledger has them now (never in debt).

    ``want`` is granted whatever the ledger holds: the grant starts when the ledger has paid for it (and not before
    a hold ends), so callers queue in the order they asked."""
    if want < 1 or want > limit.capacity:
        raise ValueError(f"a lease takes between 1 and {limit.capacity} tokens, not {want}")
    ledger = advance(ledger, limit, now)
    extra = max(0, min(spare, math.floor(ledger.tokens - want)))
    tokens = want + extra
    granted = replace(ledger, tokens=ledger.tokens - tokens)
    start = _paid_off(granted, limit, now, tokens)
    if ledger.held_until is not None and ledger.held_until > start:
        start = ledger.held_until
    expires = start + timedelta(seconds=lease_seconds + EXPIRY_GRACE_SECONDS)
    leases = {**ledger.leases, lease_id: Lease(tokens, expires)}
    return replace(granted, leases=leases), Grant(lease_id, tokens, start, now)


def _paid_off(ledger: Ledger, limit: Limit, now: datetime, tokens: int) -> datetime:
    """When a ledger in debt after granting ``tokens`` is back to zero, counting on no lease being settled (a
    settlement can only make it sooner): it refills at the rate but never above ``capacity - outstanding``, and
    the outstanding leases (this one's ``tokens`` among them) leave only when they expire."""
    if ledger.tokens >= 0:
        return now
    outstanding = ledger.outstanding + tokens
    level, moment = ledger.tokens, now
    for expires, leaving in sorted((lease.expires, lease.tokens) for lease in ledger.leases.values()):
        if limit.capacity - outstanding >= 0:
            break
        if expires > moment:
            cap = limit.capacity - outstanding
            level = min(cap, level + (expires - moment).total_seconds() * limit.rate) if level < cap else level
            moment = expires
        outstanding -= leaving
    return moment + timedelta(seconds=max(0.0, -level) / limit.rate)


def settle(ledger: Ledger, limit: Limit, now: datetime, *, lease_id: str, unused: int) -> Ledger:
    """The holder is done with its lease: its ``unused`` tokens go back. A lease already given up gives nothing
    back (its tokens were counted as spent when it expired)."""
    ledger = advance(ledger, limit, now)
    lease = ledger.leases.get(lease_id)
    if lease is None:
        return ledger
    leases = {key: value for key, value in ledger.leases.items() if key != lease_id}
    returned = min(max(0, unused), lease.tokens)
    cap = limit.capacity - sum(value.tokens for value in leases.values())
    return replace(ledger, tokens=min(cap, ledger.tokens + returned), leases=leases)


def hold(ledger: Ledger, limit: Limit, now: datetime, seconds: float) -> Ledger:
    """Graph said wait ``seconds`` (``Retry-After``): its bucket is empty now, so nothing is granted to start
    before the hold ends, and the writes after it are paced from an empty bucket rather than a burst."""
    ledger = advance(ledger, limit, now)
    until = now + timedelta(seconds=max(0.0, seconds))
    held_until = until if ledger.held_until is None else max(ledger.held_until, until)
    return replace(ledger, tokens=min(ledger.tokens, -max(0.0, seconds) * limit.rate), held_until=held_until)


def confirm(
    ledger: Ledger, limit: Limit, now: datetime, *, lease_id: str, lease_seconds: float = LEASE_SECONDS
) -> tuple[Ledger, datetime | None]:
    """A holder about to use a lease it waited for asks whether a hold came meanwhile: when its writes may go (now,
    or the hold's end; the lease is kept that long), or None if the lease was given up (ask for a new one)."""
    ledger = advance(ledger, limit, now)
    lease = ledger.leases.get(lease_id)
    if lease is None:
        return ledger, None
    resume = now if ledger.held_until is None else max(now, ledger.held_until)
    kept = replace(lease, expires=max(lease.expires, resume + timedelta(seconds=lease_seconds + EXPIRY_GRACE_SECONDS)))
    return replace(ledger, leases={**ledger.leases, lease_id: kept}), resume
