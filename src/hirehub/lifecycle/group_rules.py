"""Group rules: which directory groups a worker belongs to, decided from HR attributes alone.

Group membership grants access, so the answer must be predictable from the policy an administrator can read:
every worker gets the default groups, then each matching rule adds its groups, rules are taken in priority
order (a lower number first, list order among equals), and a matching *exclusive* rule stops every rule of a
lower priority, e.g. "contractors get only the contractor groups". The result is the desired state; comparing
it with the directory's actual memberships is the planner's job.

Comparisons ignore case and surrounding whitespace; an attribute that is missing, null or blank is absent.
``greater_than`` and ``less_than`` compare numbers when both sides read as numbers (so "10" > "9"), and text
otherwise. A rule with an unknown operator or ``combine`` raises ValueError instead of silently matching nobody,
since that would quietly remove people's access; :func:`validate_rule` lists such problems for the console
before a rule is saved.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from hirehub.lifecycle.expressions import find_attribute


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _compare(actual: str, expected: str) -> int:
    """-1, 0 or 1: as numbers when both read as numbers, else as text ignoring case."""
    left, right = _number(actual), _number(expected)
    if left is not None and right is not None:
        return (left > right) - (left < right)
    folded_left, folded_right = actual.casefold(), expected.casefold()
    return (folded_left > folded_right) - (folded_left < folded_right)


def _one_of(actual: str, expected: str) -> bool:
    return actual.casefold() in {item.strip().casefold() for item in expected.split(",") if item.strip()}


_Test = Callable[[str, str], bool]
"""Compares a present attribute's text with the condition's value (both stripped)."""

_TESTS: dict[str, _Test] = {
    "equals": lambda actual, expected: actual.casefold() == expected.casefold(),
    "not_equals": lambda actual, expected: actual.casefold() != expected.casefold(),
    "starts_with": lambda actual, expected: actual.casefold().startswith(expected.casefold()),
    "ends_with": lambda actual, expected: actual.casefold().endswith(expected.casefold()),
    "contains": lambda actual, expected: expected.casefold() in actual.casefold(),
    "in": _one_of,
    "greater_than": lambda actual, expected: _compare(actual, expected) > 0,
    "less_than": lambda actual, expected: _compare(actual, expected) < 0,
}
_PRESENCE = {"is_present": True, "is_absent": False}
_ABSENT_MATCHES = {"not_equals"}  # an absent attribute is "not equal" to anything; it fails every other test

OPERATORS: frozenset[str] = frozenset(_TESTS) | frozenset(_PRESENCE)
COMBINES: frozenset[str] = frozenset({"all", "any"})


def _text(value: object) -> str | None:
    """An attribute's text, or None when it is absent (missing, null or empty)."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    else:
        text = str(value)
    return text.strip() or None


@dataclass(frozen=True)
class Condition:
    """``attribute operator value``, e.g. ``Department equals Sales`` or ``CountryCode in DE, AT, CH``."""

    attribute: str
    operator: str
    value: str = ""

    def matches(self, attributes: Mapping[str, object]) -> bool:
        operator = self.operator.strip().lower()
        actual = _text(find_attribute(attributes, self.attribute))
        if operator in _PRESENCE:
            return (actual is not None) == _PRESENCE[operator]
        test = _TESTS.get(operator)
        if test is None:
            raise ValueError(f"unknown operator {self.operator!r} in a condition on {self.attribute!r}")
        if actual is None:
            return operator in _ABSENT_MATCHES
        return test(actual, self.value.strip())


@dataclass(frozen=True)
class GroupRule:
    """Groups for the workers whose attributes meet all (or any) of the conditions."""

    name: str
    groups: tuple[str, ...]
    conditions: tuple[Condition, ...]
    combine: str = "all"
    priority: int = 100
    exclusive: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", tuple(self.groups))
        object.__setattr__(self, "conditions", tuple(self.conditions))

    def matches(self, attributes: Mapping[str, object]) -> bool:
        """With no conditions, "all" matches everyone and "any" no one (as Python's all() and any())."""
        combine = self.combine.strip().lower()
        if combine not in COMBINES:
            raise ValueError(f"group rule {self.name!r} combines with {self.combine!r}; use 'all' or 'any'")
        results = (condition.matches(attributes) for condition in self.conditions)
        return all(results) if combine == "all" else any(results)


def _in_priority_order(rules: Sequence[GroupRule]) -> list[GroupRule]:
    return sorted(rules, key=lambda rule: rule.priority)  # sorted() is stable: list order among equals


def _matching_groups(rules: Sequence[GroupRule], attributes: Mapping[str, object]) -> list[str]:
    groups: list[str] = []
    cutoff: int | None = None
    for rule in _in_priority_order(rules):
        if cutoff is not None and rule.priority > cutoff:
            break
        if rule.matches(attributes):
            groups.extend(rule.groups)
            if rule.exclusive:
                cutoff = rule.priority
    return groups


def desired_groups(
    rules: Sequence[GroupRule], default_groups: Sequence[str], attributes: Mapping[str, object]
) -> tuple[str, ...]:
    """The default groups, then the groups of every matching rule in priority order, each once (ignoring
    case; the first spelling wins) and blank names skipped."""
    if not rules:  # the default groups alone, the same for every worker: worked out once
        return _each_once(tuple(default_groups))
    return _each_once((*default_groups, *_matching_groups(rules, attributes)))


@functools.lru_cache(maxsize=256)
def _each_once(groups: tuple[str, ...]) -> tuple[str, ...]:
    """``groups`` without blanks and repeats (ignoring case; the first spelling wins)."""
    seen: set[str] = set()
    result: list[str] = []
    for group in groups:
        key = group.strip().casefold()
        if key and key not in seen:
            seen.add(key)
            result.append(group)
    return tuple(result)


def _condition_problems(index: int, condition: Condition) -> list[str]:
    where = f"condition {index}"
    problems: list[str] = []
    operator = condition.operator.strip().lower()
    if not condition.attribute.strip():
        problems.append(f"{where} names no attribute")
    if operator not in OPERATORS:
        problems.append(
            f"{where} has unknown operator {condition.operator!r}; use one of {', '.join(sorted(OPERATORS))}"
        )
    elif operator not in _PRESENCE and not condition.value.replace(",", "").strip():
        problems.append(f"{where} ({operator}) needs a value to compare with")
    return problems


def validate_rule(rule: GroupRule) -> list[str]:
    """What is wrong with a rule, in words for the console; an empty list means the rule can be saved."""
    problems: list[str] = []
    if not rule.name.strip():
        problems.append("the rule has no name")
    if not rule.groups:
        problems.append("the rule adds no groups")
    elif any(not group.strip() for group in rule.groups):
        problems.append("a group name is blank")
    if rule.combine.strip().lower() not in COMBINES:
        problems.append(f"combine must be 'all' or 'any', not {rule.combine!r}")
    if not rule.conditions:
        problems.append("the rule has no conditions; use the default groups for groups everyone gets")
    for index, condition in enumerate(rule.conditions, start=1):
        problems.extend(_condition_problems(index, condition))
    return problems
