"""The one policy for fetching a URL that a user, not the operator, gave the hub (a trusted issuer's JWKS URL).

A tenant administrator can type any URL; fetched as it is, it turns the hub into a proxy into its own network
(loopback, the cloud metadata address, the intranet): server-side request forgery. So such a URL must be
``https``, carry no credentials and name a host whose every address is public. The operator allows a host by name
(``HIREHUB_OUTBOUND_ALLOWED_HOSTS``) for sandboxes and intranets; origins the outbound host map reroutes
(:mod:`hirehub.outbound`) are the operator's choice already.

The URL is checked when it is registered, for a clear refusal of its field, and again at every connection, on the
addresses really connected to, because DNS can answer differently the second time. An answer is read as a stream
and cut off at a size cap, under connect and read timeouts and an overall deadline, and redirects are not followed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpcore
import httpx

from hirehub.errors import Invalid, Unavailable
from hirehub.outbound import HostMap, async_client
from hirehub.settings import Settings, get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

MAX_RESPONSE_BYTES = 256 * 1024
"""Far above any real key set (Entra's JWKS is a few kilobytes), far below what hurts a process."""
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 10.0
DEADLINE_SECONDS = 20.0
"""The whole fetch, so a server that drips one byte per read timeout cannot hold a request for long."""

_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_HOST_NAME = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*$")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class AddressKind(StrEnum):
    """Why an address is not one the hub calls on a user's say-so."""

    UNSPECIFIED = "unspecified"
    LOOPBACK = "loopback"
    LINK_LOCAL = "link-local"
    MULTICAST = "multicast"
    PRIVATE = "private"
    RESERVED = "reserved"
    NOT_PUBLIC = "not public"


class OutboundRefused(Invalid):
    """A URL the hub will not fetch for a user: its form, its host or what its host resolves to."""


class OutboundUnavailable(Unavailable):
    """A URL that passed the policy could not be fetched: no answer, an error status, or a timeout."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, Teredo client, NAT64), which is what it reaches."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def forbidden_kind(address: IPAddress) -> AddressKind | None:
    """What makes ``address`` unfit to call (None: a public unicast address)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return forbidden_kind(embedded)
    checks = (
        (address.is_unspecified, AddressKind.UNSPECIFIED),
        (address.is_loopback, AddressKind.LOOPBACK),
        (address.is_link_local, AddressKind.LINK_LOCAL),
        (address.is_multicast, AddressKind.MULTICAST),
        (address.is_private, AddressKind.PRIVATE),
        (address.is_reserved, AddressKind.RESERVED),
        (not address.is_global, AddressKind.NOT_PUBLIC),
    )
    return next((kind for failed, kind in checks if failed), None)


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any spelling a resolver accepts (``2130706433``, ``0177.0.0.1``,
    ``0x7f.1``, ``::ffff:127.0.0.1``); None for a host name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if not _NUMERIC_LABEL.match(labels[-1]):
        return None
    if not all(_NUMERIC_LABEL.match(label) for label in labels):
        raise OutboundRefused(f"'{host}' is neither a host name nor an address")
    try:  # inet_aton reads every legacy spelling (octal, hexadecimal, fewer than four parts)
        return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
    except OSError:
        raise OutboundRefused(f"'{host}' is not a valid address") from None


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives ``host`` (the addresses a connection might use)."""
    answers = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(answer[4][0]).split("%")[0]) for answer in answers]


@dataclass(frozen=True)
class Target:
    """A URL that passed the form checks: its host (lower case, no trailing dot) and port."""

    url: str
    host: str
    port: int
    rerouted: bool


@dataclass(frozen=True)
class OutboundPolicy:
    """What the hub fetches for a user: ``https``, no credentials, public addresses unless allowed by name."""

    allowed_hosts: frozenset[str] = frozenset()
    host_map: HostMap = field(default_factory=HostMap)
    resolver: Resolver = system_resolver
    max_response_bytes: int = MAX_RESPONSE_BYTES
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS
    read_timeout: float = READ_TIMEOUT_SECONDS
    deadline: float = DEADLINE_SECONDS
    ca_bundle: str | None = None
    """Extra trust for outbound TLS (``HIREHUB_OUTBOUND_CA_BUNDLE``: a sandbox's test CA); None: the system's."""

    @classmethod
    def from_settings(cls, settings: Settings) -> OutboundPolicy:
        """The operator's policy: its allowed host names, its host map and its CA bundle."""
        return cls(
            allowed_hosts=frozenset(host.strip().lower().rstrip(".") for host in settings.outbound_allowed_hosts),
            host_map=HostMap(settings.outbound_host_map),
            ca_bundle=settings.outbound_ca_bundle,
        )

    def allows_by_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.allowed_hosts

    def target(self, url: str) -> Target:
        """``url`` checked for its form, and a literal address in it for its kind; nothing is resolved."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port or 443
        except ValueError:
            raise OutboundRefused("the URL is not a valid URL") from None
        if parts.scheme.lower() != "https":
            raise OutboundRefused("the URL must be an https URL")
        if parts.username is not None or parts.password is not None or "@" in parts.netloc:
            raise OutboundRefused("the URL must not carry a user name or password")
        host = _host_of(parts)
        rerouted = parts.netloc.lower() in self.host_map
        target = Target(url=url.strip(), host=host, port=port, rerouted=rerouted)
        if rerouted or self.allows_by_name(host):
            return target
        address = literal_address(host)
        if address is not None:
            _refuse_address(host, address)
        return target

    async def check(self, url: str) -> Target:
        """``url`` checked as :meth:`target` does, and its host's addresses too when it resolves.

        A name that does not resolve now is let through: it cannot be fetched until it does, and every connection
        is checked again (:class:`GuardedBackend`)."""
        target = self.target(url)
        if target.rerouted or self.allows_by_name(target.host) or literal_address(target.host) is not None:
            return target
        try:
            addresses = await self.resolver(target.host, target.port)
        except OSError:
            return target
        for address in addresses:
            _refuse_address(target.host, address)
        return target

    def client(self, *, verify: ssl.SSLContext | None = None) -> httpx.AsyncClient:
        """A client whose every connection is checked against the policy, honouring the host map; TLS trusts
        ``verify`` when given, else the policy's CA bundle, else the system's store."""
        context = verify or (ssl.create_default_context(cafile=self.ca_bundle) if self.ca_bundle else None)
        transport = GuardedTransport(self, verify=context or True)
        timeout = httpx.Timeout(self.read_timeout, connect=self.connect_timeout)
        return async_client(self.host_map, inner=transport, timeout=timeout, follow_redirects=False)

    async def fetch(self, url: str, http: httpx.AsyncClient | None = None) -> bytes:
        """The body of a ``GET`` of ``url`` (a 200), at most :attr:`max_response_bytes` of it.

        Refused (:class:`OutboundRefused`) for a URL outside the policy or an answer over the cap;
        :class:`OutboundUnavailable` when the answer does not come or is not a 200."""
        await self.check(url)
        client = http or self.client()
        try:
            async with asyncio.timeout(self.deadline):
                return await self._read(client, url)
        except TimeoutError:
            raise OutboundUnavailable(f"no complete answer within {self.deadline:g} seconds") from None
        except (httpx.HTTPError, httpx.StreamError, httpx.InvalidURL) as exc:
            if isinstance(exc.__cause__, AddressNotAllowed):  # the connection-time check of the policy
                raise OutboundRefused(str(exc)) from None
            raise OutboundUnavailable(f"it could not be fetched ({type(exc).__name__}: {exc})") from None
        finally:
            if http is None:
                await client.aclose()

    async def _read(self, http: httpx.AsyncClient, url: str) -> bytes:
        return await read_capped(http, url, max_bytes=self.max_response_bytes)


async def read_capped(http: httpx.AsyncClient, url: str, *, max_bytes: int = MAX_RESPONSE_BYTES) -> bytes:
    """The body of a ``GET`` of ``url`` (a 200), refused once it passes ``max_bytes``: a document the hub parses
    whole is read only as far as it may be parsed. :class:`OutboundUnavailable` for any answer but a 200."""
    # Uncompressed only: a compressed answer's size says nothing of what it inflates to.
    headers = {"Accept": "application/json", "Accept-Encoding": "identity"}
    async with http.stream("GET", url, headers=headers) as response:
        if response.status_code != 200:
            raise OutboundUnavailable(f"it answered HTTP {response.status_code}")
        if response.headers.get("Content-Encoding", "identity").strip().lower() != "identity":
            raise OutboundRefused("its answer is compressed, though it was asked not to be")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise OutboundRefused(f"its answer is larger than {max_bytes} bytes")
        body = bytearray()
        async for chunk in response.aiter_bytes():  # as sent: identity decodes nothing
            body += chunk
            if len(body) > max_bytes:
                raise OutboundRefused(f"its answer is larger than {max_bytes} bytes")
        return bytes(body)


def operator_policy() -> OutboundPolicy:
    """The policy the process's settings give."""
    return OutboundPolicy.from_settings(get_settings())


async def check_user_url(url: str, *, field: str, policy: OutboundPolicy | None = None) -> None:
    """Refuse, naming ``field``, a URL a user registers for the hub to fetch later (:meth:`OutboundPolicy.check`)."""
    try:
        await (policy or operator_policy()).check(url)
    except OutboundRefused as exc:
        raise OutboundRefused(str(exc), field=field) from None


def _host_of(parts: SplitResult) -> str:
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise OutboundRefused("the URL names no host")
    if ":" in host:  # an IPv6 literal; a zone index (fe80::1%eth0) only ever names a local link
        if "%" in host:
            raise OutboundRefused("the URL must not name a network interface")
        return host
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise OutboundRefused(f"'{parts.hostname}' is not a valid host name") from None
    if not _HOST_NAME.match(host):
        raise OutboundRefused(f"'{parts.hostname}' is not a valid host name")
    return host


def _refuse_address(host: str, address: IPAddress) -> None:
    kind = forbidden_kind(address)
    if kind is None:
        return
    shown = host if str(address) == host else f"{host} ({address})"
    raise OutboundRefused(
        f"{shown} is not a public address ({kind}), and the hub calls only public addresses for a user; an operator "
        "may allow the host by name (HIREHUB_OUTBOUND_ALLOWED_HOSTS)"
    )


class AddressNotAllowed(httpcore.ConnectError):
    """A connection the policy refused after resolving the host (raised inside the transport)."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host itself, refuses the connection unless every address is allowed, and connects to a
    checked address, so no later resolution can swap it (the TLS name stays the host's)."""

    def __init__(self, policy: OutboundPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._policy = policy
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        failure: httpcore.ConnectError | None = None
        for address in await self._checked_addresses(host, port):  # in the resolver's order, as a browser tries
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = httpcore.ConnectError(f"{host} ({address}): {exc}")
        assert failure is not None
        raise failure

    async def _checked_addresses(self, host: str, port: int) -> list[str]:
        """The addresses of ``host``, every one allowed (or the host allowed by name, or a host map's stand-in)."""
        try:
            literal = literal_address(host)
            addresses = [literal] if literal is not None else await self._policy.resolver(host, port)
        except OutboundRefused as exc:
            raise AddressNotAllowed(str(exc)) from None
        except OSError as exc:
            raise httpcore.ConnectError(f"{host} could not be resolved: {exc}") from None
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        if not (self._policy.allows_by_name(host) or self._policy.host_map.targets(host)):
            for address in addresses:
                try:
                    _refuse_address(host, address)
                except OutboundRefused as exc:
                    raise AddressNotAllowed(str(exc)) from None
        return list(dict.fromkeys(str(address) for address in addresses))

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressNotAllowed("the hub does not call local sockets for a user")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, connecting through :class:`GuardedBackend`, never through a proxy from the
    environment (a proxy would make the checked address the proxy's)."""

    def __init__(self, policy: OutboundPolicy, *, verify: Any = True) -> None:
        context = httpx.create_ssl_context(verify=verify, trust_env=False)
        super().__init__(verify=context, trust_env=False)
        # httpx takes no network backend; its pool does, and the transport sends through ``_pool``.
        self._pool = httpcore.AsyncConnectionPool(ssl_context=context, network_backend=GuardedBackend(policy))
