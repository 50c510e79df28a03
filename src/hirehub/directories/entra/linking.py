"""*Link account*: the delegated (service-provider) connection's authorization-code flow with PKCE.

The administrator is sent to Microsoft's consent page for the scopes Hire2Retire's Entra ID connection guide names; the
callback redeems the code through MSAL, whose token cache (holding the refresh token) is stored encrypted on the
connection. Afterwards tokens are renewed silently from that cache. When renewal fails in a way only an administrator
can fix (grant revoked or expired, a scope never consented), the connection is marked ``needs_link`` and
:class:`NeedsLink` is raised, so jobs pause instead of failing.

Completing a link is what those paused jobs wait for, but a connector does not reach up into the job queue:
:func:`complete_link` returns a :class:`LinkCompleted`, and its caller (the console, the CLI) resumes the
paused work in the same transaction.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msal
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.directories.entra.clouds import cloud as cloud_named
from hirehub.directories.entra.models import ConnectionStatus, EntraConnection, EntraLinkFlow
from hirehub.directories.entra.msal_client import OutboundConfig, SecretBox, TokenError, secret_app
from hirehub.directories.entra.permissions import DELEGATED_SCOPES
from hirehub.errors import Conflict, Unavailable

FLOW_LIFETIME = timedelta(minutes=15)


class LinkError(Conflict):
    """The link could not be completed; the message says what the administrator should do."""


class NeedsLink(Unavailable):
    """The delegated grant no longer works; an administrator must use *Link account* again."""

    def __init__(self, connection_id: uuid.UUID, reason: str) -> None:
        super().__init__(reason)
        self.connection_id = connection_id
        self.reason = reason


@dataclass(frozen=True)
class LinkCompleted:
    """A delegated connection linked and active again: the provisioning paused for it can resume now
    (``hirehub.jobs.queue.resume_paused`` in the caller's transaction)."""

    connection: EntraConnection


@dataclass(frozen=True)
class ServiceProviderApp:
    """The hub's own multi-tenant application, which administrators delegate access to (one per national cloud:
    an application exists in the cloud it was registered in)."""

    client_id: str
    client_secret: str
    redirect_uri: str


class MissingServiceProviderApp(Conflict):
    """The hub has no service-provider application in the connection's cloud; ``setting`` names what to set."""

    def __init__(self, cloud_name: str) -> None:
        cloud = cloud_named(cloud_name)
        self.setting = cloud.service_provider_setting
        super().__init__(
            f"the hub has no service-provider application for {cloud.display_name}: register one in that cloud and "
            f"set {self.setting}CLIENT_ID and {self.setting}CLIENT_SECRET",
            field="cloud",
        )


def _app(
    connection: EntraConnection,
    sp: ServiceProviderApp,
    outbound: OutboundConfig,
    cache: msal.SerializableTokenCache | None = None,
) -> msal.ConfidentialClientApplication:
    return secret_app(
        cloud=cloud_named(connection.cloud),
        authority_tenant=connection.directory_tenant_id,
        client_id=sp.client_id,
        client_secret=sp.client_secret,
        outbound=outbound,
        token_cache=cache,
    )


def _scopes(connection: EntraConnection, extra: tuple[str, ...] = ()) -> list[str]:
    # MSAL adds openid/profile/offline_access itself and refuses them in the list.
    names = tuple(s for s in (*DELEGATED_SCOPES, *extra) if s != "offline_access")
    return cloud_named(connection.cloud).delegated_scopes(names)


def _consent_scopes(connection: EntraConnection, extra: tuple[str, ...] = ()) -> list[str]:
    """What *Link account* asks consent for: the Graph scopes, and Exchange's own when the connection uses Exchange.

    The authorization request may name several resources (consent is given once for all of them); a token
    request names one, so the code is redeemed for Graph and Exchange's token comes from the refresh token.
    """
    scopes = _scopes(connection, extra)
    if connection.exchange_enabled:
        scopes.append(cloud_named(connection.cloud).exchange_delegated_scope)
    return scopes


def _token_scopes(connection: EntraConnection, scope: str | None, extra: tuple[str, ...]) -> list[str]:
    """The delegated scopes of a token request for ``scope``'s resource: Graph's named scopes, or ``scope``."""
    if scope is None or scope == cloud_named(connection.cloud).graph_scope:
        return _scopes(connection, extra)
    return [scope]


async def start_link(
    session: AsyncSession,
    connection: EntraConnection,
    *,
    sp: ServiceProviderApp,
    outbound: OutboundConfig,
    box: SecretBox,
    now: datetime,
    extra_scopes: tuple[str, ...] = (),
) -> str:
    """Begin the flow; returns the URL to send the administrator's browser to."""
    flow = await asyncio.to_thread(
        _app(connection, sp, outbound).initiate_auth_code_flow,
        _consent_scopes(connection, extra_scopes),
        redirect_uri=sp.redirect_uri,
        prompt="consent",
    )
    session.add(
        EntraLinkFlow(
            state=flow["state"],
            connection_id=connection.id,
            flow_encrypted=box.seal(json.dumps(flow)),
            expires_at=now + FLOW_LIFETIME,
        )
    )
    await session.flush()
    return str(flow["auth_uri"])


async def complete_link(
    session: AsyncSession,
    auth_response: dict[str, str],
    *,
    sp: ServiceProviderApp | Callable[[str], ServiceProviderApp],
    outbound: OutboundConfig,
    box: SecretBox,
    now: datetime,
) -> LinkCompleted:
    """Redeem the callback's code; the connection becomes active with its token cache stored.

    A refusal raises :class:`LinkError` after recording itself (the flow consumed, the connection marked
    ``needs_link``): catch it inside the transaction, as the console does, so that record is committed. ``sp`` may
    be the hub's app of each cloud by cloud name (the callback learns the connection only from the flow).
    """
    state = auth_response.get("state", "")
    pending = await session.scalar(select(EntraLinkFlow).where(EntraLinkFlow.state == state))
    if pending is None:
        raise LinkError("this sign-in link is unknown or was already used: start Link account again")
    await session.delete(pending)
    if pending.expires_at < now:
        raise LinkError("this sign-in link expired: start Link account again")
    connection = await session.get_one(EntraConnection, pending.connection_id)
    if "error" in auth_response:
        connection.status = ConnectionStatus.NEEDS_LINK
        connection.status_detail = f"consent was not given ({auth_response['error']})"
        await session.flush()
        raise LinkError(f"Microsoft returned {auth_response['error']}: {auth_response.get('error_description', '')}")
    cache = msal.SerializableTokenCache()
    app = _app(connection, sp if isinstance(sp, ServiceProviderApp) else sp(connection.cloud), outbound, cache)
    flow: dict[str, Any] = json.loads(box.open(pending.flow_encrypted))
    result = await asyncio.to_thread(
        app.acquire_token_by_auth_code_flow, flow, auth_response, scopes=_scopes(connection)
    )
    if "access_token" not in result:
        raise LinkError(str(TokenError(result)))
    claims = result.get("id_token_claims", {})
    connection.linked_account = claims.get("preferred_username") or claims.get("upn") or claims.get("oid")
    connection.granted_scopes = sorted(str(result.get("scope", "")).split())
    connection.token_cache_encrypted = box.seal(cache.serialize())
    connection.status = ConnectionStatus.ACTIVE
    connection.status_detail = None
    return LinkCompleted(connection)


async def delegated_token(
    connection: EntraConnection,
    *,
    sp: ServiceProviderApp,
    outbound: OutboundConfig,
    box: SecretBox,
    scope: str | None = None,
    extra_scopes: tuple[str, ...] = (),
    force_refresh: bool = False,
) -> str:
    """An access token for ``scope``'s resource (Graph when None) renewed silently from the stored cache;
    :class:`NeedsLink` if that is impossible.

    A refresh token is good for every resource the administrator consented to, so Exchange's token comes from
    the same cache as Graph's. ``force_refresh`` skips the cached access token: after a 401, or when *Test
    connection* wants what the grants are now. The connection row is updated in place (new cache, or
    ``needs_link``); the caller commits it.
    """
    if not connection.token_cache_encrypted:
        connection.status = ConnectionStatus.NEEDS_LINK
        raise NeedsLink(connection.id, "the connection was never linked: use Link account")
    cache = msal.SerializableTokenCache()
    cache.deserialize(box.open(connection.token_cache_encrypted))
    app = _app(connection, sp, outbound, cache)
    accounts = app.get_accounts()
    scopes = _token_scopes(connection, scope, extra_scopes)
    result = (
        await asyncio.to_thread(
            app.acquire_token_silent_with_error, scopes, account=accounts[0], force_refresh=force_refresh
        )
        if accounts
        else None
    )
    if cache.has_state_changed:
        connection.token_cache_encrypted = box.seal(cache.serialize())
    if result and "access_token" in result:
        return str(result["access_token"])
    error = TokenError(result or {"error": "invalid_grant", "error_description": "no cached account"})
    connection.status = ConnectionStatus.NEEDS_LINK
    connection.status_detail = f"the delegated grant no longer works ({error.code}): use Link account again"
    raise NeedsLink(connection.id, connection.status_detail)
