"""The shape most HR reference tables share: a row named by a code that is unique in its tenant.

A table of that shape says only what differs in its class statement (its table name, its code column and how
the API names it); the tenant-wide unique constraint, the API's alternate key, the code column and the
optional description follow from those, so each such table reads as one statement plus its own extra columns.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import MappedColumn

from hirehub.db.base import Row, TenantOwned
from hirehub.hr.catalog import ODataLookup, ODataTable, table
from hirehub.hr.models.columns import text


class Coded(Row, TenantOwned):
    """Mix-in for a table of codes; the keyword arguments of the class statement describe it.

    ``api`` is the table's logical name, display name and plural display name on the Dataverse API;
    ``code_length`` the code column's length; ``described`` whether it has the usual ``description``.
    A table whose code or description other code reads declares them (``title_id: Mapped[str]``) for the
    type checker; the columns themselves are still made here.
    """

    __odata__: ClassVar[ODataTable]

    def __init_subclass__(
        cls,
        *,
        table_name: str,
        code: str,
        api: tuple[str, str, str],
        code_length: int = 20,
        described: bool = True,
        entity_set: str | None = None,
        lookups: tuple[tuple[str, ODataLookup], ...] = (),
        **kwargs: Any,
    ) -> None:
        setattr(cls, "__tablename__", table_name)  # noqa: B010 - set on the class being declared, before mapping
        setattr(cls, "__table_args__", (UniqueConstraint("tenant_id", code),))  # noqa: B010
        cls.__odata__ = table(*api, entity_set=entity_set, lookups=lookups, keys=((code,),))
        # The code and description come first, as the API lists a table's columns in the order they are mapped.
        own = {name: value for name, value in vars(cls).items() if isinstance(value, MappedColumn)}
        for name in own:
            delattr(cls, name)
        setattr(cls, code, text(code_length, required=True))
        if described:
            setattr(cls, "description", text(100))  # noqa: B010
        for name, value in own.items():
            setattr(cls, name, value)
        super().__init_subclass__(**kwargs)
