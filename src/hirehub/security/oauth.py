"""The token endpoint's logic: authenticate a client (secret or certificate assertion) and issue a token.

Framework-free: the route hands in the form, the Basic credentials and the caller's address; every refusal
is an :class:`OAuthError` carrying Microsoft's status, error and AADSTS code.

Guesses are throttled (:mod:`hirehub.throttling`) per client ID and per source. A client assertion must name
this hub's token endpoint, as configured (never the Host a request carries), live at most
:data:`MAX_ASSERTION_LIFETIME`, and is single-use (:mod:`hirehub.security.replay`).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import jwt
from cryptography import x509
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.session import Database
from hirehub.security.apps import hash_secret
from hirehub.security.keys import CLOCK_SKEW, KeyRing
from hirehub.security.models import AppCredential, AppRegistration, ServicePrincipal
from hirehub.security.oauth_errors import (
    OAuthError,
    invalid_client,
    invalid_request,
    missing_parameter,
    tenant_not_found,
    unknown_application,
)
from hirehub.security.replay import first_use
from hirehub.tenancy.models import Tenant
from hirehub.tenancy.service import TenantNotFound, find_tenant
from hirehub.throttling import Counter, Lockout, Throttle, ThrottlePolicy

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ("RS256", "PS256")
MAX_ASSERTION_LIFETIME = timedelta(minutes=10)
"""From ``nbf`` (or ``iat``) to ``exp``: Entra's guidance is five to ten minutes, and MSAL signs for ten."""
TOKEN_THROTTLE = ThrottlePolicy(account_from_source=10, source=100, account=100)
"""Entra's smart lockout locks after ten failures; a source or a client ID meets a limit ten times higher."""
GUESSES = frozenset({"invalid_client", "unauthorized_client"})
"""The refusals that count as a failed guess: a wrong credential, an unknown client ID."""


@dataclass
class Throttled(OAuthError):
    """A token request refused before its credential is checked; ``Retry-After`` says when to come back."""

    retry_after: int = 1


def throttled(lockout: Lockout, client_id: str, now: datetime) -> Throttled:
    wait = lockout.retry_after(now)
    if lockout.counter is Counter.SOURCE:
        return Throttled(
            429, "temporarily_unavailable", 90055,
            f"Too many failed token requests from this address. Try again in {wait} seconds.", retry_after=wait,
        )  # fmt: skip
    return Throttled(
        429, "invalid_client", 50053,
        f"The client application {client_id} is locked because it presented an incorrect credential too many "
        f"times. Try again in {wait} seconds.",
        retry_after=wait,
    )  # fmt: skip


@dataclass(frozen=True)
class TokenRequest:
    tenant: str
    form: Mapping[str, str]
    basic: tuple[str, str] | None
    source: str  # the caller's address, for throttling


@dataclass(frozen=True)
class Client:
    app: AppRegistration
    tenant: Tenant
    service_principal: ServicePrincipal
    method: str  # "1" secret, "2" certificate (the azpacr claim)


def issuer_for(base_url: str, tenant_id: uuid.UUID) -> str:
    return f"{base_url}/{tenant_id}/v2.0"


class TokenService:
    def __init__(self, database: Database, keys: KeyRing, base_url: str, throttle: Throttle | None = None) -> None:
        self.database = database
        self.keys = keys
        self.base_url = base_url.rstrip("/")
        self.throttle = throttle or Throttle(database, "token", TOKEN_THROTTLE)

    async def issue(self, request: TokenRequest, now: datetime) -> dict[str, Any]:
        form = request.form
        grant_type = form.get("grant_type")
        if not grant_type:
            raise missing_parameter("grant_type")
        if grant_type != "client_credentials":
            raise OAuthError(
                400, "unsupported_grant_type", 70003,
                f"The app requested an unsupported grant type '{grant_type}'. This authority issues tokens for the "
                "client_credentials grant only.",
            )  # fmt: skip
        client_id = form.get("client_id") or (request.basic[0] if request.basic else None)
        if not client_id:
            raise missing_parameter("client_id")
        scope = form.get("scope")
        if not scope:
            raise missing_parameter("scope")
        self._check_scope(scope)
        client_id = client_id.strip()
        standing = await self.throttle.standing(account=client_id, source=request.source, now=now)
        if standing.lockout is not None:
            raise throttled(standing.lockout, client_id, now)
        try:
            async with self.database.system_transaction() as session:
                client = await self._authenticate(session, request, client_id, now)
        except OAuthError as exc:
            if exc.error in GUESSES:
                await self.throttle.failed(account=client_id, source=request.source, now=now)
            raise
        if standing.failed_before:
            await self.throttle.succeeded(account=client_id, source=request.source)
        return await self._token(client, now)

    def _check_scope(self, scope: str) -> None:
        resource = default_scope_resource(scope)
        if resource.lower() != self.base_url.lower():
            raise OAuthError(
                400, "invalid_resource", 500011,
                f"The resource principal named {resource} was not found in the tenant. This can happen if the "
                f"application has not been installed by the administrator of the tenant. This authority issues "
                f"tokens for {self.base_url}.",
            )  # fmt: skip

    async def _authenticate(
        self, session: AsyncSession, request: TokenRequest, client_id: str, now: datetime
    ) -> Client:
        try:
            tenant = await find_tenant(session, request.tenant)
        except TenantNotFound:
            raise tenant_not_found(request.tenant) from None
        try:
            key = uuid.UUID(client_id)
        except ValueError:
            raise unknown_application(client_id, str(tenant.id)) from None
        app = await session.scalar(select(AppRegistration).where(AppRegistration.client_id == key))
        if app is None or (app.tenant_id != tenant.id and not app.multi_tenant):
            raise unknown_application(client_id, str(tenant.id))
        principal = await session.scalar(
            select(ServicePrincipal).where(
                ServicePrincipal.tenant_id == tenant.id, ServicePrincipal.app_client_id == key
            )
        )
        if principal is None:
            raise invalid_client(
                7000229,
                f"The client application {client_id} is missing service principal in the tenant {tenant.id}. An "
                "administrator of the tenant must consent to the application first.",
            )
        # The platform's session sees every tenant: the app's credentials are those of its tenant and its id.
        owned = (AppCredential.tenant_id == app.tenant_id, AppCredential.app_id == app.id)
        credentials = list(await session.scalars(select(AppCredential).where(*owned)))
        secret = request.form.get("client_secret") or (request.basic[1] if request.basic else None)
        assertion = request.form.get("client_assertion")
        if secret:
            self._check_secret(client_id, secret, credentials, now)
            method = "1"
        elif assertion:
            if request.form.get("client_assertion_type") != ASSERTION_TYPE:
                raise invalid_request(
                    50027, f"client_assertion_type must be '{ASSERTION_TYPE}' when a client_assertion is sent."
                )
            jti, expires = self._check_assertion(tenant, client_id, assertion, credentials, now)
            if not await first_use(session, client_id=client_id, jti=jti, expires_at=expires + CLOCK_SKEW, now=now):
                raise invalid_client(
                    50027, "JWT token is invalid: the client assertion was presented before (its jti). Sign a new "
                    "assertion for each token request.",
                )  # fmt: skip
            method = "2"
        else:
            raise invalid_client(
                7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
            )
        return Client(app, tenant, principal, method)

    @staticmethod
    def _check_secret(client_id: str, secret: str, credentials: list[AppCredential], now: datetime) -> None:
        digest = hash_secret(secret)
        match = next((c for c in credentials if c.secret_hash and hmac.compare_digest(c.secret_hash, digest)), None)
        if match is None or match.revoked_at is not None:
            raise invalid_client(
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
                f"value, not the client secret ID, for a secret added to app '{client_id}'.",
            )
        if match.expires_at <= now:
            raise invalid_client(7000222, f"The provided client secret keys for app '{client_id}' are expired.")

    def _check_assertion(
        self, tenant: Tenant, client_id: str, assertion: str, credentials: list[AppCredential], now: datetime
    ) -> tuple[str, datetime]:
        """Check a signed assertion; returns its ``jti`` and expiry, for the single-use check."""
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            raise invalid_client(50027, "JWT token is invalid or malformed (the client assertion).") from None
        algorithm = header.get("alg")
        if algorithm not in ASSERTION_ALGORITHMS:
            raise invalid_client(
                5002738, f"The client assertion is signed with '{algorithm}'; only RS256 and PS256 are accepted."
            )
        thumbprint, column = _thumbprint(header)
        key_used = f"Thumbprint of key used by client: '{thumbprint}'"
        credential = next((c for c in credentials if getattr(c, column) == thumbprint), None)
        if credential is None:
            raise invalid_client(
                700027,
                f"Client assertion failed signature validation. [Reason - The key was not found., {key_used}, "
                "Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for "
                f"app Id '{client_id}'.]",
            )
        if credential.revoked_at is not None:
            raise invalid_client(7000214, f"Certificate has been revoked. [{key_used}]")
        if not credential.starts_at - CLOCK_SKEW <= now <= credential.expires_at:
            raise invalid_client(
                700027,
                f"Client assertion contains an invalid signature. [Reason - The key used is expired., {key_used}]",
            )
        assert credential.certificate_der is not None
        public_key = x509.load_der_x509_certificate(credential.certificate_der).public_key()
        claims = signed_claims(assertion, public_key, algorithm=algorithm, key_used=key_used)
        return self._check_assertion_claims(claims, tenant, client_id, now)

    def token_endpoints(self, tenant: Tenant) -> set[str]:
        """The audiences an assertion may name: this hub's token endpoint, by tenant GUID or domain name."""
        return {f"{self.base_url}/{t}/oauth2/v2.0/token".lower() for t in (str(tenant.id), tenant.domain)}

    def _check_assertion_claims(
        self, claims: Mapping[str, Any], tenant: Tenant, client_id: str, now: datetime
    ) -> tuple[str, datetime]:
        for name in ("aud", "iss", "sub", "exp", "jti"):
            if name not in claims:
                raise invalid_client(50027, f"JWT token is invalid or malformed: the client assertion has no '{name}'.")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        accepted = self.token_endpoints(tenant)
        if not any(str(a).lower() in accepted for a in audiences):
            raise invalid_client(
                700212, f"The client assertion's audience {claims['aud']!r} is not this token endpoint "
                f"({self.base_url}/{tenant.id}/oauth2/v2.0/token).",
            )  # fmt: skip
        if claims["iss"] != client_id or claims["sub"] != client_id:
            raise invalid_client(700021, "The client assertion's iss and sub must both be the client ID.")
        if not isinstance(claims["jti"], str) or not claims["jti"]:
            raise invalid_client(50027, "JWT token is invalid or malformed: the client assertion's jti is a string.")
        if "nbf" not in claims and "iat" not in claims:
            raise invalid_client(50027, "JWT token is invalid or malformed: the client assertion has no 'nbf'.")
        try:
            expires = _timestamp(claims["exp"])
            not_before = _timestamp(claims.get("nbf", claims.get("iat")))
        except (TypeError, ValueError, OverflowError, OSError):
            raise invalid_client(50027, "JWT token is invalid or malformed: exp, nbf and iat are numbers.") from None
        if expires - not_before > MAX_ASSERTION_LIFETIME:
            raise invalid_client(
                700024,
                f"Client assertion is not within its valid time range: it is valid from "
                f"{not_before:%Y-%m-%dT%H:%M:%SZ} to {expires:%Y-%m-%dT%H:%M:%SZ}, longer than the "
                f"{MAX_ASSERTION_LIFETIME.total_seconds() // 60:.0f} minutes this authority accepts. Sign assertions "
                "that expire shortly after they are issued.",
            )
        if expires + CLOCK_SKEW < now or not_before - CLOCK_SKEW > now:
            raise invalid_client(
                700024,
                f"Client assertion is not within its valid time range. Current time: {now:%Y-%m-%dT%H:%M:%S.%fZ}, "
                f"assertion valid from {not_before:%Y-%m-%dT%H:%M:%SZ}, expiry time of assertion "
                f"{expires:%Y-%m-%dT%H:%M:%SZ}.",
            )
        return claims["jti"], expires

    async def _token(self, client: Client, now: datetime) -> dict[str, Any]:
        key = await self.keys.signing_key(now)
        lifetime = self.keys.policy.token_lifetime
        issued = int(now.timestamp())
        claims = {
            "aud": self.base_url,
            "iss": issuer_for(self.base_url, client.tenant.id),
            "iat": issued,
            "nbf": issued,
            "exp": issued + int(lifetime.total_seconds()),
            "aio": uuid.uuid4().hex,
            "azp": str(client.app.client_id),
            "azpacr": client.method,
            "idp": issuer_for(self.base_url, client.tenant.id).removesuffix("/v2.0"),
            "idtyp": "app",
            "oid": str(client.service_principal.object_id),
            "rh": "0.hirehub",
            "roles": [],
            "sub": str(client.service_principal.object_id),
            "tid": str(client.tenant.id),
            "uti": uuid.uuid4().hex[:22],
            "ver": "2.0",
        }
        token = jwt.encode(claims, key.private, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"})
        return {"token_type": "Bearer", "expires_in": int(lifetime.total_seconds()), "ext_expires_in":
                int(lifetime.total_seconds()), "access_token": token}  # fmt: skip


def signed_claims(assertion: str, public_key: Any, *, algorithm: str, key_used: str) -> dict[str, Any]:
    """The claims of a client assertion whose signature ``public_key`` verifies (AADSTS700027 otherwise); its
    audience and times are the caller's to check, each with Entra's own refusal."""
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion, public_key, algorithms=[algorithm],
            options={"verify_aud": False, "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )  # fmt: skip
    except jwt.PyJWTError:
        raise invalid_client(
            700027, f"Client assertion contains an invalid signature. [Reason - The signature is invalid., {key_used}]"
        ) from None
    return claims


def default_scope_resource(scope: str) -> str:
    """The resource a client-credentials request asks for: its one ``{resource}/.default`` scope, as Entra
    requires (AADSTS1002012 otherwise)."""
    scopes = scope.split()
    if len(scopes) != 1 or not scopes[0].endswith("/.default"):
        raise OAuthError(
            400, "invalid_scope", 1002012,
            f"The provided value for scope {scope} is not valid. Client credential flows must have a scope value "
            "with /.default suffixed to the resource identifier (application ID URI).",
        )  # fmt: skip
    return scopes[0][: -len("/.default")].rstrip("/")


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """The client ID and secret of an ``Authorization: Basic`` header (``client_secret_basic``, RFC 6749 §2.3.1:
    each part form-encoded before joining), or None when the header carries none."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def _thumbprint(header: Mapping[str, Any]) -> tuple[str, str]:
    """The certificate thumbprint named by ``x5t#S256`` or ``x5t`` (MSAL pads its base64url), as hex."""
    for name, column, size in (("x5t#S256", "thumbprint_sha256", 32), ("x5t", "thumbprint_sha1", 20)):
        value = header.get(name)
        if isinstance(value, str) and value:
            try:
                raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            except (binascii.Error, ValueError):
                break
            if len(raw) == size:
                return raw.hex().upper(), column
            break
    raise invalid_client(
        700027, "Client assertion failed signature validation. [Reason - The header names no certificate (x5t).]"
    )


def _timestamp(value: Any) -> datetime:
    return datetime.fromtimestamp(float(value), UTC)
