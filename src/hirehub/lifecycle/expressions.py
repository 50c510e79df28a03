"""A small, safe expression language for attribute mappings and naming rules.

Administrators describe how each Entra ID attribute is computed from a worker's HR attributes. They already
know the flavour of Microsoft Entra provisioning expressions, so hirehub speaks it: PascalCase functions,
``[Attribute]`` references and double-quoted strings. The expression is typed into the console by a tenant
administrator and evaluated by the workers of every tenant, so it is parsed by hand into a tiny tree and
interpreted; nothing ever reaches ``eval``/``exec``/``compile`` and nothing touches a Python object's attributes.

Syntax::

    [FirstName]                     an HR attribute; a missing one is null. Dotted names such as
    [Department.Name]               [Department.Name] are plain keys of the attribute mapping.
    "Contoso \\"EU\\""              a string; only \\" and \\\\ are escapes
    42   -1                         integers
    true  false  null               constants (any case)
    Lower([FirstName])              a function call; function names are case-insensitive

Examples::

    Concat(Lower(StripDiacritics([FirstName])), ".", Lower(StripDiacritics([LastName])))
    IIF(IsPresent([PreferredName]), [PreferredName], [FirstName])
    Switch([CountryCode], "Unknown", "DE", "Germany", "FR", "France")
    Lookup("offices", [DepartmentCode], "Head office")
    FormatDate([HireDate], "dd.MM.yyyy")

Functions (``x`` is any value; text functions read null as "")::

    Concat(a, b, ...)               Lower(x) Upper(x) Trim(x)     StripDiacritics(x)  RemoveSpaces(x)
    Left(x, n)  Right(x, n)         Mid(x, start, length)         (start counts from 1, as in Entra)
    Replace(x, old, new)            (an empty ``old`` changes nothing)
    Coalesce(a, b, ...)             the first value that is neither null nor ""
    IIF(condition, then, else)      Switch(x, default, key1, value1, key2, value2, ...)
    Lookup("table", key, default)   a table passed to evaluate(), e.g. department code -> office
    Join(separator, a, b, ...)      joins the values that are neither null nor ""
    FormatDate(x, pattern)          ISO-8601 input; patterns use yyyy MM dd HH mm ss, other characters verbatim
    IsPresent(x)  Not(x)  Equals(a, b)   (Equals and Switch ignore case)

Attribute names and lookup keys match exactly first, then ignoring case. FormatDate prints the date and time as
written, without converting time zones; a pattern letter it does not support (``yy``, ``dddd``) is an error.

Entra's own names ``ToLower``, ``ToUpper``, ``NormalizeDiacritics`` and ``StripSpaces`` are accepted as aliases.
A condition is false when it is false, null, 0, "", "0" or "false" (any case), and true otherwise.

Limits keep an administrator's expression from hanging or exhausting a worker: the source is at most
4,000 characters, calls nest at most 50 deep, the language has no loops (evaluation visits each node at most
once), and no function may produce a text longer than 100,000 characters.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from types import MappingProxyType

from hirehub.errors import Invalid

Value = str | bool | int | None
"""What an expression evaluates to."""

Lookups = Mapping[str, Mapping[str, str]]
"""Lookup tables by name, each mapping a key to a value (e.g. department code -> office location)."""

NO_LOOKUPS: Lookups = MappingProxyType({})

MAX_SOURCE_LENGTH = 4_000
MAX_NESTING = 50
MAX_VALUE_LENGTH = 100_000


class ExpressionError(Invalid):
    """An expression that cannot be compiled or evaluated; ``position`` is a 0-based offset into the source."""

    def __init__(self, message: str, position: int | None = None) -> None:
        self.reason = message
        self.position = position
        super().__init__(message if position is None else f"{message} (at character {position + 1})")


# ---------------------------------------------------------------------------------------------------------------
# Values


def as_text(value: Value) -> str:
    """The text form of a value, as text functions see it: null is "", booleans are "true"/"false"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # more digits than Python converts to text
            raise ExpressionError("a number is too large to use as text") from None
    return value


def _is_empty(value: Value) -> bool:
    return value is None or value == ""


def _truth(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int):
        return value != 0
    return value.strip().casefold() not in {"", "0", "false"}


def _whole_number(value: Value, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]{1,18}\s*", value):
        return int(value)
    raise ExpressionError(f"{what} must be a whole number, not {_describe(value)}")


def _describe(value: Value) -> str:
    """A value for an error message: short, and never failing on a number too large to print."""
    if value is None:
        return "null"
    try:
        text = repr(value)
    except ValueError:
        return "a very large number"
    return text if len(text) <= 40 else text[:40] + "..."


def _ensure_fits(length: int) -> None:
    if length > MAX_VALUE_LENGTH:
        raise ExpressionError(f"the result would be longer than {MAX_VALUE_LENGTH:,} characters")


def _checked_length(text: str) -> str:
    _ensure_fits(len(text))
    return text


def find_attribute(attributes: Mapping[str, object], name: str) -> object:
    """The attribute called ``name``: the exact key if present, else the first key equal to it ignoring case."""
    if name in attributes:
        return attributes[name]
    key = _keys_ignoring_case(tuple(attributes)).get(name.casefold())
    return None if key is None else attributes[key]


@functools.lru_cache(maxsize=256)
def _keys_ignoring_case(keys: tuple[object, ...]) -> Mapping[str, str]:
    """Each key of a mapping by its case-folded spelling (the first, when two differ only in case). Worked out
    once per set of keys: a directory's accounts share a handful, and a reconciliation looks up an attribute
    an account does not hold (a null one, which Graph leaves out) for every account."""
    index: dict[str, str] = {}
    for key in keys:
        if isinstance(key, str):
            index.setdefault(key.casefold(), key)
    return MappingProxyType(index)


def _from_attribute(name: str, raw: object) -> Value:
    """HR values arrive as Python objects; only plain data is read, never an object's own methods."""
    if raw is None or isinstance(raw, str | bool | int):
        return raw
    if isinstance(raw, datetime | date | time):
        return raw.isoformat()
    if isinstance(raw, float | Decimal):
        return str(raw)
    if isinstance(raw, Enum) and isinstance(raw.value, str):
        return raw.value
    raise ExpressionError(f"attribute [{name}] holds a {type(raw).__name__}, which expressions cannot read")


# ---------------------------------------------------------------------------------------------------------------
# Text helpers

_TRANSLITERATIONS = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "Ae",
        "œ": "oe",
        "Œ": "Oe",
        "ł": "l",
        "Ł": "L",
        "ŀ": "l",
        "Ŀ": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ħ": "h",
        "Ħ": "H",
        "ŧ": "t",
        "Ŧ": "T",
        "ı": "i",
    }
)


def strip_diacritics(text: str) -> str:
    """Latin letters without their marks: é→e, ß→ss, ø→o, æ→ae, ł→l; NFKD drops every combining mark."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATIONS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_DATE_FIELDS: dict[str, Callable[[datetime], str]] = {
    "yyyy": lambda moment: f"{moment.year:04d}",
    "MM": lambda moment: f"{moment.month:02d}",
    "dd": lambda moment: f"{moment.day:02d}",
    "HH": lambda moment: f"{moment.hour:02d}",
    "mm": lambda moment: f"{moment.minute:02d}",
    "ss": lambda moment: f"{moment.second:02d}",
}
_DATE_SPECIFIER_RUN = re.compile(r"([dfFghHKmMstyz])\1*")


@functools.lru_cache(maxsize=256)
def _date_pattern(pattern: str) -> tuple[str | Callable[[datetime], str], ...]:
    """Split a .NET-style pattern into verbatim text and fields; a specifier we do not support is an error,
    so that ``yy`` or ``dddd`` fail loudly instead of printing letters.

    Cached by pattern: a policy formats every worker's hire date with the same one or two patterns, and parsing
    it was most of FormatDate's cost in a reconciliation. The result is a tuple, so no caller can change a cached
    value; an unsupported pattern raises and so is never cached."""
    parts: list[str | Callable[[datetime], str]] = []
    position = 0
    for run in _DATE_SPECIFIER_RUN.finditer(pattern):
        parts.append(pattern[position : run.start()])
        if run.group() not in _DATE_FIELDS:
            raise ExpressionError(f"unsupported date pattern {run.group()!r} (use yyyy, MM, dd, HH, mm, ss)")
        parts.append(_DATE_FIELDS[run.group()])
        position = run.end()
    parts.append(pattern[position:])
    return tuple(parts)


def _read_date(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise ExpressionError(f"cannot read {_describe(text)} as an ISO-8601 date") from exc


# ---------------------------------------------------------------------------------------------------------------
# Functions


@dataclass(frozen=True)
class _Context:
    attributes: Mapping[str, object]
    lookups: Lookups


Apply = Callable[[Sequence["_Node"], _Context], Value]


@dataclass(frozen=True)
class _Function:
    name: str
    min_args: int
    max_args: int | None
    apply: Apply
    check: Callable[[Sequence[_Node]], None] | None = None

    def check_arity(self, count: int) -> None:
        if self.min_args <= count and (self.max_args is None or count <= self.max_args):
            return
        if self.max_args is None:
            expected = f"at least {self.min_args}"
        elif self.min_args == self.max_args:
            expected = f"{self.min_args}"
        else:
            expected = f"{self.min_args} to {self.max_args}"
        plural = "" if expected in {"1", "at least 1"} else "s"
        raise ExpressionError(f"{self.name} takes {expected} argument{plural}, got {count}")


def _eager(body: Callable[..., Value]) -> Apply:
    """Most functions want their arguments' values; only IIF, Coalesce and Switch evaluate lazily."""

    def apply(args: Sequence[_Node], context: _Context) -> Value:
        return body(*(arg.evaluate(context) for arg in args))

    return apply


def _text_function(transform: Callable[[str], str]) -> Apply:
    return _eager(lambda value: transform(as_text(value)))


def _concat(*values: Value) -> str:
    texts = [as_text(value) for value in values]
    _ensure_fits(sum(map(len, texts)))
    return "".join(texts)


def _join(separator: Value, *values: Value) -> str:
    present = [as_text(value) for value in values if not _is_empty(value)]
    glue = as_text(separator)
    _ensure_fits(sum(map(len, present)) + len(glue) * max(len(present) - 1, 0))
    return glue.join(present)


def _non_negative(value: Value, what: str) -> int:
    number = _whole_number(value, what)
    if number < 0:
        raise ExpressionError(f"{what} must not be negative, got {_describe(number)}")
    return number


def _left(value: Value, count: Value) -> str:
    return as_text(value)[: _non_negative(count, "the length")]


def _right(value: Value, count: Value) -> str:
    length = _non_negative(count, "the length")
    return as_text(value)[-length:] if length else ""


def _mid(value: Value, start: Value, length: Value) -> str:
    first = _whole_number(start, "the start")
    if first < 1:
        raise ExpressionError(f"the start counts from 1, got {_describe(first)}")
    return as_text(value)[first - 1 : first - 1 + _non_negative(length, "the length")]


def _replace(value: Value, old: Value, new: Value) -> str:
    text, before, after = as_text(value), as_text(old), as_text(new)
    if not before:
        return text
    _ensure_fits(len(text) + text.count(before) * (len(after) - len(before)))
    return text.replace(before, after)


def _remove_spaces(text: str) -> str:
    return "".join(text.split())


def _equals(left: Value, right: Value) -> bool:
    return as_text(left).casefold() == as_text(right).casefold()


def _format_date(value: Value, pattern: Value) -> str:
    text = as_text(value).strip()
    parts = _date_pattern(as_text(pattern))
    if not text:
        return ""
    moment = _read_date(text)
    return "".join(part if isinstance(part, str) else part(moment) for part in parts)


def _iif(args: Sequence[_Node], context: _Context) -> Value:
    condition, then, otherwise = args
    return then.evaluate(context) if _truth(condition.evaluate(context)) else otherwise.evaluate(context)


def _coalesce(args: Sequence[_Node], context: _Context) -> Value:
    for arg in args:
        value = arg.evaluate(context)
        if not _is_empty(value):
            return value
    return None


def _switch(args: Sequence[_Node], context: _Context) -> Value:
    subject = as_text(args[0].evaluate(context)).casefold()
    for key, value in zip(args[2::2], args[3::2], strict=True):
        if as_text(key.evaluate(context)).casefold() == subject:
            return value.evaluate(context)
    return args[1].evaluate(context)


def _lookup(args: Sequence[_Node], context: _Context) -> Value:
    table_name = as_text(args[0].evaluate(context))
    table = context.lookups.get(table_name)
    if table is None:
        raise ExpressionError(f"there is no lookup table named {table_name!r}")
    key = as_text(args[1].evaluate(context))
    if key not in table:
        folded = key.casefold()
        key = next((other for other in table if isinstance(other, str) and other.casefold() == folded), key)
    if key in table:
        return _from_attribute(f"{table_name}[{key}]", table[key])
    return args[2].evaluate(context)


def _check_switch(args: Sequence[_Node]) -> None:
    if len(args) % 2:
        raise ExpressionError("Switch takes a value, a default and then key/value pairs: an even number of arguments")


def _check_lookup(args: Sequence[_Node]) -> None:
    table = args[0]
    if not (isinstance(table, _Literal) and isinstance(table.value, str)):
        raise ExpressionError(
            'Lookup\'s first argument must name the table in a string, e.g. "offices"', table.position
        )


def _check_format_date(args: Sequence[_Node]) -> None:
    pattern = args[1]
    if isinstance(pattern, _Literal):
        try:
            _date_pattern(as_text(pattern.value))
        except ExpressionError as error:
            raise ExpressionError(error.reason, pattern.position) from None


_FUNCTION_LIST = (
    _Function("Concat", 1, None, _eager(_concat)),
    _Function("Lower", 1, 1, _text_function(str.lower)),
    _Function("Upper", 1, 1, _text_function(str.upper)),
    _Function("Trim", 1, 1, _text_function(str.strip)),
    _Function("StripDiacritics", 1, 1, _text_function(strip_diacritics)),
    _Function("RemoveSpaces", 1, 1, _text_function(_remove_spaces)),
    _Function("Left", 2, 2, _eager(_left)),
    _Function("Right", 2, 2, _eager(_right)),
    _Function("Mid", 3, 3, _eager(_mid)),
    _Function("Replace", 3, 3, _eager(_replace)),
    _Function("Coalesce", 1, None, _coalesce),
    _Function("IIF", 3, 3, _iif),
    _Function("Switch", 4, None, _switch, _check_switch),
    _Function("Lookup", 3, 3, _lookup, _check_lookup),
    _Function("Join", 2, None, _eager(_join)),
    _Function("FormatDate", 2, 2, _eager(_format_date), _check_format_date),
    _Function("IsPresent", 1, 1, _eager(lambda value: not _is_empty(value))),
    _Function("Not", 1, 1, _eager(lambda value: not _truth(value))),
    _Function("Equals", 2, 2, _eager(_equals)),
)
_ALIASES = {
    "tolower": "lower",
    "toupper": "upper",
    "normalizediacritics": "stripdiacritics",
    "stripspaces": "removespaces",
}
_FUNCTIONS = {function.name.casefold(): function for function in _FUNCTION_LIST}
_FUNCTIONS.update({alias: _FUNCTIONS[target] for alias, target in _ALIASES.items()})

FUNCTIONS: frozenset[str] = frozenset(function.name for function in _FUNCTION_LIST)
"""The canonical names of the language's functions, e.g. for the console's help."""


# ---------------------------------------------------------------------------------------------------------------
# The tree


@dataclass(frozen=True)
class _Literal:
    value: Value
    position: int

    def evaluate(self, context: _Context) -> Value:
        return self.value

    def children(self) -> tuple[_Node, ...]:
        return ()


@dataclass(frozen=True)
class _Attribute:
    name: str
    position: int

    def evaluate(self, context: _Context) -> Value:
        try:
            return _from_attribute(self.name, find_attribute(context.attributes, self.name))
        except ExpressionError as error:
            raise ExpressionError(error.reason, self.position) from None

    def children(self) -> tuple[_Node, ...]:
        return ()


@dataclass(frozen=True)
class _Call:
    function: _Function
    args: tuple[_Node, ...]
    position: int

    def evaluate(self, context: _Context) -> Value:
        try:
            result = self.function.apply(self.args, context)
            return _checked_length(result) if isinstance(result, str) else result
        except ExpressionError as error:
            if error.position is not None:  # already placed by an inner call
                raise
            raise ExpressionError(f"{self.function.name}: {error.reason}", self.position) from None

    def children(self) -> tuple[_Node, ...]:
        return self.args


_Node = _Literal | _Attribute | _Call


def _walk(node: _Node) -> Iterator[_Node]:
    yield node
    for child in node.children():
        yield from _walk(child)


# ---------------------------------------------------------------------------------------------------------------
# The parser

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTEGER = re.compile(r"-?[0-9]+")
_CONSTANTS: dict[str, Value] = {"true": True, "false": False, "null": None}


class _Parser:
    """Recursive descent over the source; every error carries the offset where it was noticed."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.position = 0
        self.depth = 0

    def parse(self) -> _Node:
        self._skip_space()
        if self._at_end():
            raise ExpressionError("the expression is empty", 0)
        node = self._expression()
        self._skip_space()
        if not self._at_end():
            raise ExpressionError(f"unexpected {self.source[self.position]!r} after the expression", self.position)
        return node

    def _at_end(self) -> bool:
        return self.position >= len(self.source)

    def _skip_space(self) -> None:
        while not self._at_end() and self.source[self.position].isspace():
            self.position += 1

    def _expression(self) -> _Node:
        self._skip_space()
        if self._at_end():
            raise ExpressionError("the expression ends where a value was expected", self.position)
        char = self.source[self.position]
        if char == "[":
            return self._attribute()
        if char == '"':
            return self._string()
        if char in "-0123456789":
            return self._integer()
        if _NAME.match(self.source, self.position):
            return self._name()
        raise ExpressionError(f"unexpected {char!r} where a value was expected", self.position)

    def _attribute(self) -> _Attribute:
        start = self.position
        end = self.source.find("]", start + 1)
        if end < 0:
            raise ExpressionError("the attribute reference is missing its closing ']'", start)
        name = self.source[start + 1 : end].strip()
        if not name:
            raise ExpressionError("the attribute reference is empty", start)
        if "[" in name or any(not char.isprintable() for char in name):
            raise ExpressionError(f"invalid character in attribute name {name!r}", start)
        self.position = end + 1
        return _Attribute(name, start)

    def _string(self) -> _Literal:
        start = self.position
        chars: list[str] = []
        index = start + 1
        while index < len(self.source):
            char = self.source[index]
            if char == '"':
                self.position = index + 1
                return _Literal("".join(chars), start)
            if char == "\\":
                escaped = self.source[index + 1 : index + 2]
                if escaped not in ('"', "\\"):
                    raise ExpressionError('only \\" and \\\\ may follow a backslash in a string', index)
                char = escaped
                index += 1
            chars.append(char)
            index += 1
        raise ExpressionError("the string is missing its closing quote", start)

    def _integer(self) -> _Literal:
        start = self.position
        match = _INTEGER.match(self.source, start)
        if match is None:
            raise ExpressionError("'-' must be followed by digits", start)
        self.position = match.end()
        return _Literal(int(match.group()), start)

    def _name(self) -> _Node:
        start = self.position
        match = _NAME.match(self.source, start)
        assert match is not None  # _expression checked
        name = match.group()
        self.position = match.end()
        self._skip_space()
        if not self._at_end() and self.source[self.position] == "(":
            return self._call(name, start)
        if name.casefold() in _CONSTANTS:
            return _Literal(_CONSTANTS[name.casefold()], start)
        raise ExpressionError(f"unknown name {name!r}; attributes are written in brackets, e.g. [{name}]", start)

    def _call(self, name: str, start: int) -> _Call:
        function = _FUNCTIONS.get(name.casefold())
        if function is None:
            raise ExpressionError(f"unknown function {name!r}{_suggestion(name)}", start)
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ExpressionError(f"calls are nested more than {MAX_NESTING} deep", start)
        args = self._arguments()
        self.depth -= 1
        try:
            function.check_arity(len(args))
            if function.check is not None:
                function.check(args)
        except ExpressionError as error:
            if error.position is not None:  # a check that points at one argument
                raise
            raise ExpressionError(error.reason, start) from None
        return _Call(function, args, start)

    def _arguments(self) -> tuple[_Node, ...]:
        self.position += 1  # the "("
        self._skip_space()
        if self.source.startswith(")", self.position):
            self.position += 1
            return ()
        args: list[_Node] = []
        while True:
            args.append(self._expression())
            self._skip_space()
            if self._at_end():
                raise ExpressionError("the function call is missing its closing ')'", self.position)
            separator = self.source[self.position]
            self.position += 1
            if separator == ")":
                return tuple(args)
            if separator != ",":
                raise ExpressionError(f"expected ',' or ')' but found {separator!r}", self.position - 1)


def _suggestion(name: str) -> str:
    close = difflib.get_close_matches(name.casefold(), list(_FUNCTIONS), n=1)
    return f"; did you mean {_FUNCTIONS[close[0]].name}?" if close else ""


# ---------------------------------------------------------------------------------------------------------------
# The public face


@dataclass(frozen=True)
class Expression:
    """A compiled expression. Equal when the sources are equal; constructing one parses and checks it."""

    source: str
    _tree: _Node = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.source) > MAX_SOURCE_LENGTH:
            raise ExpressionError(f"the expression is longer than {MAX_SOURCE_LENGTH:,} characters")
        object.__setattr__(self, "_tree", _Parser(self.source).parse())

    def evaluate(self, attributes: Mapping[str, object], lookups: Lookups = NO_LOOKUPS) -> Value:
        """The value for one worker's HR attributes; raises ExpressionError when the data does not fit."""
        return self._tree.evaluate(_Context(attributes, lookups))

    def references(self) -> frozenset[str]:
        """The attribute names the expression reads, so the console can check them against the HR schema."""
        return frozenset(node.name for node in _walk(self._tree) if isinstance(node, _Attribute))

    def lookup_tables(self) -> frozenset[str]:
        """The lookup tables the expression consults."""
        return frozenset(name for name, _ in self._lookup_calls())

    def _lookup_calls(self) -> Iterator[tuple[str, int]]:
        for node in _walk(self._tree):
            if isinstance(node, _Call) and node.function.name == "Lookup":
                table = node.args[0]
                assert isinstance(table, _Literal)  # _check_lookup
                yield as_text(table.value), table.position


def compile_expression(source: str, known_lookups: Collection[str] | None = None) -> Expression:
    """Parse and check ``source``; with ``known_lookups``, a Lookup of any other table is an error too."""
    expression = Expression(source)
    if known_lookups is not None:
        for name, position in expression._lookup_calls():
            if name not in known_lookups:
                raise ExpressionError(f"there is no lookup table named {name!r}", position)
    return expression


MEMO_SIZE = 16_384
"""How many combinations of attribute values a :class:`MemoizedExpression` remembers (least recently used go
first): enough for every department, title or first name of a large tenant, and a bound on the memory a policy
holds when values are unique (e.g. display names)."""


class MemoizedExpression:
    """An expression bound to one set of lookup tables that remembers its value for each combination of the
    values of the attributes it reads.

    A reconciliation evaluates the policy's mappings for every worker of a tenant, and most mappings read
    attributes many workers share (department, title, company, location, hire date), so most evaluations repeat
    an earlier one. An expression's value depends on nothing but the attributes it references (known once it
    is compiled) and the lookup tables: the language has no clock, no randomness and no other input. The memo
    is keyed by those attributes' values *as the expression reads them* (after :func:`_from_attribute`: text,
    whole numbers, flags or null), with their types, so that equal-but-different inputs (``True`` and ``1``,
    ``Decimal("1.0")`` and ``Decimal("1.00")``, one instant in two time zones) never share an entry. A miss is
    computed from the key alone, so an entry can never hold another input's value. Errors are not remembered:
    evaluating again raises the same error.
    """

    def __init__(self, expression: Expression, lookups: Lookups = NO_LOOKUPS, size: int = MEMO_SIZE) -> None:
        self.expression = expression
        self.lookups = lookups
        names = tuple(sorted(expression.references()))
        self._names = names
        tree = expression._tree
        self._bare = isinstance(tree, _Attribute)
        """A bare ``[Attribute]`` is the attribute's value as read: the memo would only cost time."""
        self.bare_attribute: str | None = names[0] if self._bare else None
        """The attribute a bare ``[Attribute]`` reads (None for any other expression): when it holds text or
        null, that is the expression's value, which a caller evaluating many of them can take without a call."""

        def evaluate(*values: Value) -> Value:
            return tree.evaluate(_Context(dict(zip(names, values, strict=True)), lookups))

        self._remembered = functools.lru_cache(maxsize=size, typed=True)(evaluate)

    def evaluate(self, attributes: Mapping[str, object]) -> Value:
        """What ``self.expression.evaluate(attributes, self.lookups)`` gives, from the memo when it can."""
        if self._bare:  # the attribute's value as read, which is what evaluating it gives
            name = self._names[0]
            raw = attributes[name] if name in attributes else find_attribute(attributes, name)
            if raw is None or type(raw) is str:
                return raw
        values: list[Value] = []
        try:
            for name in self._names:  # find_attribute and _from_attribute, their common cases inlined
                raw = attributes[name] if name in attributes else find_attribute(attributes, name)
                values.append(raw if raw is None or type(raw) is str else _from_attribute(name, raw))
        except ExpressionError:
            # An attribute expressions cannot read: evaluating says where, or reads nothing when the attribute
            # sits in a branch not taken (IIF), exactly as without the memo.
            return self.expression.evaluate(attributes, self.lookups)
        if self._bare:
            return values[0]
        return self._remembered(*values)

    def cache_info(self) -> functools._CacheInfo:
        """Hits, misses and size of the memo, for tests and profiling."""
        return self._remembered.cache_info()
