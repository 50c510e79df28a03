"""MSAL, configured per connection: the one way the hub obtains Microsoft tokens.

MSAL knows every national cloud's authority and MSAL's own token cache renews delegated tokens with
their refresh token, so the hub does not reimplement either. MSAL is synchronous (requests); calls run
in a worker thread. Its ``http_client`` is the host-mapped session from :mod:`hirehub.outbound`, the
documented extension point, so tests reach the sandbox while MSAL sees the real authority URLs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol

import msal

from hirehub.directories.entra.certificates import thumbprints
from hirehub.directories.entra.clouds import Cloud
from hirehub.outbound import HostMap, requests_session


class SecretBox(Protocol):
    """Encrypts secrets at rest (private keys, token caches) and opens them again."""

    def seal(self, plaintext: str) -> str: ...

    def open(self, sealed: str) -> str: ...


DEFAULT_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class OutboundConfig:
    """How outbound calls leave the hub: the host map (tests, demos), the CA bundle to trust, and how long to wait
    for an answer (requests waits forever unless told, and MSAL does not tell it)."""

    host_map: HostMap
    verify: Any = True
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    def http_client(self) -> Any:
        session = requests_session(self.host_map or None, verify=self.verify)
        send = session.request

        def request(method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("timeout", self.timeout)
            return send(method, url, *args, **kwargs)

        session.request = request
        return session


class TokenError(Exception):
    """MSAL returned an error; ``code`` is the OAuth error and ``codes`` the AADSTS numbers."""

    def __init__(self, result: dict[str, Any]) -> None:
        self.code = str(result.get("error", "unknown_error"))
        self.description = str(result.get("error_description", ""))
        self.codes = [int(c) for c in result.get("error_codes", []) or []]
        super().__init__(f"{self.code}: {self.description.splitlines()[0] if self.description else ''}")

    @property
    def needs_new_link(self) -> bool:
        """A delegated grant that only an administrator can restore (revoked, expired, consent missing)."""
        return self.code in {"invalid_grant", "interaction_required", "consent_required"}


def certificate_app(
    *,
    cloud: Cloud,
    directory_tenant_id: str,
    client_id: str,
    certificate_pem: str,
    private_key_pem: str,
    outbound: OutboundConfig,
) -> msal.ConfidentialClientApplication:
    """A confidential client authenticating with the connection's certificate (SHA-1 thumbprint, RS256)."""
    sha1, _sha256 = thumbprints(certificate_pem)
    return msal.ConfidentialClientApplication(
        client_id,
        authority=cloud.authority(directory_tenant_id),
        client_credential={"private_key": private_key_pem, "thumbprint": sha1},
        http_client=outbound.http_client(),
    )


def secret_app(
    *,
    cloud: Cloud,
    authority_tenant: str,
    client_id: str,
    client_secret: str,
    outbound: OutboundConfig,
    token_cache: msal.SerializableTokenCache | None = None,
) -> msal.ConfidentialClientApplication:
    """A confidential client with a secret: the hub's own service-provider application."""
    return msal.ConfidentialClientApplication(
        client_id,
        authority=cloud.authority(authority_tenant),
        client_credential=client_secret,
        http_client=outbound.http_client(),
        token_cache=token_cache,
    )


async def app_token(app: msal.ConfidentialClientApplication, scope: str) -> str:
    """An app-only access token for ``scope`` (MSAL caches it in memory until it nears expiry)."""
    result = await asyncio.to_thread(app.acquire_token_for_client, scopes=[scope])
    if "access_token" not in result:
        raise TokenError(result)
    return str(result["access_token"])
