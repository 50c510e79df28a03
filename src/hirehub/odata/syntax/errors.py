"""The one exception every malformed query option raises.

Callers turn it into a Dataverse error body, so it must be the *only* thing a parser lets escape: a
client sending garbage gets a 400 that quotes the offending text and says where it is, never a 500
from an ``IndexError`` deep in the parser.
"""

from __future__ import annotations

_EXCERPT = 40


class ODataSyntaxError(ValueError):
    """A query option that is not well-formed OData (or uses syntax Dataverse does not support).

    ``position`` is the 0-based character offset into the option's text where the problem was found;
    ``message`` is the explanation without the position, for callers that format their own errors.
    """

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at position {position})")
        self.message = message
        self.position = position


def quote(text: str) -> str:
    """Quote a piece of the input for an error message, shortened so a 32 KB URL cannot flood a log."""
    if len(text) > _EXCERPT:
        text = text[:_EXCERPT] + "…"
    return f'"{text}"'
