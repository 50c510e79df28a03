"""The job kinds LinkedIn RSC defines, each with its handler, for the composition root to route.

Listed here rather than registered where the handlers are defined, so that running a job never depends on
which modules happen to have been imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from hirehub.jobs.context import Handler
from hirehub.linkedin.data_jobs import history_job
from hirehub.linkedin.data_queue import HISTORY, SEND
from hirehub.linkedin.data_send import send_job
from hirehub.linkedin.integrations import SYNC_CONFIGURATIONS, SYNC_INTEGRATIONS
from hirehub.linkedin.notifications import HANDLE_NOTIFICATION, notification_job
from hirehub.linkedin.sync import configurations_job, integrations_job

JOB_HANDLERS: Mapping[str, Handler] = MappingProxyType({
    SYNC_INTEGRATIONS: integrations_job,
    SYNC_CONFIGURATIONS: configurations_job,
    HANDLE_NOTIFICATION: notification_job,
    HISTORY: history_job,
    SEND: send_job,
})  # fmt: skip
"""``linkedin.integrations.sync``, ``linkedin.configurations.sync``, ``linkedin.notification`` and the data sync's
``linkedin.data.history`` and ``linkedin.data.send``."""
