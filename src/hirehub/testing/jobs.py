"""A job kind that does nothing, for tests and benchmarks of the queue itself.

It is not part of the product: a test or benchmark that needs it adds it to the handlers it runs with
(``{**hub.job_handlers, NOOP: noop}``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from hirehub.jobs.context import JobContext

NOOP = "noop"


async def noop(context: JobContext) -> Mapping[str, Any]:
    """Sleeps for ``"seconds"`` in the payload, if given, and reports who ran which attempt.

    Its result, stored on the job, names the runner (under the job table's ``worker_id`` key) and the attempt
    that completed it.
    """
    seconds = float(context.payload.get("seconds", 0))
    if seconds > 0:
        await asyncio.sleep(seconds)
    return {"worker_id": context.runner_id, "attempt": context.attempt}
