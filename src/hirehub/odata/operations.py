"""How a path segment names an operation (a function or an action), in every form OData 4.0 allows.

``WhoAmI``, ``WhoAmI()``, ``Microsoft.Dynamics.CRM.WhoAmI()``, ``RetrieveTotalRecordCount(EntityNames=@p)``;
bound, ``…(<key>)/Microsoft.Dynamics.CRM.mshr_Hire`` or ``…mshr_Hire()``. The parentheses are optional; a
function's parameters go between them, inline or as parameter aliases; an action's go in the body. A bound
operation is always namespace-qualified (Dataverse answers an unqualified one with 404, as it is read as a
navigation property); an unbound one may be, or not (a function import is named without it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hirehub.odata.edm import EdmType
from hirehub.odata.errors import bad_query
from hirehub.odata.syntax.ast import Literal
from hirehub.odata.syntax.errors import ODataSyntaxError
from hirehub.odata.syntax.parameters import ParameterValue, parse_parameters

NAMESPACE = "Microsoft.Dynamics.CRM."
_OPERATION = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\((?P<arguments>.*)\))?$", re.DOTALL)


@dataclass(frozen=True)
class OperationSegment:
    """An operation's name as the path gives it; ``arguments`` is the text between its parentheses (None
    without parentheses)."""

    name: str
    qualified: bool
    arguments: str | None

    def parameters(self, aliases: Mapping[str, str]) -> dict[str, ParameterValue]:
        """The function parameters written between the parentheses, aliases resolved; a 400 if malformed."""
        try:
            return parse_parameters(self.arguments or "", aliases)
        except ODataSyntaxError as exc:
            raise bad_query(f"Syntax error in the parameters of {self.name}: {exc}") from None


def operation_segment(segment: str, *, qualified_only: bool) -> OperationSegment | None:
    """The operation ``segment`` names, or None if it cannot be one (an unqualified segment when
    ``qualified_only``, or not of the shape ``[Namespace.]Name[(…)]``)."""
    qualified = segment.startswith(NAMESPACE)
    if qualified_only and not qualified:
        return None
    match = _OPERATION.match(segment.removeprefix(NAMESPACE))
    if match is None:
        return None
    return OperationSegment(match.group("name"), qualified, match.group("arguments"))


def aliases_of(query: Mapping[str, str]) -> dict[str, str]:
    """The parameter aliases (``@p=…``) among a request's query parameters."""
    return {name: value for name, value in query.items() if name.startswith("@")}


_KINDS: dict[str, frozenset[str]] = {
    EdmType.STRING: frozenset({"string"}),
    EdmType.GUID: frozenset({"guid"}),
    EdmType.DATE: frozenset({"date"}),
    EdmType.BOOLEAN: frozenset({"bool"}),
    EdmType.INT32: frozenset({"int"}),
    EdmType.INT64: frozenset({"int"}),
}


def typed(name: str, edm_type: str, value: ParameterValue | None) -> Any:
    """A function parameter as a Python value of its declared type (``Collection(T)`` a list of T); a 400
    naming the parameter when the literal is of another type."""
    if value is None:
        return None
    if edm_type.startswith("Collection("):
        item_type = edm_type[len("Collection(") : -1]
        if isinstance(value, Literal):
            raise bad_query(f'The parameter {name} is a collection: give it as a JSON array, such as ["a","b"].')
        return [_scalar(name, item_type, item) for item in value]
    if not isinstance(value, Literal):
        raise bad_query(f"The parameter {name} takes one {edm_type} value, not a collection.")
    return _scalar(name, edm_type, value)


def _scalar(name: str, edm_type: str, literal: Literal) -> Any:
    if literal.kind == "null":
        return None
    if literal.kind not in _KINDS.get(edm_type, frozenset()):
        raise bad_query(f"The parameter {name} takes an {edm_type} value; {literal.value!r} is a {literal.kind}.")
    return literal.value
