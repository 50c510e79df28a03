"""The authorization server's HTTP face, shaped like the Microsoft identity platform v2 endpoints:
discovery, keys and token under ``/{tenant}/…`` (tenant by GUID or domain name)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from hirehub.db.session import Database
from hirehub.sealing import Sealer
from hirehub.security.addressing import addressed_tenant
from hirehub.security.external import ExternalKeys
from hirehub.security.keys import SEALING_PURPOSE, KeyPolicy, KeyRing
from hirehub.security.oauth import Throttled, TokenRequest, TokenService, basic_credentials, issuer_for
from hirehub.security.oauth_errors import OAuthError, tenant_not_found
from hirehub.security.principal import Principal, PrincipalResolver
from hirehub.tenancy.service import TenantNotFound, find_tenant
from hirehub.throttling import source_of

router = APIRouter(tags=["oauth"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass
class SecurityRuntime:
    keys: KeyRing
    tokens: TokenService
    principals: PrincipalResolver
    external: ExternalKeys
    base_url: str


def security_runtime(
    database: Database, base_url: str, secret_key: str, policy: KeyPolicy = KeyPolicy()
) -> SecurityRuntime:
    base = base_url.rstrip("/")
    keys = KeyRing(database, Sealer(secret_key, SEALING_PURPOSE), policy)
    external = ExternalKeys()
    return SecurityRuntime(
        keys, TokenService(database, keys, base), PrincipalResolver(database, keys, external, base), external, base
    )


def _runtime(request: Request) -> SecurityRuntime:
    runtime: SecurityRuntime = request.app.state.security
    return runtime


def _now() -> datetime:
    return datetime.now(UTC)


def _error(exc: OAuthError) -> JSONResponse:
    headers = {**NO_STORE, "Retry-After": str(exc.retry_after)} if isinstance(exc, Throttled) else NO_STORE
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


async def _tenant_id(request: Request, tenant: str) -> uuid.UUID:
    async with request.app.state.database.system_session() as session:
        try:
            return (await find_tenant(session, tenant)).id
        except TenantNotFound:
            raise tenant_not_found(tenant) from None


@router.get("/{tenant}/v2.0/.well-known/openid-configuration")
async def openid_configuration(tenant: str, request: Request) -> JSONResponse:
    runtime = _runtime(request)
    try:
        tenant_id = await _tenant_id(request, tenant)
    except OAuthError as exc:
        return _error(exc)
    base = runtime.base_url
    root = f"{base}/{tenant_id}"
    document: dict[str, Any] = {
        "token_endpoint": f"{root}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{root}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer_for(base, tenant_id),
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{base}/oidc/userinfo",
        "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "azp", "azpacr", "roles", "ver"],
        "tenant_region_scope": None,
        "cloud_instance_name": request.url.hostname,
        "cloud_graph_host_name": None,
        "msgraph_host": None,
        "rbac_url": None,
    }
    return JSONResponse(document)


@router.get("/{tenant}/discovery/v2.0/keys")
async def keys(tenant: str, request: Request) -> JSONResponse:
    runtime = _runtime(request)
    try:
        await _tenant_id(request, tenant)
    except OAuthError as exc:
        return _error(exc)
    return JSONResponse({"keys": await runtime.keys.published(_now())}, headers={"Cache-Control": "max-age=3600"})


@router.post("/{tenant}/oauth2/v2.0/token")
async def token(tenant: str, request: Request) -> JSONResponse:
    runtime = _runtime(request)
    try:
        form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    except Exception:  # a body that is not a form: the caller's error, in the caller's protocol
        form = {}
    try:
        credentials = basic_credentials(request.headers.get("authorization"))
        result = await runtime.tokens.issue(TokenRequest(tenant, form, credentials, source_of(request)), _now())
    except OAuthError as exc:
        return _error(exc)
    return JSONResponse(result, headers=NO_STORE)


@router.get("/{tenant}/oauth2/v2.0/authorize")
async def authorize(tenant: str) -> JSONResponse:
    exc = OAuthError(
        400, "unsupported_response_type", 70000,
        f"Tenant '{tenant}': this authority issues app-only tokens with the client credentials grant; interactive "
        "sign-in is not offered.",
    )  # fmt: skip
    return _error(exc)


async def current_principal(request: Request) -> Principal:
    """The FastAPI dependency every API route uses: the caller, authenticated and resolved (both layers)."""
    runtime = _runtime(request)
    authorization = request.headers.get("authorization")  # /{tenant}/api/data/…: an external issuer resolves there
    return await runtime.principals.from_authorization(authorization, _now(), addressed=addressed_tenant(request))


PrincipalDependency = Depends(current_principal)
