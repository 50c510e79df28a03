"""Entra ID's identity endpoints (Microsoft identity platform v2), emulated for every national cloud.

Unmodified MSAL and azure-identity talk to these endpoints exactly as they talk to Entra: instance discovery,
OpenID configuration, JWKS, the token endpoint (client credentials with a secret or a certificate assertion,
authorization code with PKCE, refresh token) and a plain sign-in + consent page behind ``/authorize``.

Which cloud is meant comes from the host the client *believes* it calls (``X-Original-Host``, set by
:mod:`hirehub.outbound`'s host map; ``Host`` otherwise): ``login.microsoftonline.us`` serves both US Government
clouds, so there the scope's host (``graph.microsoft.us`` or ``dod-graph.microsoft.us``) picks the audience.
Every URL the sandbox hands out (endpoints in discovery, issuers) is built on that original host, so clients keep
the real URLs and the host map keeps rerouting them.

Refusals carry Entra's AADSTS codes in Entra's JSON shape (``error_description`` with the trace id, correlation id
and timestamp on their own ``\\r\\n`` lines), because client libraries and the product parse exactly that.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from hirehub.directories.entra.clouds import CLOUDS, Cloud, CloudName
from hirehub.directories.entra.permissions import EXCHANGE_APP_ID, GRAPH_APP_ID
from hirehub.outbound import ORIGINAL_HOST_HEADER
from hirehub.sandbox.entra.sessions import (
    AUTHORIZATION_CODE_LIFETIME,
    PENDING_AUTHORIZATION_LIFETIME,
    REFRESH_TOKEN_INACTIVITY,
    AuthorizationCode,
    PendingAuthorization,
    RefreshGrant,
)
from hirehub.sandbox.entra.world import ACCESS_TOKEN_LIFETIME, Application, Directory, EntraWorld, Person
from hirehub.security.oauth import (
    ASSERTION_ALGORITHMS,
    ASSERTION_TYPE,
    _thumbprint,
    basic_credentials,
    default_scope_resource,
    signed_claims,
)
from hirehub.security.oauth_errors import (
    OAuthError,
    invalid_client,
    invalid_request,
    missing_parameter,
    tenant_not_found,
    unknown_application,
)

RESERVED_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
MULTI_TENANT_SEGMENTS = frozenset({"common", "organizations"})
ASSERTION_CLOCK_SKEW = 300.0

# Entra's own answer to instance discovery: every cloud's aliases, whichever host was asked about.
INSTANCE_METADATA: tuple[dict[str, Any], ...] = (
    {
        "preferred_network": "login.microsoftonline.com",
        "preferred_cache": "login.windows.net",
        "aliases": ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"],
    },
    {
        "preferred_network": "login.partner.microsoftonline.cn",
        "preferred_cache": "login.partner.microsoftonline.cn",
        "aliases": ["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"],
    },
    {
        "preferred_network": "login.microsoftonline.de",
        "preferred_cache": "login.microsoftonline.de",
        "aliases": ["login.microsoftonline.de"],
    },
    {
        "preferred_network": "login.microsoftonline.us",
        "preferred_cache": "login.microsoftonline.us",
        "aliases": ["login.microsoftonline.us", "login.usgovcloudapi.net"],
    },
    {
        "preferred_network": "login-us.microsoftonline.com",
        "preferred_cache": "login-us.microsoftonline.com",
        "aliases": ["login-us.microsoftonline.com"],
    },
)

_CLOUD_INSTANCE_NAMES = {
    CloudName.GLOBAL: ("microsoftonline.com", "NA"),
    CloudName.US_GOV_L4: ("microsoftonline.us", "USGov"),
    CloudName.US_GOV_L5_DOD: ("microsoftonline.us", "USGov"),
    CloudName.CHINA: ("partner.microsoftonline.cn", "AS"),
}

_GrantT = TypeVar("_GrantT", AuthorizationCode, RefreshGrant)
"""A code or a refresh token: what the token endpoint redeems."""


def authority_hosts() -> dict[str, tuple[Cloud, ...]]:
    """Each authority host (and its aliases) with the clouds it issues tokens for."""
    by_host: dict[str, list[Cloud]] = {}
    for each in CLOUDS.values():
        by_host.setdefault(each.authority_host, []).append(each)
    hosts = {host: tuple(clouds) for host, clouds in by_host.items()}
    for group in INSTANCE_METADATA:
        served = next((hosts[a] for a in group["aliases"] if a in hosts), None)
        if served is not None:
            for alias in group["aliases"]:
                hosts.setdefault(alias, served)
    return hosts


AUTHORITY_HOSTS = authority_hosts()


# -- errors ------------------------------------------------------------------------------------------------------
@dataclass
class EntraError(OAuthError):
    """An :class:`OAuthError` that may carry Entra's ``suberror`` (e.g. ``consent_required``)."""

    suberror: str | None = None


def invalid_grant(code: int, message: str, suberror: str | None = None) -> EntraError:
    return EntraError(400, "invalid_grant", code, message, suberror=suberror)


def error_body(exc: OAuthError, *, host: str, now: datetime, correlation_id: str | None) -> dict[str, Any]:
    """Entra's error JSON: the AADSTS code leads the description, which ends with trace, correlation and time."""
    stamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
    trace_id = str(uuid.uuid4())
    correlation = correlation_id or exc.correlation_id
    body: dict[str, Any] = {
        "error": exc.error,
        "error_description": (
            f"AADSTS{exc.code}: {exc.message}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation}\r\n"
            f"Timestamp: {stamp}"
        ),
        "error_codes": [exc.code],
        "timestamp": stamp,
        "trace_id": trace_id,
        "correlation_id": correlation,
        "error_uri": f"https://{host}/error?code={exc.code}",
    }
    if isinstance(exc, EntraError) and exc.suberror:
        body["suberror"] = exc.suberror
    return body


# -- who is calling, and which cloud they mean ---------------------------------------------------------------------
@dataclass(frozen=True)
class Caller:
    """The authority as the client sees it: ``host`` (``login.microsoftonline.us``), the base URL to build
    endpoint URLs on, and the clouds that host serves."""

    host: str
    base_url: str
    clouds: tuple[Cloud, ...]

    @classmethod
    def of(cls, request: Request) -> Caller:
        original = request.headers.get(ORIGINAL_HOST_HEADER)
        if original:
            host = original.strip().lower()
            base_url = f"https://{host}"
        else:
            host = request.headers.get("host", request.url.netloc).lower()
            base_url = str(request.base_url).rstrip("/")
        clouds = AUTHORITY_HOSTS.get(host.split(":")[0], (CLOUDS[CloudName.GLOBAL],))
        return cls(host, base_url, clouds)

    @property
    def default_cloud(self) -> Cloud:
        return self.clouds[0]

    def resource(self, host: str) -> tuple[str, str] | None:
        """``(resource app id, audience URL)`` for a Graph or Exchange host of this authority's clouds."""
        for each in self.clouds:
            if host == each.graph_host:
                return GRAPH_APP_ID, f"https://{host}"
            if host == each.exchange_host:
                return EXCHANGE_APP_ID, f"https://{host}"
        return None


@dataclass(frozen=True)
class DelegatedScopes:
    """A delegated ``scope`` parameter, split into the OpenID ones and the values for one resource."""

    resource_host: str
    values: tuple[str, ...]
    reserved: tuple[str, ...]
    qualified: bool

    @property
    def default(self) -> bool:
        return any(v.lower() == ".default" for v in self.values)

    def echo(self, granted: list[str]) -> str:
        """The ``scope`` of a token response, in the form the client asked (MSAL finds cached tokens by it)."""
        shown = [f"https://{self.resource_host}/{v}" if self.qualified else v for v in granted]
        return " ".join([*shown, *self.reserved])


def parse_delegated_scopes(scope: str, caller: Caller, tenant: str, *, one_resource: bool = True) -> DelegatedScopes:
    """Split a delegated scope list, in this authority's cloud; a token request names one resource (AADSTS28000).

    An authorization request may name several (``one_resource=False``): consent is given for all of them at once
    (what MSAL's ``extra_scopes_to_consent`` relies on), and the first one is the resource of the code.
    """
    hosts: dict[str, None] = {}
    values: list[str] = []
    reserved: list[str] = []
    qualified = False
    for item in scope.split():
        if item.lower() in RESERVED_SCOPES:
            reserved.append(item.lower())
            continue
        if "://" in item:
            parts = urlsplit(item)
            hosts[parts.netloc.lower()] = None
            values.append(parts.path.lstrip("/"))
            qualified = True
        else:
            hosts[caller.default_cloud.graph_host] = None
            values.append(item)
    if len(hosts) > 1 and one_resource:
        raise EntraError(
            400, "invalid_scope", 28000,
            f"Provided value for the input parameter scope '{scope}' is not valid because it contains more than one "
            "resource. Scope "
            f"{scope} is not valid.",
        )  # fmt: skip
    for each in hosts:
        if caller.resource(each) is None:
            raise resource_not_found(f"https://{each}", tenant)
    host = next(iter(hosts), caller.default_cloud.graph_host)
    if caller.resource(host) is None:
        raise resource_not_found(f"https://{host}", tenant)
    return DelegatedScopes(host, tuple(values), tuple(dict.fromkeys(reserved)), qualified)


def resource_not_found(resource: str, tenant: str) -> OAuthError:
    return OAuthError(
        400, "invalid_resource", 500011,
        f"The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the "
        "application has not been installed by the administrator of the tenant or consented to by any user in the "
        "tenant. You might have sent your authentication request to the wrong tenant.",
    )  # fmt: skip


def _lower(values: set[str] | frozenset[str] | list[str] | tuple[str, ...]) -> set[str]:
    return {v.lower() for v in values}


def _client_info(person: Person, directory: Directory) -> str:
    raw = json.dumps({"uid": person.object_id, "utid": directory.tenant_id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# -- the endpoints' logic ----------------------------------------------------------------------------------------
@dataclass
class IdentityService:
    """Framework-free logic behind the routes, on one world; every refusal is an :class:`OAuthError`."""

    world: EntraWorld
    _clock_wall: Any = field(default=time.time, repr=False)

    # directories and applications
    def directory(self, segment: str) -> Directory:
        """The directory named by a tenant path segment: its id, or its default domain if that is unique."""
        found = self.world.directories.get(segment.lower())
        if found is not None:
            return found
        by_domain = [d for d in self.world.directories.values() if d.default_domain.lower() == segment.lower()]
        if len(by_domain) == 1:
            return by_domain[0]
        raise tenant_not_found(segment)

    def directory_or_none(self, segment: str) -> Directory | None:
        """``None`` for ``common``/``organizations``: the directory is then the signed-in person's."""
        return None if segment.lower() in MULTI_TENANT_SEGMENTS else self.directory(segment)

    def application(self, client_id: str, directory: Directory) -> Application:
        app = self.world.applications.get(client_id.strip().lower()) or self.world.applications.get(client_id)
        if app is None or (app.home_tenant_id != directory.tenant_id and not app.multi_tenant):
            raise unknown_application(client_id, directory.tenant_id)
        return app

    # client authentication
    def authenticate(
        self,
        app: Application,
        form: Mapping[str, str],
        basic: tuple[str, str] | None,
        *,
        caller: Caller,
        segment: str,
        directory: Directory,
    ) -> str:
        """Check the client's secret or certificate assertion; the ``azpacr`` value (1 secret, 2 certificate)."""
        secret = form.get("client_secret") or (basic[1] if basic else None)
        assertion = form.get("client_assertion")
        if secret:
            if not any(hmac.compare_digest(secret.encode(), known.encode()) for known in app.secrets):
                raise invalid_client(
                    7000215,
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                    f"secret value, not the client secret ID, for a secret added to app '{app.app_id}'.",
                )
            return "1"
        if assertion:
            if form.get("client_assertion_type") != ASSERTION_TYPE:
                raise invalid_request(
                    50027, f"client_assertion_type must be '{ASSERTION_TYPE}' when a client_assertion is sent."
                )
            self._check_assertion(app, assertion, caller=caller, segment=segment, directory=directory)
            return "2"
        raise invalid_client(
            7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
        )

    def _check_assertion(
        self, app: Application, assertion: str, *, caller: Caller, segment: str, directory: Directory
    ) -> None:
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            raise invalid_client(50027, "JWT token is invalid or malformed (the client assertion).") from None
        algorithm = header.get("alg")
        if algorithm not in ASSERTION_ALGORITHMS:
            raise invalid_client(5002738, f"Invalid JWT token. '{algorithm}' is not a supported signature algorithm.")
        thumbprint, column = _thumbprint(header)
        key_used = f"Thumbprint of key used by client: '{thumbprint}'"
        digest = hashlib.sha256 if column == "thumbprint_sha256" else hashlib.sha1
        certificate = next(
            (
                c
                for c in app.certificates
                if digest(c.public_bytes(serialization.Encoding.DER)).hexdigest().upper() == thumbprint
            ),
            None,
        )
        if certificate is None:
            raise invalid_client(
                700027,
                f"Client assertion failed signature validation. [Reason - The key was not found., {key_used}, "
                "Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for "
                f"app Id '{app.app_id}'. Review the documentation at https://docs.microsoft.com/en-us/graph/"
                "deployments to determine the corresponding service endpoint and "
                "https://docs.microsoft.com/en-us/graph/api/resources/application?view=graph-rest-1.0 to build a "
                "query request URL, such as 'https://graph.microsoft.com/beta/applications/<appId>']",
            )
        wall = self._clock_wall()
        if not certificate.not_valid_before_utc.timestamp() - ASSERTION_CLOCK_SKEW <= wall:
            raise invalid_client(700027, f"Client assertion failed signature validation. [{key_used}]")
        if certificate.not_valid_after_utc.timestamp() < wall:
            raise invalid_client(
                700027,
                f"Client assertion contains an invalid signature. [Reason - The key used is expired., {key_used}]",
            )
        claims = signed_claims(assertion, _public_key(certificate), algorithm=algorithm, key_used=key_used)
        self._check_assertion_claims(app, claims, caller=caller, segment=segment, directory=directory, wall=wall)

    def _check_assertion_claims(
        self,
        app: Application,
        claims: Mapping[str, Any],
        *,
        caller: Caller,
        segment: str,
        directory: Directory,
        wall: float,
    ) -> None:
        for name in ("aud", "iss", "sub", "exp", "jti"):
            if name not in claims:
                raise invalid_client(50027, f"JWT token is invalid or malformed: the client assertion has no '{name}'.")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        accepted = {
            f"{caller.base_url}/{tenant}/oauth2{version}/token".lower()
            for tenant in (segment, directory.tenant_id, directory.default_domain)
            for version in ("/v2.0", "")
        }
        if not any(str(a).lower() in accepted for a in audiences):
            raise invalid_client(
                700212, f"The client assertion's audience claim {claims['aud']!r} does not match the token endpoint "
                f"'{caller.base_url}/{directory.tenant_id}/oauth2/v2.0/token'.",
            )  # fmt: skip
        if claims["iss"] != app.app_id or claims["sub"] != app.app_id:
            raise invalid_client(700021, "Client assertion application identifier doesn't match 'client_id' parameter.")
        try:
            expires = float(claims["exp"])
            not_before = float(claims.get("nbf", claims.get("iat", 0)))
        except (TypeError, ValueError):
            raise invalid_client(50027, "JWT token is invalid or malformed: exp, nbf and iat are numbers.") from None
        if expires + ASSERTION_CLOCK_SKEW < wall or not_before - ASSERTION_CLOCK_SKEW > wall:
            raise invalid_client(
                700024, "Client assertion is not within its valid time range. "
                f"Current time: {_iso(wall)}, assertion valid from {_iso(not_before)}, expiry time of assertion "
                f"{_iso(expires)}.",
            )  # fmt: skip
        # No single-use rule for the jti: Entra accepts an assertion again within its lifetime, and MSAL relies on
        # it (one signed assertion serves every token request of the next ten minutes, whatever the scope).

    # the token endpoint
    def token(
        self, segment: str, form: Mapping[str, str], basic: tuple[str, str] | None, caller: Caller
    ) -> dict[str, Any]:
        grant_type = form.get("grant_type")
        if not grant_type:
            raise missing_parameter("grant_type")
        client_id = form.get("client_id") or (basic[0] if basic else None)
        if not client_id:
            raise missing_parameter("client_id")
        if grant_type == "client_credentials":
            return self._client_credentials(segment, client_id, form, basic, caller)
        if grant_type == "authorization_code":
            return self._authorization_code(segment, client_id, form, basic, caller)
        if grant_type == "refresh_token":
            return self._refresh_token(segment, client_id, form, basic, caller)
        raise OAuthError(
            400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant_type}'."
        )

    def _client_credentials(
        self, segment: str, client_id: str, form: Mapping[str, str], basic: tuple[str, str] | None, caller: Caller
    ) -> dict[str, Any]:
        directory = self.directory_or_none(segment)
        if directory is None:
            raise invalid_request(
                50059,
                "No tenant-identifying information found in either the request or implied by any provided credentials.",
            )
        app = self.application(client_id, directory)
        self.authenticate(app, form, basic, caller=caller, segment=segment, directory=directory)
        principal = directory.service_principal(app.app_id)
        if principal is None:
            raise invalid_client(
                7000229,
                f"The client application {app.app_id} is missing service principal in the tenant "
                f"{directory.tenant_id}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119",
            )
        resource_app_id, audience = self._app_only_resource(form.get("scope"), caller, directory)
        roles = principal.app_roles.get(resource_app_id, set())
        token, lifetime = self.world.issue_access_token(directory, app.app_id, audience, roles=roles)
        return {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token}

    def _app_only_resource(self, scope: str | None, caller: Caller, directory: Directory) -> tuple[str, str]:
        if not scope:
            raise missing_parameter("scope")
        resource = default_scope_resource(scope)
        if "://" in resource:
            found = caller.resource(urlsplit(resource).netloc.lower())
        elif resource.lower() == GRAPH_APP_ID:
            found = caller.resource(caller.default_cloud.graph_host)
        elif resource.lower() == EXCHANGE_APP_ID:
            found = caller.resource(caller.default_cloud.exchange_host)
        else:
            found = None
        if found is None:
            raise resource_not_found(resource, directory.tenant_id)
        return found

    def _redeemed(
        self,
        segment: str,
        client_id: str,
        form: Mapping[str, str],
        basic: tuple[str, str] | None,
        caller: Caller,
        *,
        parameter: str,
        grants: Mapping[str, _GrantT],
    ) -> tuple[_GrantT, Directory, Application]:
        """The code or refresh token the form's ``parameter`` names, once the client that presents it has
        authenticated in the directory it was issued in and proved to be the app it was issued to."""
        value = form.get(parameter)
        if not value:
            raise missing_parameter(parameter)
        grant = grants.get(value)
        if grant is None:
            raise invalid_grant(9002313, "Invalid request. Request is malformed or invalid.")
        directory = self.world.directories[grant.tenant_id]
        self._same_directory(segment, directory)
        app = self.application(client_id, directory)
        self.authenticate(app, form, basic, caller=caller, segment=segment, directory=directory)
        if grant.client_id != app.app_id:
            what = "code" if parameter == "code" else "token"
            raise invalid_grant(70000, f"Provided grant is invalid or malformed: the {what} was issued to another app.")
        return grant, directory, app

    def _authorization_code(
        self, segment: str, client_id: str, form: Mapping[str, str], basic: tuple[str, str] | None, caller: Caller
    ) -> dict[str, Any]:
        code, directory, app = self._redeemed(
            segment, client_id, form, basic, caller, parameter="code", grants=self.world.sessions.codes
        )
        if code.redeemed:
            raise invalid_grant(
                54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an "
                "existing refresh token.",
            )  # fmt: skip
        code.redeemed = True
        if self.world.clock.protocol_now() - code.issued_at > AUTHORIZATION_CODE_LIFETIME:
            raise invalid_grant(
                70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new "
                "interactive authorization request for this user and resource.",
            )  # fmt: skip
        if form.get("redirect_uri") != code.redirect_uri:
            raise invalid_grant(
                500112, f"The reply address '{form.get('redirect_uri')}' does not match the reply address "
                f"'{code.redirect_uri}' provided when requesting Authorization code.",
            )  # fmt: skip
        verifier = form.get("code_verifier") or ""
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        if not hmac.compare_digest(challenge, code.code_challenge):
            raise invalid_grant(
                501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."
            )
        person = self._person(directory, code.user_object_id)
        scope = form.get("scope") or " ".join(code.scopes)
        return self._delegated_tokens(directory, app, person, scope, caller, auth_time=code.auth_time, nonce=code.nonce)

    def _refresh_token(
        self, segment: str, client_id: str, form: Mapping[str, str], basic: tuple[str, str] | None, caller: Caller
    ) -> dict[str, Any]:
        grants = self.world.sessions.refresh_tokens
        grant, directory, app = self._redeemed(
            segment, client_id, form, basic, caller, parameter="refresh_token", grants=grants
        )
        now = self.world.clock.protocol_now()
        if now - grant.issued_at > REFRESH_TOKEN_INACTIVITY:
            raise invalid_grant(
                700082, f"The refresh token has expired due to inactivity. The token was issued on "
                f"{_entra_time(grant.issued_at)} and was inactive for {REFRESH_TOKEN_INACTIVITY.days}.00:00:00.",
            )  # fmt: skip
        valid_from = self.world.sessions.valid_from(directory.tenant_id, grant.user_object_id)
        if valid_from is not None and grant.auth_time < valid_from:
            raise invalid_grant(
                50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The "
                "user might have changed or reset their password. The grant was issued on "
                f"'{_entra_time(grant.auth_time)}' and the TokensValidFrom date (before which tokens are not valid) "
                f"for this user is '{_entra_time(valid_from)}'.",
            )  # fmt: skip
        person = self._person(directory, grant.user_object_id)
        scope = form.get("scope")
        if not scope:
            raise missing_parameter("scope")
        return self._delegated_tokens(directory, app, person, scope, caller, auth_time=grant.auth_time, nonce=None)

    def _same_directory(self, segment: str, directory: Directory) -> None:
        if segment.lower() in MULTI_TENANT_SEGMENTS:
            return
        if self.directory(segment).tenant_id != directory.tenant_id:
            raise invalid_grant(
                700003, "Device object was not found in the tenant directory: the grant belongs to another tenant."
            )

    @staticmethod
    def _person(directory: Directory, object_id: str) -> Person:
        person = next((p for p in directory.people.values() if p.object_id == object_id), None)
        if person is None:
            raise invalid_grant(
                50034, f"The user account {object_id} does not exist in the {directory.tenant_id} directory. To sign "
                "into this application, the account must be added to the directory.",
            )  # fmt: skip
        return person

    def _delegated_tokens(
        self,
        directory: Directory,
        app: Application,
        person: Person,
        scope: str,
        caller: Caller,
        *,
        auth_time: datetime,
        nonce: str | None,
    ) -> dict[str, Any]:
        """Access token (+ refresh token, ID token, client_info) for the consented scopes of one resource."""
        asked = parse_delegated_scopes(scope, caller, directory.tenant_id)
        principal = directory.service_principal(app.app_id)
        consented = set()
        if principal is not None:
            consented = principal.delegated.get(person.object_id, set()) | principal.delegated.get("*", set())
        consented_lower = _lower(consented)
        missing = [
            s for s in (*[v for v in asked.values if v.lower() != ".default"], *asked.reserved)
            if s.lower() not in consented_lower
        ]  # fmt: skip
        if missing:
            raise invalid_grant(
                65001, f"The user or administrator has not consented to use the application with ID '{app.app_id}' "
                f"named '{app.display_name}'. Send an interactive authorization request for this user and resource.",
                suberror="consent_required",
            )  # fmt: skip
        granted = sorted(v for v in consented if v.lower() not in RESERVED_SCOPES)
        _, audience = caller.resource(asked.resource_host) or ("", f"https://{asked.resource_host}")
        token, lifetime = self.world.issue_access_token(directory, app.app_id, audience, scopes=granted, user=person)
        result: dict[str, Any] = {
            "token_type": "Bearer",
            "scope": asked.echo(granted),
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": token,
        }
        if "offline_access" in asked.reserved:
            now = self.world.clock.protocol_now()
            refresh = RefreshGrant(
                self.world.sessions.new_handle(), directory.tenant_id, app.app_id, person.object_id, auth_time, now
            )
            self.world.sessions.refresh_tokens[refresh.token] = refresh
            result["refresh_token"] = refresh.token
        if "openid" in asked.reserved:
            result["id_token"] = self._id_token(directory, app, person, caller, nonce=nonce)
        result["client_info"] = _client_info(person, directory)
        return result

    def _id_token(
        self, directory: Directory, app: Application, person: Person, caller: Caller, *, nonce: str | None
    ) -> str:
        now = int(self.world.clock.protocol_now().timestamp())
        pairwise = hashlib.sha256(f"{app.app_id}:{person.object_id}".encode()).digest()
        claims: dict[str, Any] = {
            "aud": app.app_id,
            "iss": f"{caller.base_url}/{directory.tenant_id}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            "name": person.display_name,
            "oid": person.object_id,
            "preferred_username": person.user_principal_name,
            "sub": base64.urlsafe_b64encode(pairwise).decode().rstrip("="),
            "tid": directory.tenant_id,
            "uti": uuid.uuid4().hex[:22],
            "ver": "2.0",
        }
        if nonce:
            claims["nonce"] = nonce
        return self.world.sign(claims)

    # the sign-in and consent page
    def begin_authorization(self, segment: str, query: Mapping[str, str], caller: Caller) -> PendingAuthorization:
        """Validate an ``/authorize`` request. :class:`PageError` when the redirect URI cannot be trusted,
        :class:`RedirectError` for errors Entra reports back to the app."""
        try:
            directory = self.directory_or_none(segment)
        except OAuthError as exc:
            raise PageError(exc) from None
        client_id = query.get("client_id", "")
        app = self.world.applications.get(client_id)
        foreign = directory is not None and app is not None and app.home_tenant_id != directory.tenant_id
        if app is None or (foreign and not app.multi_tenant):
            raise PageError(unknown_application(client_id, directory.tenant_id if directory else segment))
        if directory is None and not app.multi_tenant:
            raise PageError(
                OAuthError(
                    400,
                    "invalid_request",
                    50194,
                    f"Application '{app.app_id}'({app.display_name}) is not configured as a multi-tenant application. "
                    "Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. "
                    "Use a tenant-specific endpoint or configure the application to be multi-tenant.",
                )
            )
        redirect_uri = query.get("redirect_uri", "")
        if redirect_uri not in app.redirect_uris:
            raise PageError(
                OAuthError(
                    400,
                    "invalid_request",
                    50011,
                    f"The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs "
                    f"configured for the application '{app.app_id}'. Make sure the redirect URI sent in the request "
                    "matches one added to your application in the Azure portal.",
                )
            )
        state = query.get("state")

        def back(exc: OAuthError) -> RedirectError:
            return RedirectError(redirect_uri, exc, state, query.get("response_mode"))

        if query.get("response_type") != "code":
            raise back(
                OAuthError(
                    400,
                    "unsupported_response_type",
                    700054,
                    f"response_type '{query.get('response_type')}' is not enabled for the application.",
                )
            )
        scope = query.get("scope")
        if not scope:
            raise back(missing_parameter("scope"))
        challenge = query.get("code_challenge")
        if not challenge:
            raise back(
                invalid_request(9002325, "Proof Key for Code Exchange is required for this authorization request.")
            )
        if query.get("code_challenge_method") != "S256":
            raise back(invalid_request(50147, "The code_challenge_method must be S256; 'plain' is not accepted."))
        try:
            asked = parse_delegated_scopes(
                scope, caller, directory.tenant_id if directory else segment, one_resource=False
            )
        except OAuthError as exc:
            raise back(exc) from None
        if query.get("prompt") == "none":
            raise back(
                OAuthError(
                    400,
                    "login_required",
                    50058,
                    "A silent sign-in request was sent but no user is signed in.",
                )
            )
        pending = PendingAuthorization(
            ctx=self.world.sessions.new_handle(24),
            tenant_segment=segment,
            client_id=app.app_id,
            redirect_uri=redirect_uri,
            state=state,
            nonce=query.get("nonce"),
            code_challenge=challenge,
            scopes=tuple(scope.split()),
            resource_host=asked.resource_host,
            prompt=query.get("prompt"),
            login_hint=query.get("login_hint"),
            response_mode=query.get("response_mode"),
            created_at=self.world.clock.protocol_now(),
        )
        self.world.sessions.pending[pending.ctx] = pending
        return pending

    def pending(self, ctx: str) -> PendingAuthorization:
        pending = self.world.sessions.pending.get(ctx)
        if pending is None or self.world.clock.protocol_now() - pending.created_at > PENDING_AUTHORIZATION_LIFETIME:
            raise PageError(
                OAuthError(400, "invalid_request", 90014, "This sign-in request is unknown or expired: start again.")
            )
        return pending

    def sign_in(self, pending: PendingAuthorization, login: str, password: str) -> tuple[Directory, Person]:
        """Check the person's password; :class:`SignInFailed` shows the page again with Entra's message."""
        directory = self.directory_or_none(pending.tenant_segment)
        candidates = [directory] if directory is not None else list(self.world.directories.values())
        person, home = None, None
        for each in candidates:
            found = each.people.get(login.strip().lower())
            if found is not None:
                person, home = found, each
                break
        if person is None or home is None or not hmac.compare_digest(person.password.encode(), password.encode()):
            raise SignInFailed("AADSTS50126: Error validating credentials due to invalid username or password.")
        app = self.world.applications[pending.client_id]
        if app.home_tenant_id != home.tenant_id and not app.multi_tenant:
            raise PageError(unknown_application(app.app_id, home.tenant_id))
        pending.tenant_id, pending.user_object_id = home.tenant_id, person.object_id
        return home, person

    def needs_consent(self, pending: PendingAuthorization, directory: Directory, person: Person) -> bool:
        if pending.prompt == "consent":
            return True
        principal = directory.service_principal(pending.client_id)
        consented = set()
        if principal is not None:
            consented = _lower(principal.delegated.get(person.object_id, set()) | principal.delegated.get("*", set()))
        return not _lower(self.consent_values(pending)) <= consented

    @staticmethod
    def consent_values(pending: PendingAuthorization) -> list[str]:
        """The scope values consent records: resource scopes by value, plus the OpenID ones (not ``.default``)."""
        values = []
        for item in pending.scopes:
            value = urlsplit(item).path.lstrip("/") if "://" in item else item
            if value.lower() != ".default":
                values.append(value.lower() if value.lower() in RESERVED_SCOPES else value)
        return values

    def consent(self, pending: PendingAuthorization) -> None:
        directory = self.world.directories[str(pending.tenant_id)]
        principal = self.world.service_principal_in(directory, pending.client_id)
        principal.delegated.setdefault(str(pending.user_object_id), set()).update(self.consent_values(pending))

    def issue_code(self, pending: PendingAuthorization) -> AuthorizationCode:
        now = self.world.clock.protocol_now()
        code = AuthorizationCode(
            code=self.world.sessions.new_handle(),
            tenant_id=str(pending.tenant_id),
            client_id=pending.client_id,
            user_object_id=str(pending.user_object_id),
            redirect_uri=pending.redirect_uri,
            code_challenge=pending.code_challenge,
            nonce=pending.nonce,
            scopes=pending.scopes,
            issued_at=now,
            auth_time=now,
        )
        self.world.sessions.codes[code.code] = code
        self.world.sessions.pending.pop(pending.ctx, None)
        return code


class PageError(Exception):
    """An ``/authorize`` error Entra shows on its own page (the redirect URI cannot be trusted with it)."""

    def __init__(self, error: OAuthError) -> None:
        super().__init__(str(error))
        self.error = error


class RedirectError(Exception):
    """An ``/authorize`` error sent back to the app's redirect URI."""

    def __init__(self, redirect_uri: str, error: OAuthError, state: str | None, response_mode: str | None) -> None:
        super().__init__(str(error))
        self.redirect_uri, self.error, self.state, self.response_mode = redirect_uri, error, state, response_mode


class SignInFailed(Exception):
    """Wrong user name or password: the sign-in page is shown again with the message."""


def _public_key(certificate: x509.Certificate) -> Any:
    return certificate.public_key()


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _entra_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    return basic_credentials(request.headers.get("authorization"))


# -- pages -------------------------------------------------------------------------------------------------------
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:Segoe UI,Arial,sans-serif;background:#f2f2f2}}main{{background:#fff;max-width:440px;
margin:60px auto;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}}h1{{font-size:24px;font-weight:600}}
.error{{color:#e81123}}input[type=email],input[type=password]{{width:100%;padding:6px 0;margin:8px 0;border:0;
border-bottom:1px solid #666}}button{{padding:6px 24px;margin-right:8px}}</style></head>
<body><main><div>Microsoft</div>{body}</main></body></html>"""


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=html.escape(title), body=body), status_code=status_code)


def sign_in_page(
    segment: str, pending: PendingAuthorization, app: Application, error: str | None = None
) -> HTMLResponse:
    message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    hint = html.escape(pending.login_hint or "")
    return _page(
        "Sign in to your account",
        f"""<h1>Sign in</h1><p>to continue to {html.escape(app.display_name)}</p>{message}
<form method="post" action="/{html.escape(segment)}/login">
<input type="hidden" name="ctx" value="{html.escape(pending.ctx)}">
<label>Email <input type="email" name="login" value="{hint}" autocomplete="username" required></label>
<label>Password <input type="password" name="passwd" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>""",
    )


def consent_page(segment: str, pending: PendingAuthorization, app: Application, person: Person) -> HTMLResponse:
    items = "".join(f"<li>{html.escape(s)}</li>" for s in pending.scopes)
    return _page(
        "Permissions requested",
        f"""<h1>Permissions requested</h1><p>{html.escape(person.user_principal_name)}</p>
<p><strong>{html.escape(app.display_name)}</strong> would like to:</p><ul id="scopes">{items}</ul>
<p>Accepting these permissions means that you allow this app to use your data as specified.</p>
<form method="post" action="/{html.escape(segment)}/Consent/Set">
<input type="hidden" name="ctx" value="{html.escape(pending.ctx)}">
<button type="submit" name="action" value="accept">Accept</button>
<button type="submit" name="action" value="cancel">Cancel</button></form>""",
    )


def error_page(exc: OAuthError) -> HTMLResponse:
    return _page(
        "Sign in to your account",
        f"""<h1>Sorry, but we're having trouble signing you in.</h1>
<p class="error" role="alert">AADSTS{exc.code}: {html.escape(exc.message)}</p>""",
        status_code=exc.status,
    )


def redirect_back(redirect_uri: str, params: dict[str, str], response_mode: str | None) -> Response:
    """Send the browser back to the app, in the response mode it asked for (query by default)."""
    if response_mode == "form_post":
        fields = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
        )
        return HTMLResponse(
            f'<html><body onload="document.forms[0].submit()"><form method="post" '
            f'action="{html.escape(redirect_uri)}">{fields}<noscript><button>Continue</button></noscript>'
            "</form></body></html>"
        )
    separator = "#" if response_mode == "fragment" else ("&" if "?" in redirect_uri else "?")
    return RedirectResponse(f"{redirect_uri}{separator}{urlencode(params)}", status_code=302)


# -- the router --------------------------------------------------------------------------------------------------
def identity_router(world: EntraWorld) -> APIRouter:
    """Entra ID's identity endpoints on ``world``, for every tenant id (and ``common``/``organizations``)."""
    service = IdentityService(world)
    router = APIRouter(tags=["entra identity"])
    no_store = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}

    def refuse(exc: OAuthError, request: Request, caller: Caller) -> JSONResponse:
        body = error_body(
            exc, host=caller.host, now=world.clock.now(), correlation_id=request.headers.get("client-request-id")
        )
        return JSONResponse(body, status_code=exc.status, headers=no_store)

    @router.get("/{tenant}/discovery/instance")
    async def instance_discovery(tenant: str, request: Request) -> JSONResponse:
        """MSAL asks which hosts are aliases of its authority (to share cached tokens across them)."""
        caller = Caller.of(request)
        endpoint = request.query_params.get("authorization_endpoint")
        if not endpoint:
            return refuse(
                invalid_request(90014, "The required field 'authorization_endpoint' is missing."), request, caller
            )
        parts = urlsplit(endpoint)
        if parts.netloc.lower() not in AUTHORITY_HOSTS:
            return refuse(OAuthError(400, "invalid_instance", 50049, "Unknown or invalid instance."), request, caller)
        path = parts.path.replace("/oauth2/v2.0/authorize", "/v2.0/.well-known/openid-configuration").replace(
            "/oauth2/authorize", "/.well-known/openid-configuration"
        )
        return JSONResponse(
            {
                "tenant_discovery_endpoint": f"https://{parts.netloc}{path}",
                "api-version": request.query_params.get("api-version", "1.1"),
                "metadata": list(INSTANCE_METADATA),
            }
        )

    def openid_configuration(tenant: str, request: Request, version: str) -> JSONResponse:
        caller = Caller.of(request)
        try:
            directory = service.directory_or_none(tenant)
        except OAuthError as exc:
            body = error_body(exc, host=caller.host, now=world.clock.now(), correlation_id=None)
            return JSONResponse({**body, "error": "invalid_tenant"}, status_code=400)
        path_tenant = directory.tenant_id if directory else tenant.lower()
        issuer_tenant = directory.tenant_id if directory else "{tenantid}"
        root = f"{caller.base_url}/{path_tenant}"
        instance, region = _CLOUD_INSTANCE_NAMES[caller.default_cloud.name]
        v2 = version == "v2.0"
        return JSONResponse(
            {
                "token_endpoint": f"{root}/oauth2/v2.0/token" if v2 else f"{root}/oauth2/token",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "jwks_uri": f"{root}/discovery/v2.0/keys" if v2 else f"{caller.base_url}/common/discovery/keys",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": f"{caller.base_url}/{issuer_tenant}/v2.0"
                if v2
                else f"https://sts.windows.net/{issuer_tenant}/",
                "request_uri_parameter_supported": False,
                "userinfo_endpoint": f"https://{caller.default_cloud.graph_host}/oidc/userinfo",
                "authorization_endpoint": f"{root}/oauth2/v2.0/authorize" if v2 else f"{root}/oauth2/authorize",
                "device_authorization_endpoint": f"{root}/oauth2/{'v2.0/' if v2 else ''}devicecode",
                "http_logout_supported": True,
                "frontchannel_logout_supported": True,
                "end_session_endpoint": f"{root}/oauth2/v2.0/logout" if v2 else f"{root}/oauth2/logout",
                "claims_supported": [
                    "sub",
                    "iss",
                    "cloud_instance_name",
                    "cloud_instance_host_name",
                    "cloud_graph_host_name",
                    "msgraph_host",
                    "aud",
                    "exp",
                    "iat",
                    "auth_time",
                    "acr",
                    "nonce",
                    "preferred_username",
                    "name",
                    "tid",
                    "ver",
                    "at_hash",
                    "c_hash",
                    "email",
                ],
                "kerberos_endpoint": f"{root}/kerberos",
                "tenant_region_scope": region if directory else None,
                "cloud_instance_name": instance,
                "cloud_graph_host_name": caller.default_cloud.graph_host,
                "msgraph_host": caller.default_cloud.graph_host,
            }
        )

    @router.get("/{tenant}/v2.0/.well-known/openid-configuration")
    async def openid_configuration_v2(tenant: str, request: Request) -> JSONResponse:
        return openid_configuration(tenant, request, "v2.0")

    @router.get("/{tenant}/.well-known/openid-configuration")
    async def openid_configuration_v1(tenant: str, request: Request) -> JSONResponse:
        return openid_configuration(tenant, request, "v1")

    @router.get("/{tenant}/discovery/v2.0/keys")
    @router.get("/{tenant}/discovery/keys")
    async def keys(tenant: str) -> JSONResponse:
        """One signing key for every tenant and cloud (Entra's keys are shared by all tenants too)."""
        return JSONResponse({"keys": [world.public_jwk()]})

    @router.post("/{tenant}/oauth2/v2.0/token")
    async def token(tenant: str, request: Request) -> JSONResponse:
        caller = Caller.of(request)
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            result = service.token(tenant, form, _basic_credentials(request), caller)
        except OAuthError as exc:
            return refuse(exc, request, caller)
        return JSONResponse(result, headers=no_store)

    @router.get("/{tenant}/oauth2/v2.0/authorize")
    async def authorize(tenant: str, request: Request) -> Response:
        caller = Caller.of(request)
        try:
            pending = service.begin_authorization(tenant, request.query_params, caller)
        except PageError as exc:
            return error_page(exc.error)
        except RedirectError as exc:
            params = {"error": exc.error.error, "error_description": f"AADSTS{exc.error.code}: {exc.error.message}"}
            if exc.state is not None:
                params["state"] = exc.state
            return redirect_back(exc.redirect_uri, params, exc.response_mode)
        return sign_in_page(tenant, pending, world.applications[pending.client_id])

    @router.post("/{tenant}/login")
    async def login(tenant: str, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            pending = service.pending(form.get("ctx", ""))
            app = world.applications[pending.client_id]
            try:
                directory, person = service.sign_in(pending, form.get("login", ""), form.get("passwd", ""))
            except SignInFailed as failed:
                return sign_in_page(tenant, pending, app, error=str(failed))
        except PageError as exc:
            return error_page(exc.error)
        if service.needs_consent(pending, directory, person):
            return consent_page(tenant, pending, app, person)
        return _code_redirect(service, pending)

    @router.post("/{tenant}/Consent/Set")
    async def consent(tenant: str, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            pending = service.pending(form.get("ctx", ""))
        except PageError as exc:
            return error_page(exc.error)
        if pending.user_object_id is None:
            return error_page(OAuthError(400, "invalid_request", 90014, "Sign in before consenting."))
        if form.get("action") != "accept":
            world.sessions.pending.pop(pending.ctx, None)
            params = {
                "error": "access_denied",
                "error_description": "AADSTS65004: User declined to consent to access the app.",
            }
            if pending.state is not None:
                params["state"] = pending.state
            return redirect_back(pending.redirect_uri, params, pending.response_mode)
        service.consent(pending)
        return _code_redirect(service, pending)

    return router


def _code_redirect(service: IdentityService, pending: PendingAuthorization) -> Response:
    code = service.issue_code(pending)
    params = {"code": code.code}
    if pending.state is not None:
        params["state"] = pending.state
    params["session_state"] = str(uuid.uuid4())
    return redirect_back(pending.redirect_uri, params, pending.response_mode)
