"""The Entra sandbox served over real TLS on loopback (a trustme CA), with the host map that sends every national
cloud's real hosts to it: clients under test keep the real URLs, as the product does."""

from __future__ import annotations

import ssl
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import msal.application
import msal.token_cache
import pytest
import trustme

from hirehub.outbound import HostMap, HostMapTransport, requests_session
from hirehub.sandbox.entra.app import create_app, host_map_for
from hirehub.sandbox.entra.world import EntraWorld
from tests.live_server import free_port, serving


@dataclass
class EntraSandbox:
    """A running sandbox: its world (arrange it as an administrator would), where it listens and how to reach it."""

    world: EntraWorld
    base_url: str
    ca_file: str
    host_map: HostMap
    _opened: list[Any] = field(default_factory=list, repr=False)

    def requests_session(self) -> Any:
        """What MSAL gets as ``http_client``: real URLs in, the sandbox reached over verified TLS."""
        session = requests_session(self.host_map, verify=self.ca_file)
        self._opened.append(session)
        return session

    def browser(self) -> httpx.Client:
        """A synchronous client standing in for the administrator's browser (no redirects followed: the test
        looks at each one)."""
        verify = ssl.create_default_context(cafile=self.ca_file)
        client = httpx.Client(transport=_SyncHostMapTransport(self.host_map, verify), timeout=30)
        self._opened.append(client)
        return client

    def async_client(self) -> httpx.AsyncClient:
        """An httpx client as the product makes them (:func:`hirehub.outbound.async_client`) for the sandbox."""
        verify = ssl.create_default_context(cafile=self.ca_file)
        return httpx.AsyncClient(
            transport=HostMapTransport(self.host_map, httpx.AsyncHTTPTransport(verify=verify)), timeout=30
        )


class _SyncHostMapTransport(httpx.BaseTransport):
    """The synchronous twin of :class:`HostMapTransport`, for a test's browser."""

    def __init__(self, host_map: HostMap, verify: ssl.SSLContext) -> None:
        self._map = host_map
        self._inner = httpx.HTTPTransport(verify=verify)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        new_url, original_host = self._map.rewrite(str(request.url))
        if original_host is not None:
            headers = httpx.Headers(request.headers)
            headers["X-Original-Host"] = original_host
            headers["Host"] = httpx.URL(new_url).netloc.decode()
            request = httpx.Request(request.method, new_url, headers=headers, stream=request.stream)
        return self._inner.handle_request(request)


@pytest.fixture(scope="session")
def sandbox_certificate_authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def entra_world() -> EntraWorld:
    """The world the sandbox serves; override this fixture to start from a different clock or faults."""
    return EntraWorld()


@pytest.fixture
def entra_sandbox(
    entra_world: EntraWorld,
    sandbox_certificate_authority: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[EntraSandbox]:
    """``create_app(world)`` on a loopback port over TLS; every national cloud's hosts map to it."""
    server_cert = sandbox_certificate_authority.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file = tmp_path / "sandbox.pem", tmp_path / "sandbox.key"
    ca_file = tmp_path / "sandbox-ca.pem"
    server_cert.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    server_cert.private_key_pem.write_to_path(str(key_file))
    sandbox_certificate_authority.cert_pem.write_to_path(str(ca_file))
    # requests lets REQUESTS_CA_BUNDLE override an explicit verify=; the sandbox's CA must be the one trusted.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    port = free_port()
    base_url = f"https://127.0.0.1:{port}"
    app = create_app(entra_world)
    # Idle keep-alive TLS connections would hold the server's shutdown; don't wait long for them.
    with serving(app, port, ssl_certfile=str(cert_file), ssl_keyfile=str(key_file), timeout_graceful_shutdown=1):
        sandbox = EntraSandbox(entra_world, base_url, str(ca_file), HostMap(host_map_for(base_url)))
        try:
            yield sandbox
        finally:
            for opened in sandbox._opened:
                opened.close()


@pytest.fixture
def msal_on_sandbox_time(entra_world: EntraWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """MSAL judges whether a cached token expired by its own clock; in the sandbox time moves when a test says so
    (``world.clock.advance``). Showing MSAL the sandbox's clock keeps both sides of the wire in one time."""
    sandbox_time = types.SimpleNamespace(time=lambda: entra_world.clock.now().timestamp())
    monkeypatch.setattr(msal.application, "time", sandbox_time)
    monkeypatch.setattr(msal.token_cache, "time", sandbox_time)
