"""How each HR table is exposed through the Dataverse-compatible API: names, lookups, collections.

Column names follow one rule, so the API needs no per-column mapping: the Python attribute
``first_name`` is the Dataverse column ``mshr_firstname`` (``"mshr_" + name without underscores``).
Per-column facts (required, write-once, system-generated, option set) live in each column's ``info``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def dataverse_name(attribute: str) -> str:
    """``first_name`` → ``mshr_firstname``."""
    return "mshr_" + attribute.replace("_", "")


@dataclass(frozen=True)
class ODataLookup:
    """A single-valued navigation: ``navigation`` on writes (``@odata.bind``), ``value_property`` on reads."""

    navigation: str
    value_property: str


@dataclass(frozen=True)
class ODataTable:
    logical_name: str
    entity_set: str
    display_name: str
    display_collection_name: str
    lookups: dict[str, ODataLookup] = field(default_factory=dict)
    collections: dict[str, str] = field(default_factory=dict)
    alternate_keys: tuple[tuple[str, ...], ...] = ()

    @property
    def primary_id_attribute(self) -> str:
        return self.logical_name + "id"


def lookup(relationship: str, navigation: str) -> tuple[str, ODataLookup]:
    """``lookup("person", "mshr_FK_Person_id")`` → value property ``_mshr_fk_person_id_value``."""
    return relationship, ODataLookup(navigation, f"_{navigation.lower()}_value")


def table(
    logical: str,
    display: str,
    plural: str,
    *,
    entity_set: str | None = None,
    lookups: tuple[tuple[str, ODataLookup], ...] = (),
    collections: dict[str, str] | None = None,
    keys: tuple[tuple[str, ...], ...] = (),
) -> ODataTable:
    return ODataTable(
        logical_name=logical,
        entity_set=entity_set or (logical[:-1] + "ies" if logical.endswith("y") else logical + "s"),
        display_name=display,
        display_collection_name=plural,
        lookups=dict(lookups),
        collections=collections or {},
        alternate_keys=keys,
    )
