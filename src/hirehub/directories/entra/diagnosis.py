"""Why a connection failed, in an administrator's words: each failure becomes a :class:`Problem` with a next step.

*Test connection* and plan preview reach Microsoft through MSAL (requests) and httpx; whatever goes wrong on the
way (no network, a name that does not resolve, a certificate that does not verify, a slow answer, a refusal with
an AADSTS code, Graph's own error body) is one of the kinds below, told apart by the exception and its causes.
Nothing here does I/O: it reads exceptions.
"""

from __future__ import annotations

import base64
import errno
import json
import socket
import ssl
from collections.abc import Iterator
from enum import StrEnum
from urllib.parse import urlsplit

import httpx
import requests

from hirehub.directories.entra.clouds import Cloud
from hirehub.directories.entra.graph_errors import GraphError
from hirehub.directories.entra.linking import MissingServiceProviderApp, NeedsLink
from hirehub.directories.entra.msal_client import TokenError
from hirehub.directories.entra.permissions import Problem
from hirehub.errors import HubError
from hirehub.lifecycle.connector import ConnectorUnavailable
from hirehub.outbound import ORIGINAL_HOST_HEADER

RETRY_LATER = "Press Test connection again in a few minutes; if it keeps failing, check Microsoft's service health."


class Stage(StrEnum):
    """Which service the hub was talking to when the failure happened."""

    SIGN_IN = "sign_in"
    GRAPH = "graph"
    EXCHANGE = "exchange"


def _host(cloud: Cloud | None, stage: Stage) -> str:
    if cloud is None:
        return {Stage.SIGN_IN: "Microsoft's sign-in service", Stage.GRAPH: "Microsoft's services",
                Stage.EXCHANGE: "Exchange Online"}[stage]  # fmt: skip
    return {Stage.SIGN_IN: cloud.authority_host, Stage.GRAPH: cloud.graph_host, Stage.EXCHANGE: cloud.exchange_host}[
        stage
    ]


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes and the exceptions it carries in ``args`` (urllib3 nests them there)."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for linked in (current.__cause__, current.__context__, getattr(current, "reason", None)):
            if isinstance(linked, BaseException):
                pending.append(linked)
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))


_DNS_WORDS = ("name or service not known", "nodename nor servname", "getaddrinfo failed", "name resolution",
              "no address associated", "failed to resolve")  # fmt: skip


def transport_kind(exc: BaseException) -> str | None:
    """``timeout``, ``tls``, ``dns`` or ``unreachable`` when the exception is a failure to reach a host; else None."""
    chain = list(_chain(exc))
    text = " ".join(str(e) for e in chain).lower()
    timeouts = (httpx.TimeoutException, requests.Timeout, TimeoutError, socket.timeout)
    if any(isinstance(e, timeouts) for e in chain) or "timed out" in text:
        return "timeout"
    if any(isinstance(e, ssl.SSLError | requests.exceptions.SSLError) for e in chain) or "certificate verify" in text:
        return "tls"
    if any(isinstance(e, socket.gaierror) for e in chain) or any(word in text for word in _DNS_WORDS):
        return "dns"
    if any(isinstance(e, httpx.TransportError | requests.ConnectionError | ConnectionError) for e in chain):
        return "unreachable"
    if any(isinstance(e, OSError) and e.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH) for e in chain):
        return "unreachable"
    return None


def failed_host(exc: BaseException) -> str | None:
    """The host a failed request was meant for: the original host a host map rerouted (``X-Original-Host``), else
    the URL's; None when no request is known."""
    for each in _chain(exc):
        try:
            request = getattr(each, "request", None)
        except RuntimeError:  # httpx: an error raised outside a request
            continue
        if request is None:
            continue
        headers = getattr(request, "headers", None) or {}
        original = headers.get(ORIGINAL_HOST_HEADER)
        if original:
            return str(original).split(":")[0]
        url = getattr(request, "url", None)
        host = getattr(url, "host", None) or (urlsplit(url).hostname if isinstance(url, str) else None)
        if host:
            return str(host)
    return None


def _transport_problem(kind: str, host: str) -> Problem:
    reach = f"https://{host}" if "." in host and " " not in host else host
    if kind == "timeout":
        return Problem(
            "timeout",
            f"{host} did not answer in time.",
            f"Check that this machine reaches {reach} (a proxy or firewall may hold the connection), then "
            "press Test connection again.",
        )
    if kind == "tls":
        return Problem(
            "tls",
            f"The TLS certificate presented for {host} could not be verified, so the hub did not send anything.",
            "An intercepting proxy is the usual cause: add its CA to HIREHUB_OUTBOUND_CA_BUNDLE, or let the hub "
            f"reach {reach} directly.",
        )
    if kind == "dns":
        return Problem(
            "dns",
            f"The name {host} could not be resolved on this machine.",
            "Check the machine's DNS settings and that it may reach the internet, then press Test connection again.",
        )
    return Problem(
        "unreachable",
        f"The hub could not connect to {host} (no network route, or the connection was refused).",
        f"Check that this machine reaches {reach} (firewall, proxy, network), then press Test connection again.",
    )


_TOKEN_PROBLEMS: dict[int, tuple[str, str, str]] = {
    90002: ("unknown_tenant", "Microsoft does not know the tenant ID {tenant}.",
            "Copy the Directory (tenant) ID from the app registration's Overview blade into the connection, and check "
            "that the connection's national cloud is the one the tenant lives in."),
    700016: ("unknown_application", "The application {client} is not found in the tenant {tenant}.",
             "Check the client ID (Application ID on the app registration's Overview blade) and that the app is "
             "registered in this tenant."),
    700027: ("certificate_not_uploaded", "Microsoft refused the hub's certificate for the application {client}.",
             "Download the certificate from this connection and upload it under the app registration's Certificates "
             "& secrets > Certificates, then press Test connection again."),
    7000215: ("service_provider_secret", "The hub's own service-provider application's secret was refused.",
              "Set a current client secret of the hub's service-provider application in the hub's settings."),
    7000222: ("service_provider_secret", "The hub's own service-provider application's secret has expired.",
              "Create a new client secret for the hub's service-provider application and set it in the settings."),
    65001: ("consent_missing", "The administrator has not consented to a permission the hub asks for.",
            "Press Link account and accept the permissions the consent page lists."),
    50173: ("grant_revoked", "The delegated grant was revoked (the administrator's sessions were reset).",
            "Press Link account and sign in again as an administrator of the directory."),
    700082: ("grant_expired", "The delegated grant expired after a long time without use.",
             "Press Link account and sign in again as an administrator of the directory."),
    500011: ("resource_not_in_tenant", "A Microsoft service the connection uses is not available in the tenant.",
             "If the tenant has no Exchange Online, turn Exchange off for this connection; otherwise check the "
             "connection's national cloud."),
    700024: ("clock_skew", "Microsoft refused the sign-in because this machine's clock is wrong.",
             "Synchronise the machine's clock (NTP), then press Test connection again."),
    7000112: ("application_disabled", "The application {client} is disabled in the tenant {tenant}.",
              "Enable the application's enterprise application (Properties > Enabled for users to sign in)."),
    53003: ("conditional_access", "A Conditional Access policy of the tenant blocked the sign-in.",
            "Exclude the hub's application from the blocking Conditional Access policy."),
}  # fmt: skip


def token_problem(error: TokenError, *, tenant: str, client: str) -> Problem:
    """An MSAL refusal (an AADSTS code) as the administrator's problem."""
    reason = error.description.splitlines()[0] if error.description else error.code
    for code in error.codes:
        known = _TOKEN_PROBLEMS.get(code)
        if known is not None:
            name, message, next_step = known
            return Problem(name, f"{message.format(tenant=tenant, client=client)} ({reason})", next_step)
    if error.needs_new_link:
        return Problem(
            "needs_link", f"The delegated grant no longer works ({reason}).", "Press Link account and sign in again."
        )
    return Problem(
        "sign_in_refused",
        f"Microsoft refused the sign-in: {reason}",
        "Check the connection's tenant ID, client ID and national cloud against the app registration's Overview "
        "blade, then press Test connection again.",
    )


def graph_problem(error: GraphError, *, stage: Stage, cloud: Cloud | None) -> Problem:
    """A refusal of Graph or Exchange (other than the grants check's, which says more) as a problem."""
    service = "Exchange Online" if stage is Stage.EXCHANGE else "Microsoft Graph"
    said = f"{service} answered {error.status} {error.code}: {error.message}".rstrip(": ")
    if error.status == 401:
        return Problem(
            "token_refused",
            f"{said} (a fresh token was refused too).",
            f"Check that the connection's national cloud{f' ({cloud.display_name})' if cloud else ''} is the "
            "tenant's cloud, then press Test connection again.",
        )
    if error.status == 403:
        return Problem(
            "access_denied",
            said,
            "Grant the permissions and roles listed by this test in the Entra admin center, then press Test "
            "connection again.",
        )
    if error.status == 429 or error.status >= 500:
        return Problem("service_unavailable", said, RETRY_LATER)
    return Problem("refused", said, "Check the connection's settings, then press Test connection again.")


def diagnose(
    exc: BaseException, *, stage: Stage, cloud: Cloud | None = None, tenant: str = "", client: str = ""
) -> Problem:
    """Any exception met while testing or using a connection, as a problem with a next step."""
    if isinstance(exc, NeedsLink):
        return Problem("needs_link", exc.reason, "Press Link account and sign in as an administrator of the directory.")
    if isinstance(exc, MissingServiceProviderApp):
        return Problem(
            "no_service_provider_app",
            str(exc),
            f"Set {exc.setting}CLIENT_ID and {exc.setting}CLIENT_SECRET in the hub's environment and restart it.",
        )
    if isinstance(exc, TokenError):
        return token_problem(exc, tenant=tenant, client=client)
    if isinstance(exc, GraphError):
        return graph_problem(exc, stage=stage, cloud=cloud)
    kind = transport_kind(exc)
    if kind is not None:
        return _transport_problem(kind, failed_host(exc) or _host(cloud, stage))
    if isinstance(exc, ValueError) and "authority configuration" in str(exc):
        return Problem(
            "unknown_tenant",
            f"Microsoft has no directory {tenant or 'of that tenant ID'}"
            f"{f' in {cloud.display_name}' if cloud else ''} ({str(exc).splitlines()[0][:200]}).",
            "Copy the Directory (tenant) ID from the app registration's Overview blade into the connection, and "
            "check that the connection's national cloud is the one the tenant lives in.",
        )
    if isinstance(exc, HubError):
        return Problem("refused", str(exc), "Correct the connection's settings, then press Test connection again.")
    return Problem(
        "unexpected",
        f"An unexpected error: {type(exc).__name__}: {str(exc)[:300]}",
        "Press Test connection again; if it fails the same way, the hub's log has the details.",
    )


def token_roles(access_token: str) -> set[str] | None:
    """The application permissions an app-only access token says it carries (its ``roles`` claim), read without
    verifying the signature (the hub only explains with it); None when the token does not say."""
    parts = access_token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    roles = payload.get("roles") if isinstance(payload, dict) else None
    return {str(r) for r in roles} if isinstance(roles, list) else None


class DirectoryUnreachable(ConnectorUnavailable):
    """The directory could not be read or reached; the message says why and what to do."""


def is_directory_failure(exc: BaseException) -> bool:
    """Whether ``exc`` is the directory's doing (reaching Microsoft, signing in, Graph's or Exchange's answer), as
    opposed to the hub's own (its database): only those are explained to the administrator as the directory's."""
    if isinstance(exc, HubError | TokenError | GraphError):
        return True
    if isinstance(exc, ValueError) and "authority configuration" in str(exc):
        return True
    return transport_kind(exc) is not None


def directory_failure(exc: BaseException) -> HubError:
    """A failure of a directory call as a refusal every protocol answers (plan preview's console page, the CLI's
    ``{"error"}``): a refusal stays itself, anything else is diagnosed."""
    if isinstance(exc, HubError):
        return exc
    problem = diagnose(exc, stage=Stage.GRAPH)
    return DirectoryUnreachable(f"the directory could not be read: {problem.message} {problem.next_step}")
