"""OData v4 ``$batch`` in ``multipart/mixed`` form, as Microsoft Dataverse's Web API speaks it: bytes ⇄ values.

Why a codec of our own: Dataverse clients (Microsoft's SDKs, Power Automate, LinkedIn Talent Hub's adapter,
hand-written scripts) post ``$batch`` bodies to ``/api/data/v9.2/$batch`` and read the answers back byte by
byte, so both directions must be exact. ``email.parser`` is the wrong tool: it normalises line endings,
decodes bodies as text and re-folds headers, so bodies would not survive untouched and our output would
not be CRLF-exact. The splitter here follows RFC 2046 §5.1.1 closely instead: a delimiter is
``--boundary`` at the start of a line (optionally followed by transport padding), the line break before
it belongs to the delimiter, and everything else — preamble, epilogue, boundary-like text in the middle
of a line — is ordinary content. Clients and hand-written examples use both CRLF and bare LF, so both
are accepted on input; output is always CRLF.

The shape (OData v4.0 Part 1 §11.7): a batch is a sequence of individual requests (``application/http``
parts holding an HTTP request line, headers and a body) and change sets (nested ``multipart/mixed``
parts holding write requests that succeed or fail together; a later request may refer to an earlier
one's new entity as ``$<Content-ID>``). Dataverse adds its limit of 1,000 requests per batch.

Nothing here does I/O or executes anything: :func:`parse_batch` turns a request body into
:class:`BatchRequest` / :class:`ChangeSet` values, :func:`resolve_references` rewrites ``$1``-style
references once the executor knows the earlier results, :func:`serialize_batch_response` renders the
answers, and :func:`parse_batch_response` reads such answers back (for tests and outbound clients).
Every malformed input raises :class:`BatchFormatError`, which the API layer maps to a 400.

Header text (request lines, status lines, header fields) is decoded and encoded as UTF-8; bodies are
opaque bytes. ``Content-Length`` headers are not trusted: part boundaries alone delimit bodies.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeAlias

MAX_REQUESTS = 1000
"""Dataverse's limit on requests in one batch, counting the requests inside change sets."""

_CRLF = b"\r\n"
_MULTIPART_MIXED = "multipart/mixed"
_APPLICATION_HTTP = "application/http"
_IDENTITY_ENCODINGS = frozenset({"binary", "8bit", "7bit"})

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_TOKEN_RE = re.compile(_TOKEN)
_MEDIA_TYPE_RE = re.compile(rf"\s*({_TOKEN})/({_TOKEN})\s*")
_PARAMETER_RE = re.compile(rf"\s*;\s*(?:({_TOKEN})\s*=\s*(\"(?:[^\"\\]|\\.)*\"|{_TOKEN}))?\s*")
_BOUNDARY_RE = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_REQUEST_LINE_RE = re.compile(rf"({_TOKEN})[ \t]+(\S+)[ \t]+HTTP/\d\.\d")
_STATUS_LINE_RE = re.compile(r"HTTP/\d\.\d[ \t]+(\d{3})(?:[ \t].*)?")
_REFERENCE_RE = re.compile(r"\$([^/?#]+)")


class BatchFormatError(ValueError):
    """A ``$batch`` body (or a value to be serialised into one) is malformed; the message says how."""


class Headers(Mapping[str, str]):
    """An immutable header mapping whose lookups ignore case, as HTTP field names do.

    Names keep the spelling they were first given (so serialisation writes them back as received) and
    iterate in arrival order. A repeated name is combined into one value joined by ``", "``, which RFC 9110
    §5.3 allows for every field a ``$batch`` request carries. Equality with any mapping ignores the case of
    names, so ``Headers({"Content-ID": "1"}) == {"content-id": "1"}``.
    """

    __slots__ = ("_fields",)

    def __init__(self, source: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        fields: dict[str, tuple[str, str]] = {}
        pairs = source.items() if isinstance(source, Mapping) else source
        for name, value in pairs:
            key = name.lower()
            if key in fields:
                spelling, earlier = fields[key]
                fields[key] = (spelling, f"{earlier}, {value}")
            else:
                fields[key] = (name, value)
        self._fields = fields

    def __getitem__(self, name: str) -> str:
        if not isinstance(name, str):
            raise KeyError(name)
        return self._fields[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._fields

    def __iter__(self) -> Iterator[str]:
        return (spelling for spelling, _ in self._fields.values())

    def __len__(self) -> int:
        return len(self._fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return _folded(self) == _folded(other)

    def __hash__(self) -> int:
        return hash(frozenset(_folded(self).items()))

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


def _folded(mapping: Mapping[Any, Any]) -> dict[Any, Any]:
    return {name.lower() if isinstance(name, str) else name: value for name, value in mapping.items()}


@dataclass(frozen=True)
class BatchRequest:
    """One HTTP request inside a batch. ``headers`` is always a case-insensitive :class:`Headers`."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    content_id: str | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", self.method.upper())
        if not isinstance(self.headers, Headers):
            object.__setattr__(self, "headers", Headers(self.headers))


@dataclass(frozen=True)
class ChangeSet:
    """Write requests that must succeed or fail as one transaction."""

    requests: tuple[BatchRequest, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "requests", tuple(self.requests))


BatchItem: TypeAlias = BatchRequest | ChangeSet


@dataclass(frozen=True)
class BatchResponse:
    """The answer to one request. ``headers`` is always a case-insensitive :class:`Headers`."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    content_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.headers, Headers):
            object.__setattr__(self, "headers", Headers(self.headers))


@dataclass(frozen=True)
class ChangeSetResponse:
    """The answers to a change set that succeeded, one per request, in request order."""

    responses: tuple[BatchResponse, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "responses", tuple(self.responses))


BatchResponseItem: TypeAlias = BatchResponse | ChangeSetResponse


# ---------------------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------------------


def parse_batch(body: bytes, content_type: str) -> tuple[BatchItem, ...]:
    """Decode a ``$batch`` request body posted with ``content_type`` into requests and change sets.

    Enforces what Dataverse enforces on the envelope: change sets hold no ``GET``, no change set nests
    inside another, ``Content-ID`` values are unique within a change set, and the batch holds at most
    :data:`MAX_REQUESTS` requests in all. A batch with no parts (just the closing delimiter) is valid.
    """
    boundary = _multipart_boundary(content_type, "batch")
    items: list[BatchItem] = []
    total = 0
    for data in _split_multipart(body, boundary):
        item = _parse_batch_part(data)
        total += len(item.requests) if isinstance(item, ChangeSet) else 1
        if total > MAX_REQUESTS:
            raise BatchFormatError(f"a batch may contain at most {MAX_REQUESTS} requests")
        items.append(item)
    return tuple(items)


def resolve_references(url_or_value: str, results: Mapping[str, str]) -> str:
    """Replace a leading ``$<Content-ID>`` by the URL of the entity that request produced.

    ``results`` maps the Content-IDs already executed in the change set to their entity URLs (the
    ``OData-EntityId`` the executor answered with). Text without a leading ``$`` is returned unchanged;
    a reference to a Content-ID not (yet) in ``results`` is an error, as it is in Dataverse.
    """
    if not url_or_value.startswith("$"):
        return url_or_value
    match = _REFERENCE_RE.match(url_or_value)
    if match is None:
        raise BatchFormatError(f"empty Content-ID reference in {url_or_value[:80]!r}")
    content_id = match.group(1)
    if content_id not in results:
        raise BatchFormatError(f"Content-ID Reference: '${content_id}' does not exist in the batch context.")
    return results[content_id] + url_or_value[match.end() :]


def serialize_batch_response(
    items: Sequence[BatchResponse | ChangeSetResponse], boundary: str | None = None
) -> tuple[bytes, str]:
    """Render batch answers as ``(body, content_type)``, CRLF throughout, in Dataverse's layout.

    The outer boundary is ``batchresponse_<uuid>`` unless one is given; each change set nests with its
    own ``changesetresponse_<uuid>`` boundary. Raises :class:`BatchFormatError` for values that cannot be
    written faithfully (a status outside 100-599, a header with a line break, a body that contains a
    delimiter line).
    """
    writer = ResponseWriter(boundary)
    body = b"".join([*(writer.part(item) for item in items), writer.end()])
    return body, writer.content_type


class ResponseWriter:
    """Batch answers rendered one at a time, for a response streamed as its parts are answered: the bytes of
    :meth:`part` for each answer, then :meth:`end`, are exactly what :func:`serialize_batch_response` writes."""

    def __init__(self, boundary: str | None = None) -> None:
        self.boundary = boundary if boundary is not None else f"batchresponse_{uuid.uuid4()}"
        _check_boundary(self.boundary)
        self.content_type = f"{_MULTIPART_MIXED}; boundary={self.boundary}"
        self._delimiter = b"--" + self.boundary.encode("ascii")

    def part(self, item: BatchResponseItem) -> bytes:
        """``--boundary CRLF <answer> CRLF``; :class:`BatchFormatError` when the answer cannot be written."""
        return _delimited(self._delimiter, _render_response_item(item))

    def end(self) -> bytes:
        return self._delimiter + b"--" + _CRLF


def parse_batch_response(body: bytes, content_type: str) -> tuple[BatchResponse | ChangeSetResponse, ...]:
    """Decode a ``$batch`` response body: the inverse of :func:`serialize_batch_response`."""
    boundary = _multipart_boundary(content_type, "batch response")
    return tuple(_parse_response_part(data) for data in _split_multipart(body, boundary))


# ---------------------------------------------------------------------------------------------------------
# Media types and boundaries
# ---------------------------------------------------------------------------------------------------------


def _parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """Split ``type/subtype; name=value; name="quoted"`` into a lower-cased media type and parameters."""
    match = _MEDIA_TYPE_RE.match(value)
    if match is None:
        raise BatchFormatError(f"malformed Content-Type {value[:80]!r}")
    media_type = f"{match.group(1)}/{match.group(2)}".lower()
    parameters: dict[str, str] = {}
    position = match.end()
    while position < len(value):
        parameter = _PARAMETER_RE.match(value, position)
        if parameter is None:
            raise BatchFormatError(f"malformed Content-Type parameters in {value[:80]!r}")
        if parameter.group(1) is not None:
            parameters[parameter.group(1).lower()] = _unquote(parameter.group(2))
        position = parameter.end()
    return media_type, parameters


def _unquote(value: str) -> str:
    if value.startswith('"'):
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _multipart_boundary(content_type: str, what: str) -> str:
    """The boundary of a ``multipart/mixed`` Content-Type, or an error naming ``what`` it belongs to."""
    media_type, parameters = _parse_content_type(content_type)
    if media_type != _MULTIPART_MIXED:
        raise BatchFormatError(f"a {what} must be {_MULTIPART_MIXED}, not {media_type}")
    boundary = parameters.get("boundary")
    if boundary is None:
        raise BatchFormatError(f"the {what}'s Content-Type has no boundary parameter")
    _check_boundary(boundary)
    return boundary


def _check_boundary(boundary: str) -> None:
    if _BOUNDARY_RE.fullmatch(boundary) is None:
        raise BatchFormatError(f"invalid multipart boundary {boundary[:80]!r} (RFC 2046: 1-70 characters)")


# ---------------------------------------------------------------------------------------------------------
# The multipart splitter
# ---------------------------------------------------------------------------------------------------------


def _iter_delimiters(body: bytes, delimiter: bytes) -> Iterator[tuple[int, int, bool]]:
    """Yield ``(start, next_line, is_close)`` for each real delimiter line of ``body``.

    A real delimiter starts a line and is followed only by transport padding (and ``--`` when closing);
    ``--boundary`` anywhere else, or followed by other text, is content.
    """
    found = body.find(delimiter)
    while found != -1:
        line_end = body.find(b"\n", found)
        line_end = len(body) if line_end == -1 else line_end
        if found == 0 or body[found - 1] == ord("\n"):
            rest = body[found + len(delimiter) : line_end].rstrip(b" \t\r")
            if rest in (b"", b"--"):
                yield found, line_end + 1, rest == b"--"
        found = body.find(delimiter, found + 1)


def _split_multipart(body: bytes, boundary: str) -> list[bytes]:
    """The parts of a multipart body, without preamble, epilogue or the line breaks owned by delimiters."""
    delimiter = b"--" + boundary.encode("ascii")
    parts: list[bytes] = []
    part_start: int | None = None
    for start, next_line, is_close in _iter_delimiters(body, delimiter):
        if part_start is not None:
            parts.append(body[part_start : _before_line_break(body, start, part_start)])
        if is_close:
            return parts
        part_start = next_line
    raise BatchFormatError(f"the multipart body has no closing delimiter '--{boundary}--'")


def _before_line_break(body: bytes, end: int, floor: int) -> int:
    """``end`` moved back over the CRLF (or bare LF) that precedes a delimiter, never below ``floor``."""
    if end > floor and body[end - 1] == ord("\n"):
        end -= 1
        if end > floor and body[end - 1] == ord("\r"):
            end -= 1
    return end


def _split_head(data: bytes) -> tuple[list[bytes], bytes]:
    """Split a header block from what follows the first empty line (CRLF or LF); no empty line → no body."""
    lines: list[bytes] = []
    position = 0
    while position < len(data):
        newline = data.find(b"\n", position)
        line_end = len(data) if newline == -1 else newline
        line = data[position:line_end].removesuffix(b"\r")
        position = line_end + 1
        if not line:
            return lines, data[position:]
        lines.append(line)
    return lines, b""


def _skip_blank_lines(message: bytes) -> bytes:
    """Drop empty lines before a request or status line, as RFC 9112 §2.2 asks servers to tolerate."""
    position = 0
    while True:
        if message.startswith(b"\n", position):
            position += 1
        elif message.startswith(b"\r\n", position):
            position += 2
        else:
            return message[position:]


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BatchFormatError(f"the {what} is not valid UTF-8") from error


def _parse_headers(lines: Iterable[bytes], what: str) -> Headers:
    pairs: list[tuple[str, str]] = []
    for raw in lines:
        text = _decode(raw, f"{what} header")
        name, colon, value = text.partition(":")
        if not colon or _TOKEN_RE.fullmatch(name) is None:
            raise BatchFormatError(f"malformed {what} header line {text[:80]!r}")
        pairs.append((name, value.strip(" \t")))
    return Headers(pairs)


# ---------------------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------------------


def _parse_batch_part(data: bytes) -> BatchItem:
    part_lines, content = _split_head(data)
    part_headers = _parse_headers(part_lines, "part")
    media_type, parameters = _part_content_type(part_headers)
    if media_type == _MULTIPART_MIXED:
        return _parse_change_set(parameters, content)
    _require_application_http(media_type, part_headers)
    return _parse_request(part_headers, content)


def _part_content_type(part_headers: Headers) -> tuple[str, dict[str, str]]:
    value = part_headers.get("Content-Type")
    if value is None:
        raise BatchFormatError(f"a batch part has no Content-Type; expected {_APPLICATION_HTTP}")
    return _parse_content_type(value)


def _require_application_http(media_type: str, part_headers: Headers) -> None:
    if media_type != _APPLICATION_HTTP:
        raise BatchFormatError(f"a batch part has Content-Type {media_type}; expected {_APPLICATION_HTTP}")
    encoding = part_headers.get("Content-Transfer-Encoding", "binary").lower()
    if encoding not in _IDENTITY_ENCODINGS:
        raise BatchFormatError(f"unsupported Content-Transfer-Encoding {encoding[:40]!r}; expected binary")


def _parse_change_set(parameters: Mapping[str, str], content: bytes) -> ChangeSet:
    boundary = parameters.get("boundary")
    if boundary is None:
        raise BatchFormatError("a change set's Content-Type has no boundary parameter")
    _check_boundary(boundary)
    requests: list[BatchRequest] = []
    for data in _split_multipart(content, boundary):
        request = _parse_change_set_part(data)
        _check_change_set_member(request, requests)
        requests.append(request)
    return ChangeSet(tuple(requests))


def _parse_change_set_part(data: bytes) -> BatchRequest:
    part_lines, content = _split_head(data)
    part_headers = _parse_headers(part_lines, "part")
    media_type, _ = _part_content_type(part_headers)
    if media_type == _MULTIPART_MIXED:
        raise BatchFormatError("change sets cannot be nested inside a change set")
    _require_application_http(media_type, part_headers)
    return _parse_request(part_headers, content)


def _check_change_set_member(request: BatchRequest, earlier: Sequence[BatchRequest]) -> None:
    if request.method == "GET":
        raise BatchFormatError(f"GET requests are not allowed inside a change set ({request.url[:80]})")
    if request.content_id is not None and any(r.content_id == request.content_id for r in earlier):
        raise BatchFormatError(f"duplicate Content-ID {request.content_id!r} within a change set")


def _parse_request(part_headers: Headers, message: bytes) -> BatchRequest:
    head, body = _split_head(_skip_blank_lines(message))
    if not head:
        raise BatchFormatError("a batch part has no HTTP request line")
    method, url = _parse_request_line(head[0])
    headers = _parse_headers(head[1:], "request")
    return BatchRequest(method, url, headers, body, _content_id(part_headers, headers))


def _parse_request_line(raw: bytes) -> tuple[str, str]:
    line = _decode(raw, "request line")
    match = _REQUEST_LINE_RE.fullmatch(line.strip(" \t"))
    if match is None:
        raise BatchFormatError(f"bad HTTP request line {line[:120]!r}; expected 'METHOD URL HTTP/1.1'")
    return match.group(1).upper(), match.group(2)


def _content_id(part_headers: Headers, message_headers: Headers) -> str | None:
    """The part's Content-ID, or one written among the HTTP headers (some clients put it there)."""
    return part_headers.get("Content-ID") or message_headers.get("Content-ID") or None


# ---------------------------------------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------------------------------------


def _parse_response_part(data: bytes) -> BatchResponseItem:
    part_lines, content = _split_head(data)
    part_headers = _parse_headers(part_lines, "part")
    media_type, parameters = _part_content_type(part_headers)
    if media_type == _MULTIPART_MIXED:
        boundary = parameters.get("boundary")
        if boundary is None:
            raise BatchFormatError("a change set response's Content-Type has no boundary parameter")
        _check_boundary(boundary)
        return ChangeSetResponse(tuple(_parse_change_set_response_part(p) for p in _split_multipart(content, boundary)))
    _require_application_http(media_type, part_headers)
    return _parse_response(part_headers, content)


def _parse_change_set_response_part(data: bytes) -> BatchResponse:
    item = _parse_response_part(data)
    if isinstance(item, ChangeSetResponse):
        raise BatchFormatError("change set responses cannot be nested inside a change set response")
    return item


def _parse_response(part_headers: Headers, message: bytes) -> BatchResponse:
    head, body = _split_head(_skip_blank_lines(message))
    if not head:
        raise BatchFormatError("a batch response part has no HTTP status line")
    line = _decode(head[0], "status line")
    match = _STATUS_LINE_RE.fullmatch(line.strip(" \t"))
    if match is None:
        raise BatchFormatError(f"bad HTTP status line {line[:120]!r}; expected 'HTTP/1.1 200 OK'")
    headers = _parse_headers(head[1:], "response")
    return BatchResponse(int(match.group(1)), headers, body, _content_id(part_headers, headers))


def _render_response_item(item: BatchResponseItem) -> bytes:
    if isinstance(item, BatchResponse):
        return _render_response(item)
    boundary = f"changesetresponse_{uuid.uuid4()}"
    inner = _render_multipart(boundary, [_render_response(response) for response in item.responses])
    return f"Content-Type: {_MULTIPART_MIXED}; boundary={boundary}\r\n\r\n".encode() + inner


def _render_response(response: BatchResponse) -> bytes:
    part_headers = [("Content-Type", _APPLICATION_HTTP), ("Content-Transfer-Encoding", "binary")]
    if response.content_id is not None:
        part_headers.append(("Content-ID", response.content_id))
    head = [
        *(_header_line(name, value) for name, value in part_headers),
        "",
        _status_line(response.status),
        *(_header_line(name, value) for name, value in response.headers.items()),
        "",
        "",
    ]
    return _encode("\r\n".join(head)) + response.body


def _status_line(status: int) -> str:
    if not 100 <= status <= 599:
        raise BatchFormatError(f"HTTP status {status} is outside 100-599")
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"HTTP/1.1 {status} {phrase}"


def _header_line(name: str, value: str) -> str:
    if _TOKEN_RE.fullmatch(name) is None:
        raise BatchFormatError(f"invalid header name {name[:80]!r}")
    if "\r" in value or "\n" in value:
        raise BatchFormatError(f"header {name} has a line break in its value")
    return f"{name}: {value}"


def _encode(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise BatchFormatError("response headers cannot be encoded as UTF-8") from error


def _render_multipart(boundary: str, parts: Sequence[bytes]) -> bytes:
    """``--b CRLF part CRLF`` for each part, then ``--b--`` (the caller adds what follows the close)."""
    delimiter = b"--" + boundary.encode("ascii")
    return b"".join([*(_delimited(delimiter, part) for part in parts), delimiter + b"--"])


def _delimited(delimiter: bytes, part: bytes) -> bytes:
    if next(_iter_delimiters(part, delimiter), None) is not None:
        raise BatchFormatError(f"a response body contains the delimiter line '{delimiter.decode()}'")
    return delimiter + _CRLF + part + _CRLF
