"""The durable jobs of RSC data sync: queueing an organization's history, and sending what waits.

An organization's sends run one at a time under its ordering key (:func:`~hirehub.linkedin.data_queue.ordering_key`),
so its batches reach LinkedIn one after another; its history runs under a key of its own
(:func:`~hirehub.linkedin.data_queue.history_key`), beside the sends, so that sending starts with the first page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hirehub.jobs.context import JobContext
from hirehub.linkedin import data_queue


async def history_job(context: JobContext) -> Mapping[str, Any] | None:
    """:data:`~hirehub.linkedin.data_queue.HISTORY`: queue the organization's history page by page (each page and
    its cursor in one transaction, so a crash resumes after the last committed page), with a send queued beside each
    page (one waits at most: the send job sends what waits when it runs, the pages queued meanwhile included)."""
    integration_context = str(context.payload["integration_context"])
    pages = 0
    while True:
        async with context.database.tenant_transaction(context.tenant_id) as session:
            more = await data_queue.queue_history_page(session, integration_context)
            await data_queue.queue_send(session, integration_context)
        if not more:
            break
        pages += 1
    return {"integration_context": integration_context, "pages": pages}
