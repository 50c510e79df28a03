"""``$filter`` expressions: a recursive-descent parser with one method per precedence level.

Precedence, loosest first: ``or``, ``and``, comparison (``eq ne gt ge lt le`` and 4.01 ``in``),
``not``, then primaries (literals, aliases, paths, calls, lambdas, query functions, parentheses).
``and``/``or`` chains are left-associative loops, comparisons do not chain (``a eq b eq c`` is almost
certainly a mistake, so it is refused rather than given a surprising meaning), and arithmetic is
refused by name because Dataverse does not support it.

Two limits keep hostile input harmless: :data:`~hirehub.odata.syntax.cursor.MAX_NESTING` bounds
recursion while parsing, and :data:`MAX_DEPTH` bounds the depth of the resulting tree (long
``or`` chains grow it too), so compiling, comparing or printing a tree never overflows the stack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hirehub.odata.syntax.ast import (
    COMPARISON_OPERATORS,
    And,
    Call,
    Compare,
    In,
    Lambda,
    Node,
    Not,
    Or,
    Path,
)
from hirehub.odata.syntax.catalog import CANONICAL_FUNCTIONS, RESERVED_WORDS, UNSUPPORTED_OPERATORS
from hirehub.odata.syntax.cursor import Cursor
from hirehub.odata.syntax.lexer import Token, TokenKind
from hirehub.odata.syntax.paths import check_segment
from hirehub.odata.syntax.query_functions import parse_query_function
from hirehub.odata.syntax.values import parse_value, parse_value_list

MAX_DEPTH = 100
_LAMBDAS = ("any", "all")
_IT = "$it"


def parse_filter(text: str, aliases: Mapping[str, str] | None = None) -> Node:
    """Parse a ``$filter`` value; ``aliases`` maps ``@name`` (or ``name``) to the alias's raw text."""
    cursor = Cursor(text, aliases)
    return cursor.whole(parse_expression, empty="empty $filter: expected an expression", what="the $filter expression")


def parse_expression(cursor: Cursor) -> Node:
    """Parse one boolean expression from ``cursor``, stopping at the first token that cannot continue it."""
    return _ExpressionParser(cursor).expression().node


@dataclass(frozen=True, slots=True)
class _Parsed:
    node: Node
    depth: int


def _leaf(node: Node) -> _Parsed:
    return _Parsed(node, 1)


class _ExpressionParser:
    def __init__(self, cursor: Cursor) -> None:
        self._cursor = cursor
        self._variables: list[str] = []

    def expression(self) -> _Parsed:
        return self._chain("or", self._conjunction, Or)

    def _conjunction(self) -> _Parsed:
        return self._chain("and", self._comparison, And)

    def _chain(self, word: str, operand: Callable[[], _Parsed], node: type[And | Or]) -> _Parsed:
        """``operand (word operand)*``, grouped from the left."""
        left = operand()
        while self._cursor.at_word(word):
            operator = self._cursor.advance()
            right = operand()
            left = self._node(operator, node(left.node, right.node), left, right)
        return left

    def _comparison(self) -> _Parsed:
        left = self._unary()
        operator = self._cursor.peek()
        if operator.is_word(*COMPARISON_OPERATORS):
            self._cursor.advance()
            right = self._unary()
            result = self._node(operator, Compare(operator.text, left.node, right.node), left, right)
        elif operator.is_word("in"):
            self._cursor.advance()
            result = self._node(operator, In(left.node, parse_value_list(self._cursor)), left)
        else:
            self._refuse_unknown_operator(operator)
            return left
        following = self._cursor.peek()
        if following.is_word(*COMPARISON_OPERATORS, "in"):
            self._cursor.fail(
                following, f"comparisons cannot be chained: use and/or or parentheses before {following.describe()}"
            )
        self._refuse_unknown_operator(following)
        return result

    def _refuse_unknown_operator(self, token: Token) -> None:
        """After an operand only an operator, a delimiter or the end may follow; name the mistake if not."""
        if token.kind is not TokenKind.IDENTIFIER or token.is_word("and", "or"):
            return
        if token.is_word(*UNSUPPORTED_OPERATORS):
            self._cursor.fail(token, f"operator {token.describe()} is not supported")
        expected = ", ".join((*COMPARISON_OPERATORS, "in", "and", "or"))
        self._cursor.fail(token, f"unknown operator {token.describe()}; expected one of {expected} (lower-case)")

    def _unary(self) -> _Parsed:
        token = self._cursor.peek()
        if not token.is_word("not"):
            return self._primary()
        self._cursor.advance()
        with self._cursor.nested(token):
            operand = self._unary()
        return self._node(token, Not(operand.node), operand)

    def _primary(self) -> _Parsed:
        token = self._cursor.peek()
        if token.kind in (TokenKind.LITERAL, TokenKind.ALIAS, TokenKind.JSON_STRING):
            return _leaf(parse_value(self._cursor))
        if token.is_punctuation("("):
            return self._parenthesised()
        if token.kind is not TokenKind.IDENTIFIER or token.text in RESERVED_WORDS:
            self._cursor.fail(token, f"expected an expression, found {token.describe()}")
        if "." in token.text:
            return _Parsed(parse_query_function(self._cursor), 2)
        if self._cursor.peek(1).is_punctuation("("):
            return self._call()
        return self._path()

    def _parenthesised(self) -> _Parsed:
        opener = self._cursor.advance()
        with self._cursor.nested(opener):
            inner = self.expression()
            self._cursor.expect_punctuation(")", f" to close the parenthesis opened at position {opener.position}")
        return inner

    def _call(self) -> _Parsed:
        name = self._cursor.advance()
        if name.text in _LAMBDAS:
            self._cursor.fail(name, f"{name.text}() needs a collection before it, as in nav/{name.text}(x: ...)")
        arities = CANONICAL_FUNCTIONS.get(name.text)
        if arities is None:
            self._cursor.fail(name, f"unknown function {name.describe()}")
        opener = self._cursor.advance()
        with self._cursor.nested(opener):
            arguments = self._arguments(opener)
        if len(arguments) not in arities:
            counts = " or ".join(str(count) for count in arities)
            self._cursor.fail(name, f"{name.text}() takes {counts} argument(s), got {len(arguments)}")
        return self._node(name, Call(name.text, tuple(argument.node for argument in arguments)), *arguments)

    def _arguments(self, opener: Token) -> list[_Parsed]:
        closing = f" to close the argument list opened at position {opener.position}"
        if self._cursor.accept_punctuation(")"):
            return []
        arguments = [self.expression()]
        while self._cursor.accept_punctuation(","):
            arguments.append(self.expression())
        self._cursor.expect_punctuation(")", closing)
        return arguments

    def _path(self) -> _Parsed:
        first = self._cursor.advance()
        segments = [first.text if first.text == _IT else check_segment(self._cursor, first, "a property name")]
        while self._cursor.accept_punctuation("/"):
            segment = self._cursor.advance()
            if segment.is_word(*_LAMBDAS) and self._cursor.at_punctuation("("):
                return self._lambda(Path(tuple(segments)), segment)
            segments.append(check_segment(self._cursor, segment, "a property name after /"))
        return _leaf(Path(tuple(segments)))

    def _lambda(self, collection: Path, kind: Token) -> _Parsed:
        opener = self._cursor.advance()
        with self._cursor.nested(opener):
            if self._cursor.accept_punctuation(")"):
                if kind.text == "all":
                    self._cursor.fail(kind, "all() needs a predicate, as in all(x: x/name eq 'a')")
                return _Parsed(Lambda(collection, kind.text, None, None), 2)
            variable = self._lambda_variable()
            self._variables.append(variable)
            try:
                predicate = self.expression()
            finally:
                self._variables.pop()
            self._cursor.expect_punctuation(")", f" to close the lambda opened at position {opener.position}")
        lambda_node = Lambda(collection, kind.text, variable, predicate.node)
        return self._node(kind, lambda_node, _leaf(collection), predicate)

    def _lambda_variable(self) -> str:
        token = self._cursor.advance()
        if token.text in RESERVED_WORDS:
            self._cursor.fail(token, f"{token.describe()} cannot name a lambda variable")
        variable = check_segment(self._cursor, token, "a lambda variable name")
        if variable in self._variables:
            self._cursor.fail(token, f"lambda variable {token.describe()} is already used by an enclosing lambda")
        self._cursor.expect_punctuation(":", f" after the lambda variable {variable}")
        return variable

    def _node(self, token: Token, node: Node, *children: _Parsed) -> _Parsed:
        depth = 1 + max((child.depth for child in children), default=0)
        if depth > MAX_DEPTH:
            self._cursor.fail(
                token,
                f"expression deeper than {MAX_DEPTH} levels at {token.describe()}; "
                "for long lists of alternatives use 'in' or Microsoft.Dynamics.CRM.In",
            )
        return _Parsed(node, depth)
