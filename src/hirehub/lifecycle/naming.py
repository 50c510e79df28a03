"""Naming rules: userPrincipalName, mail and mailNickname, with deterministic collision handling.

Namesakes and rehires are where provisioning tools go wrong: they create ``jsmith2`` by accident, or fail
silently on Entra's ``ObjectConflict``. A naming rule makes the choice explicit and repeatable. It lists
candidate patterns in order of preference; when all are used it appends 2, 3, 4, ... to the first pattern's
value. Every candidate is sanitised to what Entra accepts, so the directory never rejects a name for its
characters, and the same worker, directory and reservations always give the same name.

Deciding which names are taken is the caller's business (the engine asks the directory; a dry run asks a
snapshot), so this module stays pure: it only walks the candidates and asks the predicates it is given.
Names are compared ignoring case, as Entra does; :func:`taken_among` builds such a predicate from a set.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from hirehub.errors import Conflict
from hirehub.lifecycle.expressions import NO_LOOKUPS, Expression, Lookups, as_text, compile_expression, strip_diacritics

MAX_LOCAL_PART = 64
MAX_MAIL_NICKNAME = 64
MAX_NUMBERED = 9_999
"""The highest number a rule may append: a bound on how long a search for a free name can take."""

_NOT_IN_LOCAL_PART = re.compile(r"[^A-Za-z0-9'.\-_!#^~]")
_NOT_IN_MAIL_NICKNAME = re.compile(r'[^!-~]|[@()\\\[\]";:<>,]')  # outside printable ASCII, or forbidden
_DOTS = re.compile(r"\.{2,}")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*")


def _never(name: str) -> bool:
    return False


class NamingExhausted(Conflict):
    """Every candidate of a rule is taken or reserved (or the worker's data yields no candidate at all)."""

    def __init__(self, rule: NamingRule) -> None:
        self.rule = rule
        super().__init__(
            f"naming rule {rule.describe()} has no free name left: every pattern and the numbers "
            f"{rule.numbered_start}..{rule.numbered_max} are taken or reserved"
        )


@dataclass(frozen=True)
class NamingRule:
    """Candidate patterns in order of preference, then numbered variants of the first pattern's value.

    ``domain`` is set for userPrincipalName and mail (``name@domain``) and None for mailNickname; it also
    decides how values are sanitised. ``name`` is only for messages, e.g. "userPrincipalName".
    """

    patterns: tuple[Expression, ...]
    domain: str | None
    numbered_start: int = 2
    numbered_max: int = 99
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "patterns", tuple(self.patterns))
        if not self.patterns:
            raise ValueError("a naming rule needs at least one pattern")
        if self.domain is not None and not _DOMAIN.fullmatch(self.domain):
            raise ValueError(f"{self.domain!r} is not a domain name (write it without '@')")
        if not 1 <= self.numbered_start <= self.numbered_max <= MAX_NUMBERED:
            raise ValueError(f"numbered names need 1 <= start <= max <= {MAX_NUMBERED}")

    @classmethod
    def from_sources(
        cls,
        sources: Sequence[str],
        domain: str | None,
        numbered_start: int = 2,
        numbered_max: int = 99,
        name: str = "",
        known_lookups: Collection[str] | None = None,
    ) -> NamingRule:
        """A rule from the pattern texts an administrator typed; raises ExpressionError for a bad pattern."""
        patterns = tuple(compile_expression(source, known_lookups) for source in sources)
        return cls(patterns, domain, numbered_start, numbered_max, name)

    def describe(self) -> str:
        target = f"@{self.domain}" if self.domain else "mailNickname"
        label = f"{self.name!r} " if self.name else ""
        return f"{label}({target}, first pattern {self.patterns[0].source!r})"

    def sanitise(self, value: str) -> str:
        """The value as this rule's kind of name allows it ("" when nothing usable is left)."""
        if self.domain is None:
            return sanitise_mail_nickname(value)
        return sanitise_local_part(value)

    @property
    def max_length(self) -> int:
        return MAX_MAIL_NICKNAME if self.domain is None else MAX_LOCAL_PART

    def qualify(self, local: str) -> str:
        return local if self.domain is None else f"{local}@{self.domain}"


def _tidy(text: str, limit: int) -> str:
    """No leading, trailing or consecutive dots, and at most ``limit`` characters."""
    return _DOTS.sub(".", text).strip(".")[:limit].rstrip(".")


def sanitise_local_part(value: str) -> str:
    """A UPN or mail local part: letters lose their diacritics, then only A-Z a-z 0-9 ' . - _ ! # ^ ~ stay."""
    return _tidy(_NOT_IN_LOCAL_PART.sub("", strip_diacritics(value)), MAX_LOCAL_PART)


def sanitise_mail_nickname(value: str) -> str:
    """A mailNickname: printable ASCII without spaces or any of @ ( ) \\ [ ] " ; : < > , (Exchange's alias)."""
    return _tidy(_NOT_IN_MAIL_NICKNAME.sub("", strip_diacritics(value)), MAX_MAIL_NICKNAME)


def _numbered(base: str, number: int, limit: int) -> str:
    suffix = str(number)
    return base[: limit - len(suffix)].rstrip(".") + suffix


def _pattern_values(rule: NamingRule, attributes: Mapping[str, object], lookups: Lookups) -> Iterator[str]:
    for pattern in rule.patterns:
        yield rule.sanitise(as_text(pattern.evaluate(attributes, lookups)))


def _local_parts(rule: NamingRule, attributes: Mapping[str, object], lookups: Lookups) -> Iterator[str]:
    base = ""
    for value in _pattern_values(rule, attributes, lookups):
        if value:
            base = base or value
            yield value
    if base:
        for number in range(rule.numbered_start, rule.numbered_max + 1):
            yield _numbered(base, number, rule.max_length)


def candidates(rule: NamingRule, attributes: Mapping[str, object], lookups: Lookups = NO_LOOKUPS) -> Iterator[str]:
    """The deterministic sequence of names the rule offers for a worker, sanitised, without repeats (ignoring
    case). The numbered variants extend the first pattern that gives a value (usually the first pattern).
    Patterns are evaluated lazily; ExpressionError propagates when the worker's data does not fit a pattern."""
    seen: set[str] = set()
    for local in _local_parts(rule, attributes, lookups):
        name = rule.qualify(local)
        if name.casefold() not in seen:
            seen.add(name.casefold())
            yield name


def _first_free(
    rule: NamingRule,
    attributes: Mapping[str, object],
    unavailable: Callable[[str], bool],
    lookups: Lookups,
) -> str:
    for name in candidates(rule, attributes, lookups):
        if not unavailable(name):
            return name
    raise NamingExhausted(rule)


def choose_name(
    rule: NamingRule,
    attributes: Mapping[str, object],
    is_taken: Callable[[str], bool],
    reserved: Callable[[str], bool] = _never,
    lookups: Lookups = NO_LOOKUPS,
) -> str:
    """The first candidate that is neither taken in the directory nor reserved (e.g. a departed person's name
    the policy keeps from reuse). Both predicates should ignore case; raises NamingExhausted."""
    return _first_free(rule, attributes, lambda name: is_taken(name) or reserved(name), lookups)


def next_after_conflict(
    rule: NamingRule,
    attributes: Mapping[str, object],
    tried: Collection[str],
    is_taken: Callable[[str], bool] = _never,
    reserved: Callable[[str], bool] = _never,
    lookups: Lookups = NO_LOOKUPS,
) -> str:
    """The next candidate after the directory answered ObjectConflict: the first one not already ``tried``
    (ignoring case) and, like :func:`choose_name`, neither taken nor reserved."""
    tried_before = taken_among(tried)
    return _first_free(rule, attributes, lambda name: tried_before(name) or is_taken(name) or reserved(name), lookups)


def taken_among(names: Iterable[str]) -> Callable[[str], bool]:
    """A predicate telling whether a name is among ``names``, ignoring case."""
    folded = frozenset(name.casefold() for name in names)
    return lambda name: name.casefold() in folded
