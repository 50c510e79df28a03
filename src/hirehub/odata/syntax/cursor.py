"""A position in a token list, shared by all the recursive-descent parsers.

Keeping lookahead, expectations and error reporting in one place is what lets every parser promise
that malformed input raises :class:`ODataSyntaxError` and nothing else: reading past the end yields
the END token again rather than an ``IndexError``, and :meth:`Cursor.nested` bounds recursion so a
wall of parentheses is a syntax error rather than a ``RecursionError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import NoReturn, TypeVar

from hirehub.odata.syntax.errors import ODataSyntaxError
from hirehub.odata.syntax.lexer import Token, TokenKind, tokenize

MAX_NESTING = 50
T = TypeVar("T")


class Cursor:
    """Tokens of one query option, the parameter aliases in scope, and how deeply parsing has nested."""

    def __init__(self, text: str, aliases: Mapping[str, str] | None = None) -> None:
        self.tokens = tokenize(text)
        self.aliases: Mapping[str, str] = aliases or {}
        self._index = 0
        self._nesting = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self._index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        if token.kind is not TokenKind.END:
            self._index += 1
        return token

    def at_punctuation(self, char: str) -> bool:
        return self.peek().is_punctuation(char)

    def at_word(self, *words: str) -> bool:
        return self.peek().is_word(*words)

    def at_end(self) -> bool:
        return self.peek().kind is TokenKind.END

    def accept_punctuation(self, char: str) -> bool:
        if self.at_punctuation(char):
            self.advance()
            return True
        return False

    def series(self, parse: Callable[[Cursor], T], separator: str = ",") -> tuple[T, ...]:
        """One item or more, each read by ``parse``, between ``separator``s."""
        items = [parse(self)]
        while self.accept_punctuation(separator):
            items.append(parse(self))
        return tuple(items)

    def whole(self, parse: Callable[[Cursor], T], *, empty: str, what: str) -> T:
        """All of the text read by ``parse``; ``empty`` is the complaint about no text at all."""
        if self.at_end():
            self.fail(self.peek(), empty)
        result = parse(self)
        self.expect_end(what)
        return result

    def expect_punctuation(self, char: str, context: str = "") -> Token:
        if not self.at_punctuation(char):
            self.fail(self.peek(), f'expected "{char}"{context}, found {self.peek().describe()}')
        return self.advance()

    def expect_identifier(self, what: str) -> Token:
        token = self.peek()
        if token.kind is not TokenKind.IDENTIFIER:
            self.fail(token, f"expected {what}, found {token.describe()}")
        return self.advance()

    def expect_end(self, what: str) -> None:
        token = self.peek()
        if token.kind is not TokenKind.END:
            self.fail(token, f"unexpected {token.describe()} after the end of {what}")

    def fail(self, token: Token, message: str) -> NoReturn:
        raise ODataSyntaxError(message, token.position)

    @contextmanager
    def nested(self, token: Token) -> Iterator[None]:
        """Count one level of nesting (a parenthesis, call, lambda, ``not`` or nested option) opened at ``token``."""
        if self._nesting >= MAX_NESTING:
            self.fail(token, f"nesting deeper than {MAX_NESTING} levels at {token.describe()}")
        self._nesting += 1
        try:
            yield
        finally:
            self._nesting -= 1
