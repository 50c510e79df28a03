"""HR's tables as the OData layer serves them, built from the ``__odata__`` facts the HR models carry.

Every HR table keeps its Dataverse names (``mshr_…``, a column ``first_name`` is ``mshr_firstname``). Workers,
employments and assignments are read-only through the API: only the ``mshr_Hire`` action makes them.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import inspect

from hirehub.dataverse.hire import HIRE
from hirehub.dataverse.hooks import hooks_for
from hirehub.hr.catalog import dataverse_name
from hirehub.hr.tables import ExposedTable, exposed_tables
from hirehub.odata.binding import Binding, TableDefinition

MADE_BY_HIRING = frozenset(
    {"mshr_hcmworkerentity", "mshr_hcmemploymententity", "mshr_hcmpositionworkerassignmententity"}
)
HIRING_ONLY = (
    "workers, employments and assignments are made by the Hire action (Microsoft.Dynamics.CRM.mshr_Hire on a "
    "candidate to hire)."
)
PRIMARY_NAME = "first_name"


@cache
def binding() -> Binding:
    """The HR ↔ Dataverse binding (a constant value, built on first use)."""
    return Binding(
        tables=tuple(_table(exposed) for exposed in exposed_tables()),
        property_name=dataverse_name,
        actions=(HIRE,),
    )


def _table(exposed: ExposedTable) -> TableDefinition:
    odata = exposed.odata
    attributes = set(exposed.columns) if exposed.columns is not None else set(inspect(exposed.model).columns.keys())
    return TableDefinition(
        model=exposed.model,
        logical_name=odata.logical_name,
        entity_set=odata.entity_set,
        display_name=odata.display_name,
        display_collection_name=odata.display_collection_name,
        lookups={name: lookup.navigation for name, lookup in odata.lookups.items()},
        collections=dict(odata.collections),
        alternate_keys=odata.alternate_keys,
        columns=exposed.columns,
        primary_name=PRIMARY_NAME if PRIMARY_NAME in attributes else None,
        virtual=odata.logical_name.startswith("mshr_"),
        read_only=HIRING_ONLY if odata.logical_name in MADE_BY_HIRING else None,
        hooks=hooks_for(exposed.model),
    )
