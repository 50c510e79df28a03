"""The ``hirehub`` command with the test-only ``noop`` job kind among the hub's handlers.

Tests that run the job runner as a real process start this file instead of ``python -m hirehub``: the
command is the product's own, and only the composition root's handler map gains the one kind the tests
enqueue (:mod:`hirehub.testing.jobs`).
"""

from __future__ import annotations

from hirehub import bootstrap
from hirehub.jobs.context import Handler
from hirehub.provisioning.connectors import Connectors
from hirehub.testing.jobs import NOOP, noop

_product_handlers = bootstrap.job_handlers


def _with_noop(connectors: Connectors) -> dict[str, Handler]:
    return {**_product_handlers(connectors), NOOP: noop}


if __name__ == "__main__":
    bootstrap.job_handlers = _with_noop
    from hirehub.cli import app

    app(prog_name="hirehub")
