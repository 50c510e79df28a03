"""Writing records: create (with deep insert and ``@odata.bind``), update, upsert and delete.

A body is checked whole before a row changes: unknown properties, system-generated columns, values of
the wrong type, write-once columns and missing required ones are refused with a 400 that names the
property. Lookups are bound by ``<navigation>@odata.bind`` to a record of this tenant (Append on the
table, AppendTo on the target). What a table's owner adds to a write (a natural key that turns a create
into an update, values filled in before the insert, a domain service run after it) comes from the
binding's :class:`~hirehub.odata.binding.WriteHooks`; a set the binding marks read-only is refused whole.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.odata.edm import EdmType
from hirehub.odata.errors import (
    RESOURCE_NOT_FOUND,
    DataverseError,
    bad_payload,
    invalid_argument,
    method_not_allowed,
    record_not_found,
)
from hirehub.odata.model import EntityModel, EntityType, Property
from hirehub.odata.reading import key_condition
from hirehub.odata.resource_path import parse_resource_path
from hirehub.odata.values import from_json
from hirehub.security.privileges import Privilege

MAX_DEEP_INSERT_DEPTH = 3
_ENTITY_REFERENCE = re.compile(r"^(?:.*/)?(?P<set>[A-Za-z_][A-Za-z0-9_]*\(.*\))$")


@dataclass
class Writer:
    session: AsyncSession
    model: EntityModel
    require: Callable[[str, Privilege], None]

    def check_writable(self, entity: EntityType) -> None:
        reason = entity.read_only or ("it is a view of another table's columns." if entity.is_view else None)
        if reason is not None:
            raise method_not_allowed(f"'{entity.entity_set}' cannot be written through the API: {reason}")

    # --- create -----------------------------------------------------------------------------------

    async def create(
        self, entity: EntityType, body: Any, *, depth: int = 0, preset: dict[str, Any] | None = None
    ) -> Any:
        self.check_writable(entity)
        self.require(entity.logical_name, Privilege.CREATE)
        if not isinstance(body, dict):
            raise bad_payload(f"The body of a {entity.logical_name} is a JSON object.")
        if depth > MAX_DEEP_INSERT_DEPTH:
            raise bad_payload(f"Deep insert is nested more than {MAX_DEEP_INSERT_DEPTH} levels.")
        hooks = entity.hooks
        if hooks.existing is not None:
            existing = await hooks.existing(self.session, body)
            if existing is not None:  # the client resent a record it created: update it
                await self.update(entity, existing, body)
                return existing
        row = entity.model(**(preset or {}))
        if entity.key in body:
            row.id = from_json(Property(entity.key, "id", EdmType.GUID), body[entity.key])
        else:
            row.id = uuid.uuid4()
        children = await self._apply(entity, row, body, creating=True, depth=depth)
        self._check_required(entity, row)
        if hooks.before_insert is not None:
            await hooks.before_insert(self.session, row)
        self.session.add(row)
        await self.session.flush()
        if hooks.after_write is not None:
            await hooks.after_write(self.session, row)
        for collection_entity, foreign_key, items in children:
            for item in items:
                await self.create(collection_entity, item, depth=depth + 1, preset={foreign_key: row.id})
        return row

    # --- update -----------------------------------------------------------------------------------

    async def update(self, entity: EntityType, row: Any, body: Any) -> Any:
        self.check_writable(entity)
        self.require(entity.logical_name, Privilege.WRITE)
        if not isinstance(body, dict):
            raise bad_payload(f"The body of a {entity.logical_name} is a JSON object.")
        children = await self._apply(entity, row, body, creating=False, depth=0)
        if children:
            raise bad_payload("Collections cannot be written by an update; create the related records instead.")
        self._check_required(entity, row)
        if entity.hooks.before_update is not None:
            await entity.hooks.before_update(self.session, row)
        await self.session.flush()
        if entity.hooks.after_write is not None:
            await entity.hooks.after_write(self.session, row)
            await self.session.flush()
        return row

    async def delete(self, entity: EntityType, row: Any) -> None:
        self.check_writable(entity)
        self.require(entity.logical_name, Privilege.DELETE)
        await self.session.delete(row)
        await self.session.flush()

    async def find(self, entity: EntityType, key: uuid.UUID | dict[str, Any]) -> Any:
        return await self.session.scalar(select(entity.model).where(key_condition(entity, key)))

    # --- the body ---------------------------------------------------------------------------------

    async def _apply(
        self, entity: EntityType, row: Any, body: dict[str, Any], *, creating: bool, depth: int
    ) -> list[tuple[EntityType, str, list[Any]]]:
        children: list[tuple[EntityType, str, list[Any]]] = []
        for name, raw in body.items():
            if name == entity.key:
                if not creating and raw is not None and str(raw).lower() != str(row.id):
                    raise invalid_argument(f"'{entity.key}' is the record's key and cannot be changed.")
                continue
            if name.startswith("@odata.") or name.startswith("@"):
                continue
            if name.endswith("@odata.bind"):
                await self._bind(entity, row, navigation=name[: -len("@odata.bind")], raw=raw)
                continue
            if "@" in name:
                continue  # instance annotations such as …@OData.Community.Display.V1.FormattedValue
            prop = entity.properties.get(name)
            if prop is not None:
                self._set(entity, row, prop, raw=raw, creating=creating)
                continue
            if name in entity.lookups:
                await self._deep_single(entity, row, navigation=name, raw=raw, depth=depth)
                continue
            if name in entity.collections:
                if not creating:
                    raise bad_payload("Collections cannot be written by an update; create the related records instead.")
                if not isinstance(raw, list):
                    raise bad_payload(f"'{name}' is a collection: give it a JSON array of records.")
                collection = entity.collections[name]
                self.require(entity.logical_name, Privilege.APPEND_TO)
                children.append((self.model.entity_type(collection.target), collection.foreign_key, raw))
                continue
            if entity.lookup_by_value(name) is not None:
                lookup = entity.lookup_by_value(name)
                assert lookup is not None
                if raw is None and creating:
                    continue  # a generic client's null for a read-only lookup value
                raise bad_payload(f"'{name}' is read-only: set the lookup with \"{lookup.navigation}@odata.bind\".")
            raise DataverseError(
                400, RESOURCE_NOT_FOUND,
                f"The property '{name}' does not exist on type 'Microsoft.Dynamics.CRM.{entity.logical_name}'. Make "
                "sure to only use property names that are defined by the type.",
            )  # fmt: skip
        return children

    @staticmethod
    def _set(entity: EntityType, row: Any, prop: Property, *, raw: Any, creating: bool) -> None:
        if prop.system:
            if raw is None:
                return  # generic clients send every property; a null asks for nothing
            raise invalid_argument(f"'{prop.name}' is generated by the system and cannot be set.")
        value = from_json(prop, raw)
        if prop.write_once and not creating and getattr(row, prop.attribute) != value:
            raise invalid_argument(f"'{prop.name}' can be set only when the {entity.display_name} is created.")
        setattr(row, prop.attribute, value)

    @staticmethod
    def _check_required(entity: EntityType, row: Any) -> None:
        for prop in entity.properties.values():
            if prop.has_default and getattr(row, prop.attribute, None) is None:
                continue  # the column's default fills it in
            if prop.required and not prop.system and getattr(row, prop.attribute, None) in (None, ""):
                raise invalid_argument(f"'{prop.name}' is required: give it a value.")

    async def _bind(self, entity: EntityType, row: Any, *, navigation: str, raw: Any) -> None:
        lookup = entity.lookups.get(navigation)
        if lookup is None:
            if navigation in entity.collections:
                raise bad_payload(f"'{navigation}' is a collection; bind from the other side's lookup instead.")
            raise bad_payload(f"'{navigation}' is not a lookup of {entity.logical_name}.")
        self.require(entity.logical_name, Privilege.APPEND)
        if raw is None:
            setattr(row, lookup.foreign_key, None)
            return
        target = self.model.entity_type(lookup.target)
        self.require(target.logical_name, Privilege.APPEND_TO)
        if not isinstance(raw, str):
            raise bad_payload(f"'{navigation}@odata.bind' takes a reference such as \"/{target.entity_set}(<guid>)\".")
        reference = urlsplit(raw).path if "://" in raw else raw
        match = _ENTITY_REFERENCE.match(reference)
        if match is None:
            raise bad_payload(f"'{raw}' is not a reference such as \"/{target.entity_set}(<guid>)\".")
        path = parse_resource_path(match.group("set"))
        if path.entity_set != target.entity_set or path.key is None:
            raise bad_payload(f"'{navigation}' refers to {target.entity_set}, not to '{path.entity_set}'.")
        target_id = await self.session.scalar(select(target.model.id).where(key_condition(target, path.key)))
        if target_id is None:
            raise record_not_found(target.logical_name, str(path.key))
        setattr(row, lookup.foreign_key, target_id)

    async def _deep_single(self, entity: EntityType, row: Any, *, navigation: str, raw: Any, depth: int) -> None:
        lookup = entity.lookups[navigation]
        target = self.model.entity_type(lookup.target)
        self.require(entity.logical_name, Privilege.APPEND)
        self.require(target.logical_name, Privilege.APPEND_TO)
        created = await self.create(target, raw, depth=depth + 1)
        setattr(row, lookup.foreign_key, created.id)
