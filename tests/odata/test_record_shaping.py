"""How a row becomes a record: the function written per ``$select`` gives exactly what Dataverse writes — the
weak ETag first, the selected columns in the order asked, the primary id last — and nothing a request names
reaches that function's source unless the entity model declares it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hirehub.dataverse import binding
from hirehub.odata.errors import DataverseError
from hirehub.odata.model import EntityType, build_model
from hirehub.odata.reading import Shaper

ENTITIES = sorted(build_model(binding()).types.values(), key=lambda e: e.logical_name)


def reference_record(shaper: Shaper, row: tuple[Any, ...]) -> dict[str, Any]:
    """The record written field by field, as the shaper did before it wrote its own function."""
    record: dict[str, Any] = {"@odata.etag": f'W/"{row[1]}"'}
    for name, index in shaper.fields:
        record[name] = row[index]
    record[shaper.key] = str(row[0])
    return record


def row_for(shaper: Shaper) -> tuple[Any, ...]:
    return ("3f2504e0-4f89-11d3-9a0c-0305e82c3301", 7, *[f"value of {a}" for a in shaper.attributes[2:]])


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.logical_name)
def test_every_column_of_every_table_is_written_in_the_order_dataverse_writes_it(entity: EntityType) -> None:
    shaper = Shaper.of(entity, None)
    row = row_for(shaper)
    record = shaper(row)
    assert record == reference_record(shaper, row)
    assert list(record) == ["@odata.etag", *[name for name, _ in shaper.fields], entity.key]
    assert record["@odata.etag"] == 'W/"7"'


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_selection_is_written_as_the_field_by_field_record(data: st.DataObject) -> None:
    entity = data.draw(st.sampled_from(ENTITIES))
    names = sorted(entity.selectable())
    selection = data.draw(st.lists(st.sampled_from([*names, entity.key]), max_size=8))  # repeats included
    shaper = Shaper.of(entity, selection)
    row = row_for(shaper)
    assert shaper(row) == reference_record(shaper, row)
    assert list(shaper(row)) == list(reference_record(shaper, row))
    assert shaper.many([row, row]) == [reference_record(shaper, row)] * 2


@pytest.mark.parametrize("name", ["mshr_nosuchcolumn", "x': __import__('os').getcwd(), 'y", "row[0]"])
def test_a_name_the_model_does_not_declare_is_refused_before_any_function_is_written(name: str) -> None:
    entity = build_model(binding()).by_entity_set["mshr_hcmcandidatetohireentities"]
    with pytest.raises(DataverseError) as refused:
        Shaper.of(entity, ["mshr_firstname", name])
    assert refused.value.status == 400
    assert name in str(refused.value)
