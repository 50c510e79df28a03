"""What a domain tells the OData layer about itself: its tables, what happens around their writes, its actions.

The protocol knows no table of its own. A :class:`Binding` is built by the package that owns the tables
(for HR, :mod:`hirehub.dataverse`) and handed to the routes by the application factory; the OData layer
derives its entity model, ``$metadata`` and ``EntityDefinitions`` from it and calls its hooks and actions.
A table the binding does not name does not exist for the API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.odata.edm import EdmType
from hirehub.security.privileges import Privilege

RowHook = Callable[[AsyncSession, Any], Awaitable[None]]
"""Called with the session and the ORM row being written."""

ExistingRow = Callable[[AsyncSession, Mapping[str, Any]], Awaitable[Any]]
"""Called with the session and a create's JSON body; returns the row the create should update instead, or None."""

ActionRun = Callable[[AsyncSession, Any, Mapping[str, Any]], Awaitable[Any]]
"""Called with the session, the bound record's row and the parameters (as Python values); returns the row of
the action's result type."""


@dataclass(frozen=True)
class WriteHooks:
    """What a table's owner adds to a generic create or update.

    ``existing`` turns a create into an update of the row it finds (a natural key the client resends);
    ``before_insert`` runs once the body is applied and checked, before the row is added;
    ``before_update`` runs once an update's body is applied and checked, before the row is flushed (the
    attributes' history still says what the client changed);
    ``after_write`` runs once a created or updated row is flushed.
    """

    existing: ExistingRow | None = None
    before_insert: RowHook | None = None
    before_update: RowHook | None = None
    after_write: RowHook | None = None


@dataclass(frozen=True)
class TableDefinition:
    """One entity set: the ORM class behind it and the names clients see.

    ``lookups`` (single-valued navigations) and ``collections`` map the ORM relationship (or, for a lookup
    without one, the ``<name>_id`` column's ``<name>``) to the navigation property's name; a lookup's value
    reads as ``_<navigation>_value``, as Dataverse names it. ``columns`` makes the set a read-only view of
    only those attributes. ``read_only`` is the reason a client gets when it tries to write a set that only
    actions may change.
    """

    model: type
    logical_name: str
    entity_set: str
    display_name: str
    display_collection_name: str
    lookups: Mapping[str, str] = field(default_factory=dict)
    collections: Mapping[str, str] = field(default_factory=dict)
    alternate_keys: tuple[tuple[str, ...], ...] = ()
    columns: tuple[str, ...] | None = None
    primary_name: str | None = None
    """The attribute (ORM name) Dataverse's metadata reports as ``PrimaryNameAttribute``."""
    virtual: bool = False
    """Reported as ``TableType: Virtual`` (a table whose rows live outside Dataverse)."""
    read_only: str | None = None
    hooks: WriteHooks = field(default_factory=WriteHooks)


@dataclass(frozen=True)
class ActionParameter:
    name: str
    edm_type: EdmType
    """``Edm.String``, ``Edm.Date``, ``Edm.Guid``…: the body's value is converted (and refused) as a column's is."""


@dataclass(frozen=True)
class BoundAction:
    """An action bound to one record of ``bound_to`` (``POST …/<set>(<key>)/Microsoft.Dynamics.CRM.<name>``).

    ``requires`` lists the privileges the caller needs beyond reading; the result is the record of
    ``returns`` that ``run`` gives back.
    """

    name: str
    bound_to: str
    """The logical name of the table whose records the action is called on."""
    returns: str
    """The logical name of the table of the record it answers with."""
    parameters: tuple[ActionParameter, ...]
    requires: tuple[tuple[str, Privilege], ...]
    run: ActionRun


@dataclass(frozen=True, eq=False)
class Binding:
    """Everything the OData layer serves. ``property_name`` maps an ORM attribute to the column name clients
    use; system columns (``createdon``, ``modifiedon``, ``versionnumber``) are the protocol's own."""

    tables: tuple[TableDefinition, ...]
    property_name: Callable[[str], str]
    actions: tuple[BoundAction, ...] = ()
