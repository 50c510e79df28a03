"""The job kinds provisioning runs, and their handlers: the map the composition root merges into the hub's.

Three handlers reach a directory and are made around the hub's :class:`~hirehub.provisioning.connectors.Connectors`;
the other two only queue work.
"""

from __future__ import annotations

from hirehub.jobs.context import Handler
from hirehub.provisioning.approvals import APPLY_APPROVED, make_apply_approved_handler
from hirehub.provisioning.connectors import Connectors
from hirehub.provisioning.reconcile import make_reconcile_handler
from hirehub.provisioning.scheduling import RECONCILE
from hirehub.provisioning.sync import NOTIFY_REPORTS, SYNC, TICK, make_sync_handler, notify_reports, tick


def job_handlers(connectors: Connectors) -> dict[str, Handler]:
    """Every provisioning job kind → its handler, the directory ones provisioning into ``connectors``."""
    return {
        SYNC: make_sync_handler(connectors),
        TICK: tick,
        NOTIFY_REPORTS: notify_reports,
        APPLY_APPROVED: make_apply_approved_handler(connectors),
        RECONCILE: make_reconcile_handler(connectors),
    }
