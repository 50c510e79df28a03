"""Imports every module that defines tables, so ``Base.metadata`` is complete.

Alembic's autogenerate, ``create_all`` in tests and the tenant-isolation test that walks every table all
rely on this one list. A package that adds tables adds its module here.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from hirehub.db.base import Base

MODEL_MODULES = (
    "hirehub.tenancy.models",
    "hirehub.db.sequences",
    "hirehub.events.outbox",
    "hirehub.audit.models",
    "hirehub.directories.entra.models",
    "hirehub.accounts.models",
    "hirehub.hr.models",
    "hirehub.security.models",
    "hirehub.security.replay",
    "hirehub.throttling",
    "hirehub.jobs.models",
    "hirehub.jobs.heartbeat",
    "hirehub.provisioning.models",
    "hirehub.linkedin.models",
    "hirehub.linkedin.data_models",
)


def load_all() -> MetaData:
    """Import every table module and return the complete metadata."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    return Base.metadata
