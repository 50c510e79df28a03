"""Outbound HTTP with a host map: product code keeps the real URLs; tests and demos point them elsewhere.

Entra ID, Microsoft Graph, Exchange Online and LinkedIn cannot be reached from a test machine, so
``hirehub.sandbox`` emulates them. The product code must not know: it always builds the real URL
(``https://graph.microsoft.us/v1.0/users``) and hands it to a client made here. A *host map* (setting
``HIREHUB_OUTBOUND_HOST_MAP``, or an explicit mapping in tests) names, per origin, the base URL that really
serves it. The request keeps its path and query, and carries the original host in ``X-Original-Host`` (and
``Host`` when the target is an in-process ASGI app) so an emulator serving several clouds knows which one
was meant.

Both kinds of client the product uses are covered: ``httpx`` (Graph, Exchange, Rest.li) through
:class:`HostMapTransport`, and ``requests`` (which MSAL uses) through :func:`requests_session`, passed to
MSAL as its documented ``http_client`` argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

ORIGINAL_HOST_HEADER = "X-Original-Host"


class HostMap:
    """Which base URL serves each outside origin; origins not listed are left alone."""

    def __init__(self, routes: Mapping[str, str] | None = None) -> None:
        self._routes: dict[str, str] = {}
        for origin, target in (routes or {}).items():
            self._routes[self._origin_key(origin)] = target.rstrip("/")

    @staticmethod
    def _origin_key(origin: str) -> str:
        parts = urlsplit(origin if "://" in origin else f"https://{origin}")
        return parts.netloc.lower()

    def __bool__(self) -> bool:
        return bool(self._routes)

    def __contains__(self, host: str) -> bool:
        return host.lower() in self._routes

    def targets(self, host: str) -> bool:
        """Whether ``host`` serves a mapped origin: a stand-in the operator chose, whatever its address."""
        return any(urlsplit(target).hostname == host.lower() for target in self._routes.values())

    def rewrite(self, url: str) -> tuple[str, str | None]:
        """The URL to really call, and the original host when it was rewritten."""
        parts = urlsplit(url)
        target = self._routes.get(parts.netloc.lower())
        if target is None:
            return url, None
        base = urlsplit(target)
        path = base.path.rstrip("/") + parts.path
        return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment)), parts.netloc


class HostMapTransport(httpx.AsyncBaseTransport):
    """An httpx transport that sends mapped origins to their stand-in; ``inner`` does the real sending."""

    def __init__(self, host_map: HostMap, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._map = host_map
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        new_url, original_host = self._map.rewrite(str(request.url))
        if original_host is not None:
            headers = httpx.Headers(request.headers)
            headers[ORIGINAL_HOST_HEADER] = original_host
            headers["Host"] = urlsplit(new_url).netloc
            request = httpx.Request(
                request.method,
                new_url,
                headers=headers,
                stream=request.stream,
                extensions=request.extensions,
            )
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def async_client(
    host_map: HostMap | None = None,
    *,
    inner: httpx.AsyncBaseTransport | None = None,
    verify: Any = True,
    timeout: float | httpx.Timeout = 30.0,
    **kwargs: Any,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for calling outside services, honouring the host map."""
    base = inner or httpx.AsyncHTTPTransport(verify=verify)
    transport = HostMapTransport(host_map, base) if host_map else base
    return httpx.AsyncClient(transport=transport, timeout=timeout, **kwargs)


def requests_session(host_map: HostMap | None = None, *, verify: Any = True) -> Any:
    """A ``requests.Session`` that honours the host map: MSAL's ``http_client``.

    MSAL documents ``http_client`` as any object with requests' ``get``/``post``; a Session whose
    ``request`` rewrites the URL is the least surprising such object.
    """
    import requests

    class _MappedSession(requests.Session):
        def request(self, method: Any, url: Any, *args: Any, **kw: Any) -> Any:
            url_text = url.decode() if isinstance(url, bytes) else url
            new_url, original_host = host_map.rewrite(url_text) if host_map else (url_text, None)
            if original_host is not None:
                headers = dict(kw.pop("headers", None) or {})
                headers[ORIGINAL_HOST_HEADER] = original_host
                kw["headers"] = headers
            # Per request: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's own ``verify``.
            kw.setdefault("verify", self.verify)
            return super().request(method, new_url, *args, **kw)

    session = _MappedSession()
    session.verify = verify
    return session
