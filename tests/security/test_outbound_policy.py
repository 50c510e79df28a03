"""The outbound policy: a URL a user gives the hub to fetch (a trusted issuer's JWKS URL) is https, carries no
credentials and names public addresses only (unless the operator allows the host by name), at registration and at
every connection; its answer is cut off at a size cap and a deadline.

Finding 3 of the red-team pass: ``jwks_uri`` was checked with ``startswith("https://")`` alone, so loopback,
link-local and private addresses and ``user:pass@`` URLs were registered and fetched, without a size cap.
"""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trustme
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from hirehub.db.session import Database
from hirehub.outbound import HostMap
from hirehub.outbound_policy import (
    IPAddress,
    OutboundPolicy,
    OutboundRefused,
    OutboundUnavailable,
    check_user_url,
)
from hirehub.security import admin
from hirehub.security.models import TrustedIssuer
from hirehub.settings import Settings, get_settings
from tests.api import conftest as api_fixtures
from tests.api.conftest import Hub, audit_count
from tests.cli import conftest as cli_fixtures
from tests.cli.support import hirehub
from tests.live_server import free_port, serving
from tests.security.conftest import Integration

hub = api_fixtures.hub  # the admin API in process, and a tenant whose app is a System Administrator
administrator = api_fixtures.administrator

PUBLIC = ipaddress.ip_address("93.184.215.14")
LOOPBACK = ipaddress.ip_address("127.0.0.1")

# The addresses the red team reached, in every spelling a resolver accepts.
FORBIDDEN_URLS = [
    "https://127.0.0.1:8443/keys",
    "https://localhost./keys",
    "https://[::1]/keys",
    "https://[::ffff:127.0.0.1]/keys",
    "https://[::ffff:7f00:1]/keys",
    "https://2130706433/keys",
    "https://0177.0.0.1/keys",
    "https://0x7f.0.0.1/keys",
    "https://127.1/keys",
    "https://169.254.169.254/latest/meta-data/",
    "https://[fe80::1]/keys",
    "https://10.0.0.5/keys",
    "https://172.16.0.1/keys",
    "https://192.168.1.1/keys",
    "https://[fd00::1]/keys",
    "https://100.64.0.1/keys",
    "https://224.0.0.1/keys",
    "https://[ff02::1]/keys",
    "https://0.0.0.0/keys",
    "https://[::]/keys",
    "https://240.0.0.1/keys",
    "https://255.255.255.255/keys",
    "https://[2002:7f00:1::]/keys",
    "https://[64:ff9b::7f00:1]/keys",
]


def resolving(answers: dict[str, list[IPAddress]]) -> OutboundPolicy:
    """A policy whose resolver answers from ``answers`` (and knows localhost), so no test needs DNS."""

    async def resolve(host: str, _port: int) -> list[IPAddress]:
        if host == "localhost":
            return [LOOPBACK]
        if host not in answers:
            raise OSError(f"{host} does not resolve")
        return answers[host]

    return OutboundPolicy(resolver=resolve)


# --- what the policy refuses and allows ---------------------------------------------------------------------


@pytest.mark.parametrize("url", FORBIDDEN_URLS)
async def test_a_url_naming_a_loopback_private_link_local_multicast_or_reserved_address_is_refused(url: str) -> None:
    with pytest.raises(OutboundRefused, match="not a public address"):
        await resolving({}).check(url)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://issuer.example/keys", "https"),
        ("ftp://issuer.example/keys", "https"),
        ("https://user:pass@issuer.example/keys", "user name or password"),
        ("https://token@issuer.example/keys", "user name or password"),
        ("https:///keys", "no host"),
        ("https://[fe80::1%25eth0]/keys", "network interface"),
        ("https://999.0.0.1/keys", "not a valid address"),
        ("https://issuer..example/keys", "not a valid host name"),
        ("https://issuer.example:99999/keys", "not a valid URL"),
    ],
)
async def test_a_url_that_is_not_plain_https_to_a_named_host_is_refused(url: str, words: str) -> None:
    with pytest.raises(OutboundRefused, match=words):
        await resolving({"issuer.example": [PUBLIC]}).check(url)


async def test_a_host_name_that_resolves_to_a_private_address_is_refused() -> None:
    policy = resolving({"intranet.example": [ipaddress.ip_address("10.1.2.3")]})
    with pytest.raises(OutboundRefused, match=r"intranet.example \(10.1.2.3\) is not a public address \(private\)"):
        await policy.check("https://intranet.example/keys")


async def test_a_host_name_with_one_loopback_address_among_public_ones_is_refused() -> None:
    policy = resolving({"mixed.example": [PUBLIC, ipaddress.ip_address("::1")]})
    with pytest.raises(OutboundRefused, match="loopback"):
        await policy.check("https://mixed.example/keys")


async def test_a_public_host_is_accepted() -> None:
    target = await resolving({"login.example": [PUBLIC]}).check("https://Login.Example./tid/discovery/v2.0/keys")
    assert (target.host, target.port) == ("login.example", 443)


async def test_a_host_the_operator_allows_by_name_is_accepted_whatever_it_resolves_to() -> None:
    base = resolving({"sts.corp.example": [ipaddress.ip_address("10.0.0.7")]})
    policy = OutboundPolicy(allowed_hosts=frozenset({"sts.corp.example"}), resolver=base.resolver)
    assert (await policy.check("https://sts.corp.example/keys")).host == "sts.corp.example"
    with pytest.raises(OutboundRefused):
        await policy.check("https://sts2.corp.example@10.0.0.7/keys")


async def test_an_origin_the_host_map_reroutes_is_accepted_and_its_stand_in_is_not_reachable_directly() -> None:
    policy = OutboundPolicy(host_map=HostMap({"https://login.microsoftonline.com": "https://127.0.0.1:9443"}))
    assert (await policy.check("https://login.microsoftonline.com/tid/discovery/v2.0/keys")).rerouted
    with pytest.raises(OutboundRefused, match="loopback"):
        await policy.check("https://127.0.0.1:9443/tid/discovery/v2.0/keys")


async def test_a_name_that_does_not_resolve_yet_is_registered_and_checked_again_when_fetched() -> None:
    target = await resolving({}).check("https://not-yet.example/keys")
    assert target.host == "not-yet.example"


def test_the_operator_names_allowed_hosts_in_a_comma_separated_setting() -> None:
    settings = Settings(outbound_allowed_hosts="sts.corp.example, Issuer.Sandbox.", outbound_host_map="")
    assert OutboundPolicy.from_settings(settings).allowed_hosts == {"sts.corp.example", "issuer.sandbox"}


# --- fetching: redirects, size cap, deadline ----------------------------------------------------------------


async def test_a_url_with_credentials_is_never_sent() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as http:
        with pytest.raises(OutboundRefused):
            await resolving({"issuer.example": [PUBLIC]}).fetch("https://u:p@issuer.example/keys", http)
    assert sent == []


async def test_an_answer_declaring_more_than_the_cap_is_refused_without_reading_it() -> None:
    policy = resolving({"issuer.example": [PUBLIC]})
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(5_000):
            pulled += 1
            yield b"x" * 65_536

    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(300 * 1024 * 1024)}, content=body())

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        with pytest.raises(OutboundRefused, match="larger than"):
            await policy.fetch("https://issuer.example/keys", http)
    assert pulled == 0


async def test_an_endless_answer_is_cut_off_at_the_cap() -> None:
    policy = resolving({"issuer.example": [PUBLIC]})
    pulled = 0

    async def body() -> AsyncIterator[bytes]:  # chunked: no Content-Length, 300 MB if read to the end
        nonlocal pulled
        for _ in range(4_800):
            pulled += 1
            yield b"x" * 65_536

    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda _r: httpx.Response(200, content=body()))) as http:
        with pytest.raises(OutboundRefused, match="larger than"):
            await policy.fetch("https://issuer.example/keys", http)
    assert pulled <= policy.max_response_bytes // 65_536 + 1


async def test_a_compressed_answer_is_refused_without_inflating_it() -> None:
    bomb = gzip.compress(b" " * (64 * 1024 * 1024))  # 64 MB in about 64 KB
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.headers["Accept-Encoding"])
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=bomb)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        with pytest.raises(OutboundRefused, match="compressed"):
            await resolving({"issuer.example": [PUBLIC]}).fetch("https://issuer.example/keys", http)
    assert asked == ["identity"]


async def test_an_answer_that_does_not_come_within_the_deadline_is_unavailable() -> None:
    base = resolving({"slow.example": [PUBLIC]})
    policy = OutboundPolicy(resolver=base.resolver, deadline=0.05)

    async def never(_request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async with httpx.AsyncClient(transport=httpx.MockTransport(never)) as http:
        with pytest.raises(OutboundUnavailable, match=r"no complete answer within 0\.05 seconds"):
            await policy.fetch("https://slow.example/keys", http)


async def test_a_redirect_is_not_followed() -> None:
    policy = resolving({"issuer.example": [PUBLIC]})
    redirect = httpx.Response(302, headers={"Location": "https://127.0.0.1/keys"})
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda _r: redirect), follow_redirects=False) as http:
        with pytest.raises(OutboundUnavailable, match="HTTP 302"):
            await policy.fetch("https://issuer.example/keys", http)


# --- over a real connection: the address connected to is the one checked ----------------------------------


@dataclass(frozen=True)
class IssuerServer:
    port: int
    context: ssl.SSLContext
    ca_file: str


@pytest.fixture(scope="module")
def issuer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IssuerServer]:
    """A TLS server on loopback holding a certificate for ``issuer.test`` and 127.0.0.1 (a sandbox's stand-in):
    a key set, and an endless answer."""
    authority = trustme.CA()
    certificate = authority.issue_cert("issuer.test", "127.0.0.1")
    folder: Path = tmp_path_factory.mktemp("issuer")
    cert_file, key_file, ca_file = folder / "cert.pem", folder / "key.pem", folder / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    certificate.cert_chain_pems[0].write_to_path(str(cert_file))
    certificate.private_key_pem.write_to_path(str(key_file))

    async def keys(_request: Request) -> JSONResponse:
        return JSONResponse({"keys": []})

    async def endless(_request: Request) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(4_800):  # 300 MB
                yield b" " * 65_536

        return StreamingResponse(chunks(), media_type="application/json")

    app = Starlette(routes=[Route("/keys", keys), Route("/endless", endless)])
    port = free_port()
    context = ssl.create_default_context()
    authority.configure_trust(context)
    with serving(app, port, ssl_certfile=str(cert_file), ssl_keyfile=str(key_file)):
        yield IssuerServer(port, context, str(ca_file))


def _policy_resolving_issuer_to(
    answers: list[list[IPAddress]], *, allowed: frozenset[str] = frozenset()
) -> OutboundPolicy:
    """``issuer.test`` resolves to each of ``answers`` in turn (the last one from then on): a rebinding name."""
    calls = 0

    async def resolve(host: str, _port: int) -> list[IPAddress]:
        nonlocal calls
        if host != "issuer.test":
            raise OSError(host)
        calls += 1
        return answers[min(calls, len(answers)) - 1]

    return OutboundPolicy(allowed_hosts=allowed, resolver=resolve)


async def test_a_host_allowed_by_name_is_fetched_at_the_address_resolved_with_its_own_tls_name(
    issuer_server: IssuerServer,
) -> None:
    port, context = issuer_server.port, issuer_server.context
    policy = _policy_resolving_issuer_to([[LOOPBACK]], allowed=frozenset({"issuer.test"}))
    async with policy.client(verify=context) as http:
        assert await policy.fetch(f"https://issuer.test:{port}/keys", http) == b'{"keys":[]}'


async def test_a_name_that_rebinds_to_loopback_after_the_check_is_refused_at_the_connection(
    issuer_server: IssuerServer,
) -> None:
    port, context = issuer_server.port, issuer_server.context
    policy = _policy_resolving_issuer_to([[PUBLIC], [LOOPBACK]])
    async with policy.client(verify=context) as http:
        with pytest.raises(OutboundRefused, match="loopback"):
            await policy.fetch(f"https://issuer.test:{port}/keys", http)


async def test_an_endless_answer_over_the_network_is_cut_off_at_the_cap(
    issuer_server: IssuerServer,
) -> None:
    port, context = issuer_server.port, issuer_server.context
    policy = _policy_resolving_issuer_to([[LOOPBACK]], allowed=frozenset({"issuer.test"}))
    async with policy.client(verify=context) as http:
        with pytest.raises(OutboundRefused, match=f"larger than {policy.max_response_bytes} bytes"):
            await policy.fetch(f"https://issuer.test:{port}/endless", http)


async def test_an_origin_the_host_map_sends_to_a_loopback_stand_in_is_fetched_there(
    issuer_server: IssuerServer,
) -> None:
    settings = Settings(
        outbound_host_map={"https://login.example": f"https://127.0.0.1:{issuer_server.port}"},
        outbound_ca_bundle=issuer_server.ca_file,
    )
    policy = OutboundPolicy.from_settings(settings)
    assert await policy.fetch("https://login.example/keys") == b'{"keys":[]}'


# --- registration answers 400 naming jwks_uri, and stores nothing -------------------------------------------


async def _trusted_count(database: Database, integration: Integration) -> int:
    async with database.tenant_session(integration.tenant_id) as session:
        return int(await session.scalar(select(func.count()).select_from(TrustedIssuer)) or 0)


@pytest.mark.parametrize(
    ("jwks_uri", "words"),
    [
        ("https://127.0.0.1:8443/keys", "loopback"),
        ("https://[::1]/keys", "loopback"),
        ("https://[::ffff:127.0.0.1]/keys", "loopback"),
        ("https://2130706433/keys", "loopback"),
        ("https://169.254.169.254/metadata/identity", "link-local"),
        ("https://10.0.0.5/keys", "private"),
        ("https://admin:hunter2@login.example/keys", "user name or password"),
    ],
)
async def test_registering_a_jwks_url_the_policy_refuses_answers_400_naming_jwks_uri_and_stores_nothing(
    hub: Hub,
    database: Database,
    administrator: Integration,
    jwks_uri: str,
    words: str,
) -> None:
    headers = await hub.bearer(administrator)
    before = await audit_count(database, administrator.tenant_id)
    body = {"issuer": "https://login.example/tid/v2.0", "jwks_uri": jwks_uri, "audiences": ["api://hirehub"]}
    response = await hub.client.post("/admin/v1/trusted-issuers", json=body, headers=headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "jwks_uri"
    assert words in response.json()["detail"]
    assert await _trusted_count(database, administrator) == 0
    assert await audit_count(database, administrator.tenant_id) == before


async def test_the_registration_check_names_the_field_it_was_given() -> None:
    with pytest.raises(OutboundRefused) as refused:
        await check_user_url("https://[::1]/keys", field="jwks_uri", policy=resolving({}))
    assert refused.value.field == "jwks_uri"


async def test_a_jwks_url_resolving_to_a_private_address_is_refused_by_the_set_up_function(
    database: Database,
    administrator: Integration,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("hirehub.outbound_policy.operator_policy", lambda: resolving({"sts.example": [LOOPBACK]}))
    async with database.tenant_session(administrator.tenant_id) as session:
        with pytest.raises(OutboundRefused, match="loopback"):
            await admin.add_trusted_issuer(
                session, "https://sts.example/v2.0", "https://sts.example/keys", ["api://hirehub"]
            )


# --- the operator's command: the same policy, and the setting that allows a host ---------------------------

hub_database = cli_fixtures.hub_database  # the real command against a private, empty database
ISSUER_ARGS = ("--issuer", "https://sts.corp.example/v2.0", "--audience", "api://hirehub")


def test_the_command_refuses_a_jwks_url_at_the_metadata_address_and_stores_nothing(hub_database: str) -> None:
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    refused = hirehub("trusted-issuer", "add", "--tenant", "contoso.example", *ISSUER_ARGS,
                      "--jwks-uri", "https://169.254.169.254/metadata/keys", expect=1)  # fmt: skip
    assert "link-local" in refused["error"]
    assert hirehub("trusted-issuer", "list", "--tenant", "contoso.example") == {"trusted_issuers": []}


def test_an_intranet_issuer_the_operator_allows_by_name_is_registered(
    hub_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIREHUB_OUTBOUND_ALLOWED_HOSTS", "10.20.30.40, sts.corp.example")
    get_settings.cache_clear()
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    added = hirehub("trusted-issuer", "add", "--tenant", "contoso.example", *ISSUER_ARGS,
                    "--jwks-uri", "https://10.20.30.40/keys")  # fmt: skip
    assert added["jwks_uri"] == "https://10.20.30.40/keys"
