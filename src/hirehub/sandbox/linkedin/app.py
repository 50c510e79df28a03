"""The Middleware Platform's HTTP surface, on LinkedIn's real paths: ``create_app(world)``.

One app serves both hosts the product calls (``www.linkedin.com`` for ``/oauth/v2/accessToken``,
``api.linkedin.com`` for ``/v2/…``), as the outbound host map sends both to one base URL.

Keys are read from the *raw* path and query (``scope["raw_path"]``, ``scope["query_string"]``): Rest.li 2.0
parses structure before percent-decoding, so a decoded ``%2C`` inside a value must not become a separator.

Assumptions where LinkedIn's RSC onboarding guide and Rest.li's documentation are silent, each as LinkedIn's Rest.li
servers behave:

- ``X-RestLi-Method`` is required on POST/PUT batch calls (without it Rest.li reads a POST to a collection as a
  *create*, which ``atsIntegrations`` does not support); on GET/DELETE it is optional but must match if sent.
- Batch answers key each entity in the request's protocol; for 1.0 the ``batch_partial_update`` answer uses the
  guide's sample form (parts reordered, values encoded) and ``batch_get`` the other sample's raw form, so a client
  must match keys by their decoded parts (``hirehub.restli.parse_batch_response``), never by string.
- A configurations ``GET`` without ids lists ``{"key", "configurationValue"}`` elements.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, unquote

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from hirehub.restli import (
    ERROR_RESPONSE_HEADER,
    METHOD_HEADER,
    PROTOCOL_VERSION_HEADER,
    Key,
    Protocol,
    RestliSyntaxError,
    batch_response,
    decode_key,
    encode_key,
    error_response,
    freeze_key,
    parse_ids_query,
    protocol_from_header,
)
from hirehub.sandbox.linkedin import one_click_export
from hirehub.sandbox.linkedin.plugin_page import CustomerAdmin, install_plugin
from hirehub.sandbox.linkedin.world import (
    ACCESS_TOKEN_LIFETIME,
    DeveloperApplication,
    LinkedInError,
    LinkedInWorld,
    validate_application_name,
)

_PATCHABLE_APPLICATION_FIELDS = {"name", "description", "oauth2AuthorizedCallbackUrls", "validJsSdkDomains"}
_SAMPLE_RESPONSE_ORDER = ("integrationType", "tenantType", "dataProvider", "integrationContext")


def restli_error(status: int, message: str, service_error_code: int = 0) -> JSONResponse:
    return JSONResponse(
        error_response(status, message, service_error_code),
        status_code=status,
        headers={ERROR_RESPONSE_HEADER: "true"},
    )


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


class _Call:
    """What every ``/v2`` handler needs from a request: caller, protocol, raw query, method header, body."""

    def __init__(self, world: LinkedInWorld, request: Request) -> None:
        self.world = world
        self.request = request
        self.app: DeveloperApplication = world.authenticate(request.headers.get("Authorization"))
        try:
            self.protocol = protocol_from_header(request.headers.get(PROTOCOL_VERSION_HEADER))
        except RestliSyntaxError as exc:
            raise LinkedInError(400, str(exc), 400) from exc
        self.raw_query: str = request.scope.get("query_string", b"").decode("latin-1")
        self.query = {k: v[0] for k, v in parse_qs(self.raw_query, keep_blank_values=True).items()}
        self.method = (request.headers.get(METHOD_HEADER) or "").lower()

    def ids(self) -> list[str | dict[str, str]]:
        try:
            return parse_ids_query(self.raw_query, self.protocol)
        except RestliSyntaxError as exc:
            raise LinkedInError(400, str(exc), 400) from exc

    def require_method(self, expected: str, *, required: bool) -> None:
        if (required or self.method) and self.method != expected:
            raise LinkedInError(400, f"{METHOD_HEADER} must be {expected} for this call", 400)

    async def json(self) -> dict[str, Any]:
        try:
            document = json.loads(await self.request.body() or b"{}")
        except ValueError as exc:
            raise LinkedInError(400, "the body is not JSON", 400) from exc
        if not isinstance(document, dict):
            raise LinkedInError(400, "the body must be a JSON object", 400)
        return document

    def record(self) -> None:
        self.world.calls.append((self.app.client_id, self.request.method, self.request.url.path))

    def require_partner(self) -> None:
        if not self.app.is_partner:
            raise LinkedInError(403, "Not enough permissions: this call needs the partner application's token", 100)

    def require_customer(self) -> None:
        if self.app.is_partner:
            raise LinkedInError(
                403, "Not enough permissions: atsIntegrations is called with the customer application's token", 100
            )


def _response_key(key: Key, protocol: Protocol, *, sample_order: bool) -> str:
    if protocol is Protocol.V1 and sample_order and not isinstance(key, str):
        ordered = {part: key[part] for part in _SAMPLE_RESPONSE_ORDER if part in key}
        return encode_key({**ordered, **key}, Protocol.V1)
    if protocol is Protocol.V1 and not isinstance(key, str):
        return "&".join(f"{k}={v}" for k, v in key.items())
    return encode_key(key, protocol)


def _body_entities(document: Mapping[str, Any], protocol: Protocol, *, compound: bool) -> dict[Any, tuple[Key, Any]]:
    entities = document.get("entities")
    if not isinstance(entities, dict):
        raise LinkedInError(400, 'a batch body is {"entities": {key: …}}', 400)
    decoded: dict[Any, tuple[Key, Any]] = {}
    for text, value in entities.items():
        try:
            key = decode_key(text, protocol, compound=compound)
        except RestliSyntaxError as exc:
            raise LinkedInError(400, str(exc), 400) from exc
        decoded[freeze_key(key)] = (key, value)
    return decoded


def _match_ids(ids: list[str | dict[str, str]], entities: dict[Any, tuple[Key, Any]]) -> None:
    if not ids:
        raise LinkedInError(400, "a batch call names its keys in the ids query parameter", 400)
    if {freeze_key(k) for k in ids} != set(entities):
        raise LinkedInError(400, "the keys in the ids parameter and in the body's entities differ", 400)


def _application_view(app: DeveloperApplication, *, with_credentials: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "key": app.urn,
        "name": app.name,
        "description": app.description,
        "uniqueForeignId": app.unique_foreign_id,
        "oauth2AuthorizedCallbackUrls": list(app.oauth2_authorized_callback_urls),
        "validJsSdkDomains": list(app.valid_js_sdk_domains),
    }
    if with_credentials:
        view["credentials"] = {"client_id": app.client_id, "client_secret": app.current_secret}
    return view


def _write(
    results: dict[str, dict[str, Any]],
    errors: dict[str, dict[str, Any]],
    key: str,
    act: Callable[..., object],
    *arguments: Any,
) -> None:
    """One entity of a batch write: ``204`` when ``act(*arguments)`` goes through, LinkedIn's error body when it
    refuses."""
    try:
        act(*arguments)
    except LinkedInError as exc:
        errors[key] = error_response(exc.status, exc.message, exc.service_error_code)
    else:
        results[key] = {"status": 204}


def _configurations_call(
    world: LinkedInWorld, request: Request, method: str | None = None, *, required: bool = False
) -> tuple[_Call, Key, list[str | dict[str, str]]]:
    """A customer's call on one integration's configurations: the call (its method header checked against
    ``method`` when one is expected), the integration's key from the path, and the ids the query names."""
    call = _Call(world, request)
    call.require_customer()
    if method is not None:
        call.require_method(method, required=required)
    return call, _integration_key_from_path(request), call.ids()


def _integration_key_from_path(request: Request) -> Key:
    """The entity key of ``/v2/atsIntegrations/{key}/configurations`` read from the raw path."""
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    segments = raw_path.decode("latin-1").split("?")[0].split("/")
    raw_key = segments[3]
    protocol = protocol_from_header(request.headers.get(PROTOCOL_VERSION_HEADER))
    try:
        return decode_key(raw_key, protocol, compound=True)
    except RestliSyntaxError as exc:
        raise LinkedInError(400, str(exc), 400) from exc


def create_app(world: LinkedInWorld, plugin_admin: CustomerAdmin | None = None) -> FastAPI:
    """The emulator's ASGI app over ``world``; the configuration plugin signs in ``plugin_admin`` (or an invented
    administrator, ``app.state.plugin.admin``)."""
    app = FastAPI(title="LinkedIn Middleware Platform (sandbox)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.plugin = install_plugin(app, world, plugin_admin or CustomerAdmin.invented())

    @app.exception_handler(LinkedInError)
    async def _refused(_: Request, exc: LinkedInError) -> JSONResponse:
        return restli_error(exc.status, exc.message, exc.service_error_code)

    # OAuth ----------------------------------------------------------------------------------------------------
    @app.post("/oauth/v2/accessToken")
    async def access_token(request: Request) -> JSONResponse:
        """Client credentials only; errors in LinkedIn's OAuth shape (``error``, ``error_description``)."""
        form = await request.form()
        for required in ("grant_type", "client_id", "client_secret"):
            if not form.get(required):
                return oauth_error(400, "invalid_request", f'A required parameter "{required}" is missing')
        if form["grant_type"] != "client_credentials":
            return oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported here")
        try:
            token = world.issue_token(str(form["client_id"]), str(form["client_secret"]))
        except LinkedInError:
            return oauth_error(401, "invalid_client", "Client authentication failed")
        return JSONResponse(
            {"access_token": token.token, "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds())},
            headers={"Cache-Control": "no-store"},
        )

    # provisioning ---------------------------------------------------------------------------------------------
    @app.post("/v2/provisionedApplications")
    async def provision(request: Request) -> JSONResponse:
        call = _Call(world, request)
        call.require_partner()
        body = await call.json()
        child = world.provision(
            call.app,
            unique_foreign_id=str(body.get("uniqueForeignId") or ""),
            name=body.get("name") or "",
            description=str(body.get("description") or ""),
            oauth2_authorized_callback_urls=body.get("oauth2AuthorizedCallbackUrls") or [],
            valid_js_sdk_domains=body.get("validJsSdkDomains") or [],
        )
        call.record()
        return JSONResponse(
            _application_view(child, with_credentials=True),
            status_code=201,
            headers={"X-RestLi-Id": child.urn, "X-LinkedIn-Id": child.urn},
        )

    @app.post("/v2/provisionedApplications/{urn}")
    async def update_application(urn: str, request: Request) -> Response:
        call = _Call(world, request)
        call.require_partner()
        child = world.application_by_urn(unquote(urn))
        if child is None or child.parent_client_id != call.app.client_id:
            raise LinkedInError(404, f"No application {urn}", 404)
        body = await call.json()
        changes = (body.get("patch") or {}).get("$set")
        if not isinstance(changes, dict) or not changes:
            raise LinkedInError(400, 'a partial update is {"patch": {"$set": {…}}}', 400)
        unknown = set(changes) - _PATCHABLE_APPLICATION_FIELDS
        if unknown:
            raise LinkedInError(400, f"fields not patchable: {', '.join(sorted(unknown))}", 400)
        if "name" in changes and (problem := validate_application_name(changes["name"])):
            raise LinkedInError(400, problem, 400)
        for field_name, attribute in (
            ("name", "name"),
            ("description", "description"),
            ("oauth2AuthorizedCallbackUrls", "oauth2_authorized_callback_urls"),
            ("validJsSdkDomains", "valid_js_sdk_domains"),
        ):
            if field_name in changes:
                setattr(child, attribute, changes[field_name])
        call.record()
        return Response(status_code=204)

    @app.get("/v2/provisionedApplications")
    async def find_applications(request: Request) -> JSONResponse:
        call = _Call(world, request)
        call.require_partner()
        if call.query.get("q") != "credentialsByUniqueForeignId":
            raise LinkedInError(400, "supported finder: q=credentialsByUniqueForeignId", 400)
        wanted = call.query.get("uniqueForeignId")
        if not wanted:
            raise LinkedInError(400, "uniqueForeignId is required", 400)
        found = [c for c in world.children_of(call.app) if c.unique_foreign_id == wanted]
        call.record()
        return JSONResponse(
            {
                "elements": [_application_view(c, with_credentials=True) for c in found],
                "paging": {"count": 10, "links": [], "start": 0},
            }
        )

    @app.post("/v2/developerApplicationsSecurity")
    async def roll_secret(request: Request) -> JSONResponse:
        """``{}`` rolls the caller's own secret; ``{"childDeveloperApplication": urn}`` (partner token) a child's."""
        call = _Call(world, request)
        if call.query.get("action") != "rollDeveloperApplicationSecret":
            raise LinkedInError(400, "supported action: rollDeveloperApplicationSecret", 400)
        body = await call.json()
        target = call.app
        child_urn = body.get("childDeveloperApplication")
        if child_urn:
            call.require_partner()
            child = world.application_by_urn(str(child_urn))
            if child is None or child.parent_client_id != call.app.client_id:
                raise LinkedInError(404, f"No application {child_urn}", 404)
            target = child
        secret = world.roll_secret(target)
        call.record()
        return JSONResponse({"value": {"client_secret": secret}})

    # atsIntegrations --------------------------------------------------------------------------------------------
    @app.post("/v2/atsIntegrations")
    async def batch_partial_update(request: Request) -> JSONResponse:
        call = _Call(world, request)
        call.require_customer()
        call.require_method("batch_partial_update", required=True)
        ids = call.ids()
        entities = _body_entities(await call.json(), call.protocol, compound=True)
        world.admit_integrations_call(call.app, entities=max(len(ids), len(entities)), batch=True)
        _match_ids(ids, entities)
        results: dict[str, dict[str, Any]] = {}
        errors: dict[str, dict[str, Any]] = {}
        for key, value in entities.values():
            response_key = _response_key(key, call.protocol, sample_order=True)
            failure = world.take_failure(key)
            if failure is not None:
                errors[response_key] = error_response(failure.status, failure.message, failure.status)
                continue
            patch = value.get("patch", {}).get("$set") if isinstance(value, dict) else None
            if not isinstance(patch, dict):
                errors[response_key] = error_response(400, 'each entity is {"patch": {"$set": {…}}}', 400)
                continue
            _write(results, errors, response_key, world.update_integration, call.app, key, patch)
        call.record()
        return JSONResponse(batch_response(results, errors))

    @app.get("/v2/atsIntegrations")
    async def get_integrations(request: Request) -> JSONResponse:
        call = _Call(world, request)
        call.require_customer()
        if call.query.get("q") == "request":
            call.require_method("finder", required=False)
            world.admit_integrations_call(call.app, entities=0, batch=False)
            request_id = call.query.get("requestId")
            if not request_id:
                raise LinkedInError(400, "requestId is required", 400)
            elements = [i.as_element() for i in world.integrations_for_request(call.app, request_id)]
            call.record()
            return JSONResponse({"elements": elements, "paging": {"count": 10, "links": [], "start": 0}})
        call.require_method("batch_get", required=False)
        ids = call.ids()
        if not ids:
            raise LinkedInError(400, "name the integrations with ids, or use q=request", 400)
        world.admit_integrations_call(call.app, entities=len(ids), batch=True)
        results: dict[str, dict[str, Any]] = {}
        errors: dict[str, dict[str, Any]] = {}
        for key in ids:
            response_key = _response_key(key, call.protocol, sample_order=False)
            try:
                integration = world.visible_integration(call.app, key)
            except LinkedInError as exc:
                errors[response_key] = error_response(exc.status, exc.message, exc.service_error_code)
                continue
            entity: dict[str, Any] = {"onboardingStatus": str(integration.onboarding_status)}
            if integration.integration_name is not None:
                entity["integrationName"] = integration.integration_name
            results[response_key] = entity
        call.record()
        return JSONResponse({**batch_response(results, errors), "statuses": {}})

    # configurations ----------------------------------------------------------------------------------------------
    @app.put("/v2/atsIntegrations/{key}/configurations")
    async def update_configurations(key: str, request: Request) -> JSONResponse:
        call, integration_key, ids = _configurations_call(world, request, "batch_update", required=True)
        entities = _body_entities(await call.json(), call.protocol, compound=False)
        world.admit_integrations_call(call.app, entities=max(len(ids), len(entities)), batch=False)
        _match_ids(ids, entities)
        world.visible_integration(call.app, integration_key)
        results: dict[str, dict[str, Any]] = {}
        errors: dict[str, dict[str, Any]] = {}
        for name, value in entities.values():
            assert isinstance(name, str)
            response_key = encode_key(name, call.protocol)
            failure = world.take_failure(name)
            if failure is not None:
                errors[response_key] = error_response(failure.status, failure.message, failure.status)
                continue
            configured = value.get("configurationValue") if isinstance(value, dict) else None
            text = configured.get("string") if isinstance(configured, dict) else None
            if not isinstance(text, str):
                errors[response_key] = error_response(400, 'each entity is {"configurationValue": {"string": …}}', 400)
                continue
            _write(results, errors, response_key, world.set_configuration, call.app, integration_key, name, text)
        call.record()
        return JSONResponse(batch_response(results, errors))

    @app.get("/v2/atsIntegrations/{key}/configurations")
    async def get_configurations(key: str, request: Request) -> JSONResponse:
        call, integration_key, ids = _configurations_call(world, request)
        world.admit_integrations_call(call.app, entities=len(ids), batch=False)
        integration = world.visible_integration(call.app, integration_key)
        call.record()
        if not ids:
            elements = [
                {"key": name, "configurationValue": {"string": value}}
                for name, value in sorted(integration.configurations.items())
            ]
            return JSONResponse({"elements": elements, "paging": {"count": 10, "links": [], "start": 0}})
        results: dict[str, dict[str, Any]] = {}
        errors: dict[str, dict[str, Any]] = {}
        for name in ids:
            assert isinstance(name, str)
            if name in integration.configurations:
                results[encode_key(name, call.protocol)] = {
                    "configurationValue": {"string": integration.configurations[name]}
                }
            else:
                errors[encode_key(name, call.protocol)] = error_response(404, f"no configuration {name}", 404)
        return JSONResponse({**batch_response(results, errors), "statuses": {}})

    @app.delete("/v2/atsIntegrations/{key}/configurations")
    async def delete_configurations(key: str, request: Request) -> JSONResponse:
        call, integration_key, ids = _configurations_call(world, request, "batch_delete", required=False)
        if not ids:
            raise LinkedInError(400, "name the configurations to delete with ids", 400)
        world.admit_integrations_call(call.app, entities=len(ids), batch=False)
        world.visible_integration(call.app, integration_key)
        results: dict[str, dict[str, Any]] = {}
        errors: dict[str, dict[str, Any]] = {}
        for name in ids:
            assert isinstance(name, str)
            response_key = encode_key(name, call.protocol)
            _write(results, errors, response_key, world.delete_configuration, call.app, integration_key, name)
        call.record()
        return JSONResponse(batch_response(results, errors))

    one_click_export.install(app, world)
    from hirehub.sandbox.linkedin import data_sync  # here: data_sync builds on this module's request helpers

    data_sync.install(app, world)
    return app
