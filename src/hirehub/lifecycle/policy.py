"""A tenant's lifecycle policy: how HR workers become directory accounts, change, leave and come back.

The console and the admin API store a policy as JSON, so :func:`policy_from_json` is the one door in: it
compiles every expression, builds every naming and group rule, and reports *every* problem at once in a single
:class:`PolicyError`, because an administrator fixing a form wants the whole list, not one error per save.
:func:`policy_to_json` writes the complete, explicit form back (defaults included), so a stored policy never
changes meaning when a default changes.

JSON shape (every key optional except a way to name accounts)::

    {
      "attributes": {"displayName": "Concat([FirstName], \\" \\", [LastName])", "department": "[Department]"},
      "naming": {
        "userPrincipalName": {"patterns": ["..."], "domain": "contoso.com", "numbered_start": 2, "numbered_max": 99},
        "mail": {"patterns": ["..."], "domain": "contoso.com"},
        "mailNickname": {"patterns": ["..."]}
      },
      "groups": {"default": ["All staff"],
                 "rules": [{"name": "Sales", "groups": ["Sales"], "combine": "all", "priority": 100,
                            "exclusive": false,
                            "conditions": [{"attribute": "Department", "operator": "equals", "value": "Sales"}]}]},
      "lookups": {"offices": {"S": "Head office"}},
      "joiner": {"provision_days_before_start": 14, "disable_until_start": true},
      "leave_of_absence": {"disable": false, "remove_groups": []},
      "leaver": {"disable": true, "reset_password": true, "revoke_sessions": true, "remove_groups": true,
                 "convert_mailbox_to_shared": false},
      "reuse_departed_names": false, "supervised": false, "sync_manager": true,
      "reconciliation": {"fix": true, "disable_orphans": false, "every_hours": 24}
    }

A name attribute (userPrincipalName, mail, mailNickname) is either chosen by a naming rule, once, when the
account is created, with collision handling; or computed by an attribute mapping, for every account, always
(changing it is then an explicit update). Having both for one attribute is an error, since one would be dead.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from hirehub.errors import Invalid
from hirehub.lifecycle.expressions import (
    Expression,
    ExpressionError,
    Lookups,
    MemoizedExpression,
    compile_expression,
)
from hirehub.lifecycle.group_rules import Condition, GroupRule, validate_rule
from hirehub.lifecycle.naming import NamingRule

USER_PRINCIPAL_NAME = "userPrincipalName"
MAIL = "mail"
MAIL_NICKNAME = "mailNickname"
NAME_ATTRIBUTES: tuple[str, ...] = (USER_PRINCIPAL_NAME, MAIL, MAIL_NICKNAME)
"""The directory names an account is known by; each has a naming rule or a mapping (or neither, but for UPN)."""

MAX_PROVISION_DAYS = 366

RESERVED_TARGETS: Mapping[str, str] = MappingProxyType(
    {
        "employeeid": "employeeId is the anchor: it is always the worker's personnel number",
        "accountenabled": "accountEnabled follows the worker's lifecycle (joiner, leave, leaver)",
        "manager": "the manager is set from HR when sync_manager is on",
        "memberof": "group memberships come from the group rules",
        "passwordprofile": "passwords are never mapped; leavers get a random reset",
        "id": "the object id is the directory's own",
    }
)
"""Directory attributes no mapping may set, with the reason an administrator is shown."""

_TARGET = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,119}")


class PolicyError(Invalid):
    """A policy that cannot be used; ``problems`` lists every reason, each prefixed with where it was found.

    The whole policy document is the one input it concerns (``field`` is ``document``)."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("the lifecycle policy is invalid:\n- " + "\n- ".join(self.problems), field="document")


@dataclass(frozen=True)
class JoinerOptions:
    """When a new worker's account appears: ``provision_days_before_start`` days ahead (0: on the start date),
    and whether it stays disabled until the start date (so a laptop can be prepared without early access)."""

    provision_days_before_start: int = 14
    disable_until_start: bool = True


@dataclass(frozen=True)
class LeaveOptions:
    """A leave of absence: ``disable`` turns the account off while the worker is on leave and back on at
    return; ``remove_groups`` are groups the policy grants that the worker leaves for the time of the leave
    (a VPN or an on-call rota, say) and is given back on return. Only groups the policy grants are named here:
    a group added by hand would have nobody to give it back."""

    disable: bool = False
    remove_groups: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "remove_groups", tuple(self.remove_groups))

    def keeps(self, group: str) -> bool:
        """Whether a worker on leave keeps ``group`` (names ignore case)."""
        folded = group.strip().casefold()
        return all(removed.strip().casefold() != folded for removed in self.remove_groups)


MAX_RECONCILE_HOURS = 24 * 366


@dataclass(frozen=True)
class ReconciliationOptions:
    """The scheduled comparison of all of HR with all of the directory.

    ``fix`` sends every worker whose account drifted through the engine's normal sync (planned, audited, held
    for approval in supervised mode); ``disable_orphans`` also disables enabled accounts whose anchor no worker
    has, which is off by default, since such an account may be a person HR does not know about yet: reporting
    it is safe, switching it off is not. ``every_hours`` is the schedule (0: only when someone asks).
    """

    fix: bool = True
    disable_orphans: bool = False
    every_hours: int = 24


@dataclass(frozen=True)
class LeaverOptions:
    """What happens once the last day worked has ended in the tenant's time zone. Accounts are never deleted:
    deleting loses the mailbox, OneDrive and audit trail, and a rehire must find the same account again."""

    disable: bool = True
    reset_password: bool = True
    revoke_sessions: bool = True
    remove_groups: bool = True
    convert_mailbox_to_shared: bool = False


def _frozen_lookups(lookups: Mapping[str, Mapping[str, str]]) -> Lookups:
    return MappingProxyType({name: MappingProxyType(dict(table)) for name, table in lookups.items()})


@dataclass(frozen=True)
class LifecyclePolicy:
    """Everything the planner needs to turn a worker into the desired directory account.

    ``attribute_mappings`` maps a directory attribute name (Graph's, e.g. ``displayName``) to the expression that
    computes it. Constructing a policy checks it; an invalid one raises :class:`PolicyError`.
    """

    user_principal_name: NamingRule | None
    mail: NamingRule | None = None
    mail_nickname: NamingRule | None = None
    attribute_mappings: Mapping[str, Expression] = field(default_factory=dict, hash=False)
    group_rules: tuple[GroupRule, ...] = ()
    default_groups: tuple[str, ...] = ()
    lookups: Lookups = field(default_factory=dict, hash=False)
    joiner: JoinerOptions = JoinerOptions()
    leave_of_absence: LeaveOptions = LeaveOptions()
    leaver: LeaverOptions = LeaverOptions()
    reuse_departed_names: bool = False
    supervised: bool = False
    sync_manager: bool = True
    reconciliation: ReconciliationOptions = ReconciliationOptions()

    def __post_init__(self) -> None:
        object.__setattr__(self, "attribute_mappings", MappingProxyType(dict(self.attribute_mappings)))
        object.__setattr__(self, "lookups", _frozen_lookups(self.lookups))
        object.__setattr__(self, "group_rules", tuple(self.group_rules))
        object.__setattr__(self, "default_groups", tuple(self.default_groups))
        problems = policy_problems(self)
        if problems:
            raise PolicyError(problems)

    def naming_rule(self, attribute: str) -> NamingRule | None:
        """The naming rule for one of :data:`NAME_ATTRIBUTES`."""
        return {USER_PRINCIPAL_NAME: self.user_principal_name, MAIL: self.mail, MAIL_NICKNAME: self.mail_nickname}[
            attribute
        ]

    @cached_property
    def mapped_names(self) -> tuple[str, ...]:
        """The name attributes computed by a mapping (and so kept in step for existing accounts)."""
        return tuple(name for name in NAME_ATTRIBUTES if name in self.attribute_mappings)

    @cached_property
    def attribute_targets(self) -> tuple[tuple[str, Expression], ...]:
        """The mappings of ordinary attributes (not names), in the administrator's order."""
        return tuple((target, e) for target, e in self.attribute_mappings.items() if target not in NAME_ATTRIBUTES)

    @cached_property
    def memoized_attribute_targets(self) -> tuple[tuple[str, MemoizedExpression], ...]:
        """:attr:`attribute_targets` with their memoized expressions, in the same order."""
        return tuple((target, self.memoized_mappings[target]) for target, _ in self.attribute_targets)

    @cached_property
    def memoized_mappings(self) -> Mapping[str, MemoizedExpression]:
        """Every attribute mapping bound to the policy's lookup tables and memoized by the values it reads: the
        planner evaluates these, so a reconciliation computes a department's or a hire date's value once, not
        once per worker. The policy is immutable, so the memo can never outlive what it was computed from."""
        return MappingProxyType(
            {target: MemoizedExpression(e, self.lookups) for target, e in self.attribute_mappings.items()}
        )

    @cached_property
    def managed_groups(self) -> frozenset[str]:
        """Every group the policy can grant (ignoring case): a mover leaves only these, never a group an
        administrator added by hand."""
        names = [*self.default_groups, *(group for rule in self.group_rules for group in rule.groups)]
        return frozenset(name.strip().casefold() for name in names if name.strip())


# ---------------------------------------------------------------------------------------------------------------
# Checks shared by the constructor and the JSON reader


def _naming_problems(policy: LifecyclePolicy) -> list[str]:
    problems: list[str] = []
    for attribute in NAME_ATTRIBUTES:
        rule = policy.naming_rule(attribute)
        mapped = attribute in policy.attribute_mappings
        where = f"naming.{attribute}"
        if rule is not None and mapped:
            problems.append(f"{where}: there is also a mapping for {attribute}; keep one (the mapping would win)")
        if rule is None and not mapped and attribute == USER_PRINCIPAL_NAME:
            problems.append(f"{where}: accounts need a userPrincipalName; add a naming rule or a mapping")
        if rule is None:
            continue
        if attribute == MAIL_NICKNAME and rule.domain is not None:
            problems.append(f"{where}: a mailNickname has no domain; remove {rule.domain!r}")
        if attribute != MAIL_NICKNAME and rule.domain is None:
            problems.append(f"{where}: needs a domain, e.g. contoso.com")
        problems.extend(_lookup_problems(where, rule.patterns, policy.lookups))
    return problems


def _lookup_problems(where: str, expressions: Iterable[Expression], lookups: Lookups) -> list[str]:
    missing = sorted({table for expression in expressions for table in expression.lookup_tables()} - set(lookups))
    return [f"{where}: there is no lookup table named {table!r}" for table in missing]


def _mapping_problems(policy: LifecyclePolicy) -> list[str]:
    problems: list[str] = []
    seen: dict[str, str] = {}
    for target, expression in policy.attribute_mappings.items():
        where = f"attributes.{target}"
        folded = target.casefold()
        if not _TARGET.fullmatch(target):
            problems.append(f"{where}: {target!r} is not a directory attribute name (letters, digits, _)")
        elif folded in RESERVED_TARGETS:
            problems.append(f"{where}: {RESERVED_TARGETS[folded]}")
        if folded in seen:
            problems.append(f"{where}: the same attribute as {seen[folded]!r} (names ignore case)")
        seen.setdefault(folded, target)
        problems.extend(_lookup_problems(where, [expression], policy.lookups))
    return problems


def _group_problems(policy: LifecyclePolicy) -> list[str]:
    problems: list[str] = []
    if any(not group.strip() for group in policy.default_groups):
        problems.append("groups.default: a group name is blank")
    names: set[str] = set()
    for index, rule in enumerate(policy.group_rules, start=1):
        where = f"groups.rules[{index}] {rule.name!r}" if rule.name.strip() else f"groups.rules[{index}]"
        problems.extend(f"{where}: {problem}" for problem in validate_rule(rule))
        if rule.name.strip() and rule.name.strip().casefold() in names:
            problems.append(f"{where}: another rule has the same name")
        names.add(rule.name.strip().casefold())
    return problems


def _option_problems(policy: LifecyclePolicy) -> list[str]:
    problems: list[str] = []
    days = policy.joiner.provision_days_before_start
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_PROVISION_DAYS:
        problems.append(f"joiner.provision_days_before_start: a whole number of days from 0 to {MAX_PROVISION_DAYS}")
    for group in policy.leave_of_absence.remove_groups:
        if not group.strip():
            problems.append("leave_of_absence.remove_groups: a group name is blank")
        elif group.strip().casefold() not in policy.managed_groups:
            problems.append(
                f"leave_of_absence.remove_groups: the policy does not grant {group!r}, so it could not be given back"
            )
    hours = policy.reconciliation.every_hours
    if isinstance(hours, bool) or not isinstance(hours, int) or not 0 <= hours <= MAX_RECONCILE_HOURS:
        problems.append(f"reconciliation.every_hours: a whole number of hours from 0 (never) to {MAX_RECONCILE_HOURS}")
    return problems


def policy_problems(policy: LifecyclePolicy) -> list[str]:
    """What is wrong with a policy's parts taken together, in words for the console."""
    return [
        *_naming_problems(policy),
        *_mapping_problems(policy),
        *_group_problems(policy),
        *_option_problems(policy),
    ]


# ---------------------------------------------------------------------------------------------------------------
# Reading JSON


class _Reader:
    """Reads one JSON object, noting problems instead of raising so that every one of them is reported."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def note(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}")

    def section(self, data: Mapping[str, Any], key: str, where: str, allowed: Collection[str]) -> Mapping[str, Any]:
        value = data.get(key, {})
        path = f"{where}.{key}" if where else key
        if not isinstance(value, Mapping):
            self.note(path, "must be an object")
            return {}
        self.unknown_keys(value, path, allowed)
        return value

    def unknown_keys(self, data: Mapping[str, Any], where: str, allowed: Collection[str]) -> None:
        for key in data:
            if key not in allowed:
                self.note(
                    f"{where}.{key}" if where else str(key), f"unknown setting; expected one of {sorted(allowed)}"
                )

    def flag(self, data: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.note(f"{where}.{key}" if where else key, "must be true or false")
            return default
        return value

    def whole(self, data: Mapping[str, Any], key: str, where: str, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.note(f"{where}.{key}", "must be a whole number")
            return default
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str | None:
        value = data.get(key, default)
        if value is not None and not isinstance(value, str):
            self.note(f"{where}.{key}", "must be text")
            return default
        return value

    def texts(self, data: Mapping[str, Any], key: str, where: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.note(f"{where}.{key}", "must be a list of texts")
            return []
        return list(value)

    def expression(self, source: object, where: str, lookups: Collection[str]) -> Expression | None:
        if not isinstance(source, str):
            self.note(where, "must be an expression written as text")
            return None
        try:
            return compile_expression(source, known_lookups=lookups)
        except ExpressionError as error:
            self.note(where, str(error))
            return None


_TOP_KEYS = (
    "attributes",
    "naming",
    "groups",
    "lookups",
    "joiner",
    "leave_of_absence",
    "leaver",
    "reuse_departed_names",
    "supervised",
    "sync_manager",
    "reconciliation",
)
_RULE_KEYS = ("patterns", "domain", "numbered_start", "numbered_max")
_GROUP_RULE_KEYS = ("name", "groups", "conditions", "combine", "priority", "exclusive")
_CONDITION_KEYS = ("attribute", "operator", "value")
_JOINER_KEYS = ("provision_days_before_start", "disable_until_start")
_LEAVER_KEYS = ("disable", "reset_password", "revoke_sessions", "remove_groups", "convert_mailbox_to_shared")
_LEAVER_DEFAULTS: Mapping[str, bool] = MappingProxyType({key: getattr(LeaverOptions(), key) for key in _LEAVER_KEYS})
_LEAVE_KEYS = ("disable", "remove_groups")
_RECONCILIATION_KEYS = ("fix", "disable_orphans", "every_hours")


def _read_lookups(reader: _Reader, data: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    raw = data.get("lookups", {})
    if not isinstance(raw, Mapping):
        reader.note("lookups", "must be an object of tables")
        return {}
    tables: dict[str, dict[str, str]] = {}
    for name, table in raw.items():
        if not isinstance(table, Mapping) or not all(isinstance(value, str) for value in table.values()):
            reader.note(f"lookups.{name}", "must map keys to texts")
            continue
        tables[str(name)] = {str(key): value for key, value in table.items()}
    return tables


def _read_mappings(reader: _Reader, data: Mapping[str, Any], lookups: Collection[str]) -> dict[str, Expression]:
    raw = data.get("attributes", {})
    if not isinstance(raw, Mapping):
        reader.note("attributes", "must map directory attribute names to expressions")
        return {}
    mappings: dict[str, Expression] = {}
    for target, source in raw.items():
        expression = reader.expression(source, f"attributes.{target}", lookups)
        if expression is not None:
            mappings[str(target)] = expression
    return mappings


def _read_naming_rule(
    reader: _Reader, data: Mapping[str, Any], attribute: str, lookups: Collection[str]
) -> NamingRule | None:
    where = f"naming.{attribute}"
    if not isinstance(data, Mapping):
        reader.note(where, "must be an object with patterns and a domain")
        return None
    reader.unknown_keys(data, where, _RULE_KEYS)
    if not data.get("patterns"):
        reader.note(f"{where}.patterns", "needs at least one pattern")
        return None
    sources = reader.texts(data, "patterns", where)
    if not sources:
        return None
    before = len(reader.problems)
    patterns = [reader.expression(source, f"{where}.patterns[{i}]", lookups) for i, source in enumerate(sources, 1)]
    domain = reader.text(data, "domain", where)
    start = reader.whole(data, "numbered_start", where, 2)
    maximum = reader.whole(data, "numbered_max", where, 99)
    if len(reader.problems) > before:
        return None
    try:
        return NamingRule(tuple(p for p in patterns if p is not None), domain, start, maximum, attribute)
    except ValueError as error:
        reader.note(where, str(error))
        return None


def _read_condition(reader: _Reader, data: object, where: str) -> Condition | None:
    if not isinstance(data, Mapping):
        reader.note(where, "must be an object with attribute, operator and value")
        return None
    reader.unknown_keys(data, where, _CONDITION_KEYS)
    attribute = reader.text(data, "attribute", where, "")
    operator = reader.text(data, "operator", where, "")
    value = data.get("value", "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # "priority greater_than 10" typed as a number is meant as one
    if not isinstance(value, str):
        reader.note(f"{where}.value", "must be text")
        return None
    return Condition(attribute or "", operator or "", value)


def _read_group_rule(reader: _Reader, data: object, index: int) -> GroupRule | None:
    where = f"groups.rules[{index}]"
    if not isinstance(data, Mapping):
        reader.note(where, "must be an object")
        return None
    reader.unknown_keys(data, where, _GROUP_RULE_KEYS)
    raw_conditions = data.get("conditions", [])
    if not isinstance(raw_conditions, list):
        reader.note(f"{where}.conditions", "must be a list")
        raw_conditions = []
    conditions = [_read_condition(reader, item, f"{where}.conditions[{i}]") for i, item in enumerate(raw_conditions, 1)]
    return GroupRule(
        name=reader.text(data, "name", where, "") or "",
        groups=tuple(reader.texts(data, "groups", where)),
        conditions=tuple(condition for condition in conditions if condition is not None),
        combine=reader.text(data, "combine", where, "all") or "",
        priority=reader.whole(data, "priority", where, 100),
        exclusive=reader.flag(data, "exclusive", where, False),
    )


def _read_groups(reader: _Reader, data: Mapping[str, Any]) -> tuple[list[str], list[GroupRule]]:
    section = reader.section(data, "groups", "", ("default", "rules"))
    defaults = reader.texts(section, "default", "groups")
    raw_rules = section.get("rules", [])
    if not isinstance(raw_rules, list):
        reader.note("groups.rules", "must be a list")
        return defaults, []
    rules = [_read_group_rule(reader, item, index) for index, item in enumerate(raw_rules, 1)]
    return defaults, [rule for rule in rules if rule is not None]


def policy_from_json(data: Mapping[str, Any]) -> LifecyclePolicy:
    """The policy stored as ``data``; raises :class:`PolicyError` listing every problem found."""
    problems: list[str] = []
    reader = _Reader(problems)
    if not isinstance(data, Mapping):
        raise PolicyError(["the policy must be a JSON object"])
    reader.unknown_keys(data, "", _TOP_KEYS)
    lookups = _read_lookups(reader, data)
    mappings = _read_mappings(reader, data, lookups)
    naming = reader.section(data, "naming", "", NAME_ATTRIBUTES)
    rules = {
        attribute: _read_naming_rule(reader, naming[attribute], attribute, lookups)
        for attribute in NAME_ATTRIBUTES
        if attribute in naming
    }
    defaults, group_rules = _read_groups(reader, data)
    joiner = reader.section(data, "joiner", "", _JOINER_KEYS)
    leave = reader.section(data, "leave_of_absence", "", _LEAVE_KEYS)
    leaver = reader.section(data, "leaver", "", _LEAVER_KEYS)
    reconciliation = reader.section(data, "reconciliation", "", _RECONCILIATION_KEYS)
    defaults_of_reconciliation = ReconciliationOptions()
    options: dict[str, Any] = {
        "joiner": JoinerOptions(
            reader.whole(joiner, "provision_days_before_start", "joiner", 14),
            reader.flag(joiner, "disable_until_start", "joiner", True),
        ),
        "leave_of_absence": LeaveOptions(
            reader.flag(leave, "disable", "leave_of_absence", False),
            tuple(reader.texts(leave, "remove_groups", "leave_of_absence")),
        ),
        "leaver": LeaverOptions(
            **{key: reader.flag(leaver, key, "leaver", _LEAVER_DEFAULTS[key]) for key in _LEAVER_KEYS}
        ),
        "reuse_departed_names": reader.flag(data, "reuse_departed_names", "", False),
        "supervised": reader.flag(data, "supervised", "", False),
        "sync_manager": reader.flag(data, "sync_manager", "", True),
        "reconciliation": ReconciliationOptions(
            reader.flag(reconciliation, "fix", "reconciliation", defaults_of_reconciliation.fix),
            reader.flag(
                reconciliation, "disable_orphans", "reconciliation", defaults_of_reconciliation.disable_orphans
            ),
            reader.whole(reconciliation, "every_hours", "reconciliation", defaults_of_reconciliation.every_hours),
        ),
    }
    broken_names = {attribute for attribute, rule in rules.items() if rule is None}
    try:
        policy = LifecyclePolicy(
            user_principal_name=rules.get(USER_PRINCIPAL_NAME),
            mail=rules.get(MAIL),
            mail_nickname=rules.get(MAIL_NICKNAME),
            attribute_mappings=mappings,
            group_rules=tuple(group_rules),
            default_groups=tuple(defaults),
            lookups=lookups,
            **options,
        )
    except PolicyError as error:
        # A naming rule that failed to read is reported already; do not also call it missing.
        problems.extend(p for p in error.problems if not any(p.startswith(f"naming.{a}:") for a in broken_names))
        raise PolicyError(problems) from None
    if problems:
        raise PolicyError(problems)
    return policy


# ---------------------------------------------------------------------------------------------------------------
# Writing JSON


def _rule_to_json(rule: NamingRule) -> dict[str, Any]:
    data: dict[str, Any] = {"patterns": [pattern.source for pattern in rule.patterns]}
    if rule.domain is not None:
        data["domain"] = rule.domain
    data["numbered_start"] = rule.numbered_start
    data["numbered_max"] = rule.numbered_max
    return data


def _group_rule_to_json(rule: GroupRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "groups": list(rule.groups),
        "conditions": [
            {"attribute": condition.attribute, "operator": condition.operator, "value": condition.value}
            for condition in rule.conditions
        ],
        "combine": rule.combine,
        "priority": rule.priority,
        "exclusive": rule.exclusive,
    }


def _options_to_json(options: object, keys: Sequence[str]) -> dict[str, Any]:
    return {key: getattr(options, key) for key in keys}


def policy_to_json(policy: LifecyclePolicy) -> dict[str, Any]:
    """The complete stored form of ``policy``: ``policy_from_json(policy_to_json(p)) == p``."""
    naming = {
        attribute: _rule_to_json(rule)
        for attribute in NAME_ATTRIBUTES
        if (rule := policy.naming_rule(attribute)) is not None
    }
    return {
        "attributes": {target: expression.source for target, expression in policy.attribute_mappings.items()},
        "naming": naming,
        "groups": {
            "default": list(policy.default_groups),
            "rules": [_group_rule_to_json(rule) for rule in policy.group_rules],
        },
        "lookups": {name: dict(table) for name, table in policy.lookups.items()},
        "joiner": _options_to_json(policy.joiner, _JOINER_KEYS),
        "leave_of_absence": {
            "disable": policy.leave_of_absence.disable,
            "remove_groups": list(policy.leave_of_absence.remove_groups),
        },
        "leaver": _options_to_json(policy.leaver, _LEAVER_KEYS),
        "reuse_departed_names": policy.reuse_departed_names,
        "supervised": policy.supervised,
        "sync_manager": policy.sync_manager,
        "reconciliation": _options_to_json(policy.reconciliation, _RECONCILIATION_KEYS),
    }


def starter_policy(domain: str, **changes: Any) -> LifecyclePolicy:
    """A sensible first policy for ``domain``: first.last names with initials as the fallback, the usual Entra
    attributes, everyone in "All staff". The console offers it as the starting point; tests use it too."""
    full = 'Concat(Lower(StripDiacritics([FirstName])), ".", Lower(StripDiacritics([LastName])))'
    initial = "Concat(Lower(Left(StripDiacritics([FirstName]), 1)), Lower(StripDiacritics([LastName])))"
    defaults: dict[str, Any] = {
        "user_principal_name": NamingRule.from_sources([full, initial], domain, name=USER_PRINCIPAL_NAME),
        "mail": NamingRule.from_sources([full, initial], domain, name=MAIL),
        "mail_nickname": NamingRule.from_sources([full, initial], None, name=MAIL_NICKNAME),
        "attribute_mappings": {
            "displayName": compile_expression('Join(" ", Coalesce([PreferredName], [FirstName]), [LastName])'),
            "givenName": compile_expression("Coalesce([PreferredName], [FirstName])"),
            "surname": compile_expression("[LastName]"),
            "department": compile_expression("[Department]"),
            "jobTitle": compile_expression("[JobTitle]"),
            "companyName": compile_expression("[Company]"),
            "officeLocation": compile_expression("[OfficeLocation]"),
            "employeeHireDate": compile_expression('FormatDate([StartDate], "yyyy-MM-ddT00:00:00Z")'),
        },
        "default_groups": ("All staff",),
    }
    defaults.update(changes)
    return LifecyclePolicy(**defaults)
