"""Console sign-in through an OpenID Connect provider, as an option beside passwords.

Authorization code flow with PKCE (S256), a ``state`` against cross-site request forgery and a ``nonce`` against
replayed ID tokens. The three values wait in a short-lived signed cookie rather than in the database: the flow
belongs to this browser only, and an abandoned sign-in leaves nothing behind. The ID token is verified here
(signature by the issuer's JWKS, issuer, audience, expiry, nonce) even though it came straight from the token
endpoint over TLS: the token endpoint is the provider's, the decision to let someone in is the hub's.

No self sign-up: the verified e-mail address (``email``, else ``preferred_username``, which Entra ID fills with
the user principal name) must belong to an enabled console administrator; the session is then that
administrator's, in that administrator's tenant, exactly as after a password sign-in.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from hirehub import accounts
from hirehub.accounts.browser import SESSION_COOKIE
from hirehub.db.session import Database
from hirehub.outbound import HostMap, async_client
from hirehub.outbound_policy import DEADLINE_SECONDS, OutboundRefused, OutboundUnavailable, read_capped
from hirehub.settings import Settings
from hirehub.web.auth import PRE_SESSION_CSRF_COOKIE, safe_next
from hirehub.web.pages import render

router = APIRouter(prefix="/console", include_in_schema=False)
START_PATH = "/console/sign-in/oidc"
CALLBACK_PATH = "/console/sign-in/oidc/callback"
FLOW_COOKIE = "hirehub_console_oidc"
FLOW_LIFETIME_SECONDS = 600
SCOPES = "openid profile email"
CLOCK_SKEW_SECONDS = 120


class OidcError(Exception):
    """The sign-in could not be completed; the message is shown on the sign-in page."""


@dataclass(frozen=True)
class Provider:
    """What the sign-in page needs to know: whether to offer the button, and its words."""

    name: str
    start_url: str


def offer(request: Request, next_path: str) -> Provider | None:
    """The "Sign in with …" choice for the sign-in page, when a provider is configured."""
    settings: Settings = request.app.state.settings
    if not (settings.oidc_issuer and settings.oidc_client_id):
        return None
    return Provider(settings.oidc_provider_name, f"{START_PATH}?{urlencode({'next': safe_next(next_path)})}")


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="hirehub-console-oidc")


def _redirect_uri(settings: Settings) -> str:
    return settings.base_url.rstrip("/") + CALLBACK_PATH


def _client(settings: Settings) -> httpx.AsyncClient:
    """Outbound HTTP as elsewhere in the hub: through the host map, trusting the configured CA bundle."""
    verify = ssl.create_default_context(cafile=settings.outbound_ca_bundle) if settings.outbound_ca_bundle else True
    return async_client(HostMap(settings.outbound_host_map), verify=verify)


def code_challenge(verifier: str) -> str:
    """PKCE's S256: base64url(SHA-256(verifier)) without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


async def _document(http: httpx.AsyncClient, url: str, what: str) -> dict[str, Any]:
    """A JSON object the provider publishes, read within the outbound size cap and deadline: the issuer is the
    operator's choice, but its answers are still a stranger's bytes."""
    try:
        async with asyncio.timeout(DEADLINE_SECONDS):
            body = await read_capped(http, url)
        document = json.loads(body)
    except TimeoutError:
        raise OidcError(f"the sign-in provider's {what} did not arrive within {DEADLINE_SECONDS:g} seconds") from None
    except (OutboundRefused, OutboundUnavailable) as exc:
        raise OidcError(f"the sign-in provider's {what} could not be read: {exc}") from None
    except ValueError:
        raise OidcError(f"the sign-in provider's {what} is not JSON") from None
    if not isinstance(document, dict):
        raise OidcError(f"the sign-in provider's {what} is not a JSON object")
    return document


async def discover(http: httpx.AsyncClient, issuer: str) -> dict[str, Any]:
    """The provider's metadata; its ``issuer`` must be the configured one (OpenID Connect Discovery §4.3)."""
    metadata = await _document(http, issuer.rstrip("/") + "/.well-known/openid-configuration", "configuration")
    if metadata.get("issuer") != issuer.rstrip("/"):
        raise OidcError("the sign-in provider names a different issuer than the one configured")
    return metadata


async def verify_id_token(
    http: httpx.AsyncClient, metadata: dict[str, Any], id_token: str, *, client_id: str, nonce: str
) -> dict[str, Any]:
    """The ID token's claims, once its signature, issuer, audience, lifetime and nonce are right."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as exc:
        raise OidcError(f"the ID token is malformed: {exc}") from exc
    keys = (await _document(http, metadata["jwks_uri"], "key set")).get("keys", [])
    if not isinstance(keys, list) or not all(isinstance(key, dict) for key in keys):
        raise OidcError("the sign-in provider's key set has no list of keys")
    matching = [key for key in keys if key.get("kid") == header.get("kid")]
    if not matching:
        raise OidcError("the ID token is signed with a key the provider does not publish")
    algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            jwt.PyJWK(matching[0]).key,
            algorithms=[alg for alg in algorithms if alg != "none"],
            audience=client_id,
            issuer=metadata["issuer"],
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.PyJWTError as exc:
        raise OidcError(f"the ID token was refused: {exc}") from exc
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OidcError("the ID token does not answer this sign-in (nonce mismatch)")
    return claims


def email_of(claims: dict[str, Any]) -> str:
    for claim in ("email", "preferred_username", "upn"):
        value = claims.get(claim)
        if isinstance(value, str) and "@" in value:
            return value.strip().lower()
    raise OidcError("the sign-in provider did not say which e-mail address signed in")


@router.get("/sign-in/oidc")
async def start(request: Request, next: str = "/console/") -> Response:
    """Send the browser to the provider's authorization endpoint, with state, nonce and a PKCE challenge."""
    settings: Settings = request.app.state.settings
    if offer(request, next) is None:
        return RedirectResponse("/console/sign-in", status_code=303)
    try:
        async with _client(settings) as http:
            metadata = await discover(http, settings.oidc_issuer)
    except (OidcError, httpx.HTTPError, ValueError) as exc:
        return _failed(request, next, f"Sign-in with {settings.oidc_provider_name} is unavailable: {exc}")
    flow = {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": secrets.token_urlsafe(48),
        "next": safe_next(next),
    }
    query = {
        "client_id": settings.oidc_client_id,
        "response_type": "code",
        "redirect_uri": _redirect_uri(settings),
        "scope": SCOPES,
        "state": flow["state"],
        "nonce": flow["nonce"],
        "code_challenge": code_challenge(flow["verifier"]),
        "code_challenge_method": "S256",
        "response_mode": "query",
    }
    response = RedirectResponse(f"{metadata['authorization_endpoint']}?{urlencode(query)}", status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        _serializer(settings).dumps(flow),
        max_age=FLOW_LIFETIME_SECONDS,
        httponly=True,
        samesite="lax",  # the provider's redirect back is a top-level cross-site GET
        secure=request.url.scheme == "https",
        path=CALLBACK_PATH,
    )
    return response


@router.get("/sign-in/oidc/callback")
async def callback(request: Request) -> Response:
    """The provider's redirect: check state, redeem the code with the verifier, verify the ID token, sign in."""
    settings: Settings = request.app.state.settings
    params = request.query_params
    try:
        flow: dict[str, str] = _serializer(settings).loads(
            request.cookies.get(FLOW_COOKIE, ""), max_age=FLOW_LIFETIME_SECONDS
        )
    except BadSignature:
        return _failed(request, "/console/", "This sign-in expired or was not started here. Try again.")
    next_path = flow.get("next", "/console/")
    if not secrets.compare_digest(params.get("state", ""), flow.get("state", "")):
        return _failed(request, next_path, "This sign-in answer does not belong to this browser. Try again.")
    if "error" in params:
        detail = params.get("error_description") or params["error"]
        return _failed(request, next_path, f"{settings.oidc_provider_name} did not sign you in: {detail}")
    try:
        async with _client(settings) as http:
            metadata = await discover(http, settings.oidc_issuer)
            answer = await http.post(
                metadata["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": params.get("code", ""),
                    "redirect_uri": _redirect_uri(settings),
                    "client_id": settings.oidc_client_id,
                    "client_secret": settings.oidc_client_secret,
                    "code_verifier": flow.get("verifier", ""),
                },
            )
            if answer.status_code != 200 or "id_token" not in answer.json():
                raise OidcError(f"the code could not be redeemed ({answer.status_code})")
            claims = await verify_id_token(
                http, metadata, answer.json()["id_token"], client_id=settings.oidc_client_id, nonce=flow["nonce"]
            )
        email = email_of(claims)
    except (OidcError, httpx.HTTPError, ValueError, KeyError) as exc:
        return _failed(request, next_path, f"Sign-in with {settings.oidc_provider_name} failed: {exc}")
    database: Database = request.app.state.database
    async with database.system_transaction() as session:
        admin = await accounts.find_enabled_admin(session, email)
        if admin is None:
            return _failed(request, next_path, f"{email} is not a console administrator of any organisation.")
        token, _signed_in = accounts.open_session(session, admin, datetime.now(UTC))
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https")
    response.delete_cookie(FLOW_COOKIE, path=CALLBACK_PATH)
    return response


def _failed(request: Request, next_path: str, message: str) -> HTMLResponse:
    """The sign-in page again, with what went wrong (and a fresh pre-session CSRF token for the password form)."""
    csrf = secrets.token_urlsafe(24)
    response = render(
        request,
        "sign_in.html",
        status_code=400,
        csrf_token=csrf,
        next=safe_next(next_path),
        error=None,
        provider_error=message,
        email="",
        oidc=offer(request, next_path),
    )
    response.set_cookie(
        PRE_SESSION_CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    response.delete_cookie(FLOW_COOKIE, path=CALLBACK_PATH)
    return response
