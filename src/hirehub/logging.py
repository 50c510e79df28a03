"""Structured logs: one JSON object per line (or readable lines on a terminal), through structlog.

Every log line carries its event name and key/value context instead of an interpolated sentence, so the
logs can be searched and aggregated. An exception is logged as its formatted traceback. Secrets never go in:
callers log ids and thumbprints, not values.
"""

from __future__ import annotations

import logging
import sys

import structlog


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    """Route structlog and the standard library's logging through one renderer."""
    # A JSON line carries an exception as its formatted traceback ("exception"), never as the repr of a
    # traceback object; the console renderer formats exceptions itself.
    rendering: list[structlog.typing.Processor] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
        if json
        else [structlog.dev.ConsoleRenderer(colors=False)]
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for server in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # uvicorn's own set-up, if it ran, gives way
        logging.getLogger(server).handlers.clear()
        logging.getLogger(server).propagate = True
    for noisy in ("uvicorn.access", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
