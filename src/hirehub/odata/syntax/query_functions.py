"""Dataverse query functions: ``Microsoft.Dynamics.CRM.In(PropertyName='x',PropertyValues=['a','b'])``.

They look like calls but take named parameters whose set depends on the function (none, one
``PropertyValue``, a ``PropertyValues`` list, or ``PropertyValue1``/``PropertyValue2``), and the
property is named by a *string*, not a path. Parsing them apart from canonical functions keeps both
simple and lets each mistake (missing, repeated or unexpected parameter) be named precisely.
"""

from __future__ import annotations

from hirehub.odata.syntax.ast import Literal, QueryFunction
from hirehub.odata.syntax.catalog import (
    PROPERTY_NAME,
    PROPERTY_VALUES,
    QUERY_FUNCTION_LIST_LENGTHS,
    QUERY_FUNCTION_NAMESPACES,
    QUERY_FUNCTION_PARAMETERS,
    QUERY_FUNCTIONS,
)
from hirehub.odata.syntax.cursor import Cursor
from hirehub.odata.syntax.errors import quote
from hirehub.odata.syntax.lexer import Token
from hirehub.odata.syntax.values import parse_value, parse_value_list

_Arguments = dict[str, tuple[Token, tuple[Literal, ...]]]


def parse_query_function(cursor: Cursor) -> QueryFunction:
    """Parse from the qualified name (the cursor's current token) to the closing parenthesis."""
    name_token = cursor.advance()
    name = _short_name(cursor, name_token)
    opener = cursor.expect_punctuation("(", f" after {name_token.text}")
    with cursor.nested(opener):
        arguments = _arguments(cursor)
        cursor.expect_punctuation(")", f" to close {name_token.text}( opened at position {opener.position}")
    return _build(cursor, name_token, name=name, arguments=arguments)


def _short_name(cursor: Cursor, token: Token) -> str:
    for namespace in QUERY_FUNCTION_NAMESPACES:
        name = token.text.removeprefix(namespace)
        if name != token.text and name in QUERY_FUNCTIONS:
            return name
    cursor.fail(
        token, f"unknown function {token.describe()}; Dataverse query functions are Microsoft.Dynamics.CRM.<Name>"
    )


def _arguments(cursor: Cursor) -> _Arguments:
    arguments: _Arguments = {}
    while True:
        parameter = cursor.expect_identifier("a parameter name such as PropertyName")
        if parameter.text not in QUERY_FUNCTION_PARAMETERS:
            expected = ", ".join(QUERY_FUNCTION_PARAMETERS)
            cursor.fail(parameter, f"unknown parameter {parameter.describe()}; expected one of {expected}")
        if parameter.text in arguments:
            cursor.fail(parameter, f"parameter {parameter.describe()} is given twice")
        cursor.expect_punctuation("=", f" after {parameter.text}")
        value_token = cursor.peek()
        values = parse_value_list(cursor) if parameter.text == PROPERTY_VALUES else (parse_value(cursor),)
        arguments[parameter.text] = (value_token, values)
        if not cursor.accept_punctuation(","):
            return arguments


def _build(cursor: Cursor, name_token: Token, *, name: str, arguments: _Arguments) -> QueryFunction:
    expected = QUERY_FUNCTIONS[name]
    given = tuple(parameter for parameter in arguments if parameter != PROPERTY_NAME)
    if PROPERTY_NAME not in arguments or set(given) != set(expected):
        wanted = " and ".join((PROPERTY_NAME, *expected))
        cursor.fail(name_token, f"{name_token.describe()} takes {wanted}, got {', '.join(arguments) or 'nothing'}")
    values = tuple(value for parameter in expected for value in arguments[parameter][1])
    length = QUERY_FUNCTION_LIST_LENGTHS.get(name)
    if length is not None and len(values) != length:
        token = arguments[PROPERTY_VALUES][0]
        cursor.fail(token, f"{name} takes exactly {length} values, got {len(values)}")
    return QueryFunction(name, _property_name(cursor, arguments[PROPERTY_NAME]), values)


def _property_name(cursor: Cursor, argument: tuple[Token, tuple[Literal, ...]]) -> str:
    token, (literal,) = argument
    if literal.kind != "string" or not isinstance(literal.value, str) or not literal.value:
        cursor.fail(token, f"PropertyName must be a non-empty quoted string such as 'name', found {quote(token.text)}")
    return literal.value
