"""Which handler runs which kind of job: the registry ``hirehub worker`` loads its handlers from.

A package that defines job kinds decorates its handlers with :func:`register` and adds its module to
:data:`HANDLER_MODULES`, the way table modules are listed in :mod:`hirehub.db.models`; the worker imports
them all before it starts, so a kind is never unknown merely because its module was not imported.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, Mapping
from typing import Any

from hirehub.jobs.context import Handler, JobContext

HANDLERS: dict[str, Handler] = {}

HANDLER_MODULES: tuple[str, ...] = (
    "hirehub.jobs.registry",
    "hirehub.provisioning.sync",
    "hirehub.provisioning.approvals",
    "hirehub.linkedin.sync",
    "hirehub.linkedin.notifications",
    "hirehub.provisioning.reconcile",
)
"""Modules that register handlers when imported."""


def register(kind: str) -> Callable[[Handler], Handler]:
    """Register the decorated handler for ``kind``; registering a different handler twice is a mistake."""

    def decorate(handler: Handler) -> Handler:
        existing = HANDLERS.get(kind)
        if existing is not None and existing is not handler:
            raise ValueError(f"job kind {kind!r} already has a handler ({existing.__qualname__})")
        HANDLERS[kind] = handler
        return handler

    return decorate


def load_handlers() -> dict[str, Handler]:
    """Import every handler module and return the complete registry."""
    for module in HANDLER_MODULES:
        importlib.import_module(module)
    return HANDLERS


@register("noop")
async def noop(context: JobContext) -> Mapping[str, Any]:
    """Does nothing (for ``"seconds"`` in the payload, if given) and reports who ran which attempt.

    For benchmarks of the queue itself and for tests: its result, stored on the job, records the worker
    and attempt that completed it.
    """
    seconds = float(context.payload.get("seconds", 0))
    if seconds > 0:
        await asyncio.sleep(seconds)
    return {"worker_id": context.worker_id, "attempt": context.attempt}
