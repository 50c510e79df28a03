"""What ``$filter`` may call, and with which arguments: canonical functions and Dataverse query functions.

Knowing the names and arities at parse time turns ``contains(name)`` or a misspelt
``Microsoft.Dynamics.CRM.LastXDay`` into a syntax error that says what was expected, before anything
reaches the compiler. Names are case-sensitive, as in Dataverse.
"""

from __future__ import annotations

from hirehub.odata.syntax.ast import COMPARISON_OPERATORS

LOGICAL_WORDS = ("and", "or", "not", "in")
UNSUPPORTED_OPERATORS = ("has", "add", "sub", "mul", "div", "mod", "divby", "isof", "cast")
RESERVED_WORDS = frozenset((*COMPARISON_OPERATORS, *LOGICAL_WORDS, *UNSUPPORTED_OPERATORS))

# Canonical OData functions: name -> the argument counts it accepts.
CANONICAL_FUNCTIONS: dict[str, tuple[int, ...]] = {
    "contains": (2,),
    "startswith": (2,),
    "endswith": (2,),
    "tolower": (1,),
    "toupper": (1,),
    "trim": (1,),
    "length": (1,),
    "indexof": (2,),
    "substring": (2, 3),
    "concat": (2,),
    "year": (1,),
    "month": (1,),
    "day": (1,),
    "hour": (1,),
    "minute": (1,),
    "second": (1,),
    "date": (1,),
    "now": (0,),
}

QUERY_FUNCTION_NAMESPACES = ("Microsoft.Dynamics.CRM.", "mscrm.")
PROPERTY_NAME = "PropertyName"
PROPERTY_VALUE = "PropertyValue"
PROPERTY_VALUES = "PropertyValues"
PROPERTY_VALUE_PAIR = ("PropertyValue1", "PropertyValue2")
QUERY_FUNCTION_PARAMETERS = (PROPERTY_NAME, PROPERTY_VALUE, PROPERTY_VALUES, *PROPERTY_VALUE_PAIR)

_NO_VALUE: tuple[str, ...] = ()
_ONE_VALUE = (PROPERTY_VALUE,)
_VALUE_LIST = (PROPERTY_VALUES,)


def _shapes(shape: tuple[str, ...], *names: str) -> dict[str, tuple[str, ...]]:
    return dict.fromkeys(names, shape)


# Dataverse query functions: name -> the value parameters it takes besides PropertyName.
QUERY_FUNCTIONS: dict[str, tuple[str, ...]] = {
    **_shapes(
        _NO_VALUE,
        *("Null", "NotNull", "Today", "Tomorrow", "Yesterday", "Last7Days", "Next7Days"),
        *("LastWeek", "ThisWeek", "NextWeek", "LastMonth", "ThisMonth", "NextMonth"),
        *("LastYear", "ThisYear", "NextYear", "LastFiscalPeriod", "ThisFiscalPeriod", "NextFiscalPeriod"),
        *("LastFiscalYear", "ThisFiscalYear", "NextFiscalYear"),
        *("EqualUserId", "NotEqualUserId", "EqualBusinessId", "NotEqualBusinessId", "EqualUserLanguage"),
        *("EqualUserTeams", "EqualUserOrUserTeams", "EqualUserOrUserHierarchy", "EqualUserOrUserHierarchyAndTeams"),
    ),
    **_shapes(
        _ONE_VALUE,
        *("LastXHours", "LastXDays", "LastXWeeks", "LastXMonths", "LastXYears"),
        *("NextXHours", "NextXDays", "NextXWeeks", "NextXMonths", "NextXYears"),
        *("LastXFiscalPeriods", "LastXFiscalYears", "NextXFiscalPeriods", "NextXFiscalYears"),
        *("OlderThanXMinutes", "OlderThanXHours", "OlderThanXDays", "OlderThanXWeeks"),
        *("OlderThanXMonths", "OlderThanXYears", "On", "OnOrAfter", "OnOrBefore", "InFiscalYear", "InFiscalPeriod"),
        *("Above", "AboveOrEqual", "Under", "UnderOrEqual", "NotUnder"),
    ),
    **_shapes(_VALUE_LIST, "In", "NotIn", "Between", "NotBetween", "ContainValues", "DoesNotContainValues"),
    **_shapes(
        PROPERTY_VALUE_PAIR, "InFiscalPeriodAndYear", "InOrAfterFiscalPeriodAndYear", "InOrBeforeFiscalPeriodAndYear"
    ),
}

# Query functions whose value list has a fixed length.
QUERY_FUNCTION_LIST_LENGTHS = {"Between": 2, "NotBetween": 2}
