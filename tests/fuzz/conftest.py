"""The fuzz suite's hub (tests/fuzz/hub.py) and its examples budget.

The budget is fixed and the examples derandomised, so ``make test`` replays the same inputs on every run and
on both engines, in bounded time; ``HIREHUB_FUZZ_EXAMPLES`` raises it for a longer hunt.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests.fuzz.hub import FuzzHub

EXAMPLES = int(os.environ.get("HIREHUB_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
"""One hub serves every example of a test (built per test, not per example): the examples share its state, so a
failing example is reported as found, not shrunk (shrinking replays against a changed hub, and is where the time
would go); the failure message carries the request and the traceback."""


@pytest.fixture
def fuzz_hub(database_url: str) -> Iterator[FuzzHub]:
    hub = FuzzHub(database_url)
    try:
        yield hub
    finally:
        hub.close()
