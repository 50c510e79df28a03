"""A connector that fails the way real directories do, around one that works: for convergence tests.

Faults are drawn from a seeded random generator, so a failing run can be replayed:

* **unavailable**: the call raises :class:`ConnectorUnavailable` before anything happens (a reset connection);
* **lost reply**: the plan is applied in full, then the call raises :class:`ConnectorUnavailable`, as when the
  response never arrives; the caller cannot tell whether anything happened, which is what tests idempotence;
* **throttled**: the first steps are applied, then one is answered ``retry`` with a ``retry_after`` hint (Graph's
  429) and the rest are skipped, as the connector contract says;
* **outages**: between two instants of the clock every call raises ConnectorUnavailable with the time left.

Faults are transient: one person's calls fail at most ``max_in_a_row`` times in a row (outages aside), as a
real directory's hiccups pass; a job's attempts are finite, and a fault that never ends is another test's subject.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from hirehub.lifecycle.connector import ApplyResult, Connector, ConnectorUnavailable, Outcome, StepResult
from hirehub.lifecycle.directory_state import DirectoryAccount
from hirehub.lifecycle.planning import Plan


class FaultyConnector:
    def __init__(
        self,
        inner: Connector,
        clock: Callable[[], datetime],
        *,
        seed: int,
        unavailable: float = 0.15,
        lost_reply: float = 0.15,
        throttled: float = 0.2,
        lookup_unavailable: float = 0.1,
        max_in_a_row: int = 3,
        outages: Sequence[tuple[datetime, datetime]] = (),
    ) -> None:
        self.inner = inner
        self.clock = clock
        self.random = random.Random(seed)
        self.unavailable = unavailable
        self.lost_reply = lost_reply
        self.throttled = throttled
        self.lookup_unavailable = lookup_unavailable
        self.max_in_a_row = max_in_a_row
        self.outages = tuple(outages)
        self.injected: Counter[str] = Counter()
        self._in_a_row: Counter[str] = Counter()

    def _draw(self, anchor: str) -> float:
        """A uniform draw, or 1.0 (no fault) once ``anchor``'s calls have failed ``max_in_a_row`` times running."""
        draw = self.random.random()
        if self._in_a_row[anchor] >= self.max_in_a_row:
            draw = 1.0
        return draw

    def _fault(self, anchor: str, kind: str) -> None:
        self._in_a_row[anchor] += 1
        self.injected[kind] += 1

    def _check_up(self) -> None:
        now = self.clock()
        for start, end in self.outages:
            if start <= now < end:
                self.injected["outage"] += 1
                raise ConnectorUnavailable("the directory is down", retry_after=(end - now).total_seconds())

    async def find_by_anchor(self, anchor: str) -> DirectoryAccount | None:
        self._check_up()
        if self._draw(anchor) < self.lookup_unavailable:
            self._fault(anchor, "lookup_unavailable")
            raise ConnectorUnavailable("connection reset")
        return await self.inner.find_by_anchor(anchor)

    async def list_accounts(self, page_token: str | None) -> tuple[list[DirectoryAccount], str | None]:
        self._check_up()
        return await self.inner.list_accounts(page_token)

    async def name_taken(self, name: str) -> bool:
        self._check_up()
        return await self.inner.name_taken(name)

    async def apply(self, plan: Plan, account: DirectoryAccount | None) -> ApplyResult:
        self._check_up()
        draw = self._draw(plan.anchor)
        if draw < self.unavailable:
            self._fault(plan.anchor, "unavailable")
            raise ConnectorUnavailable("connection reset", retry_after=self.random.choice((None, 2.0)))
        draw -= self.unavailable
        if draw < self.lost_reply:
            self._fault(plan.anchor, "lost_reply")
            await self.inner.apply(plan, account)
            raise ConnectorUnavailable("the reply was lost")
        draw -= self.lost_reply
        if draw < self.throttled and plan.steps:
            self._fault(plan.anchor, "throttled")
            cut = self.random.randrange(len(plan.steps))
            done = await self.inner.apply(replace(plan, steps=plan.steps[:cut]), account) if cut else None
            wait = self.random.choice((1.0, 5.0, 30.0))
            results = (
                *(done.results if done else ()),
                StepResult(plan.steps[cut], Outcome.RETRY, "too many requests", retry_after=wait),
                *(StepResult(step, Outcome.SKIPPED) for step in plan.steps[cut + 1 :]),
            )
            return ApplyResult(results, done.account if done else account)
        self._in_a_row[plan.anchor] = 0
        return await self.inner.apply(plan, account)
