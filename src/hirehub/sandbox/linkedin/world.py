"""The emulated Middleware Platform: developer applications, tokens, integrations, a clock and fault switches.

Every endpoint of the LinkedIn sandbox reads and changes one :class:`LinkedInWorld`; tests arrange it directly
the way LinkedIn's partner engineers and the customer would (register the partner application, play the
customer requesting integrations in the plugin or enabling one in LinkedIn Recruiter), then let the unmodified
product talk to the endpoints.

Whose token does what, as LinkedIn's own RSC Postman collection does it (LinkedIn's RSC onboarding guide only says "all
API requests require authorization"): the *partner* (parent) application's token creates, updates and looks up customer
(child) applications and rolls their secrets; the *customer* application's token calls ``atsIntegrations`` and its
``configurations`` — the partner acts "on behalf of the customer" with the customer's own credentials.

Rules LinkedIn enforces and the emulator enforces the same way, each refused call counted in
:attr:`LinkedInWorld.violations` and changing nothing:

- at most 100 entities in one ``atsIntegrations`` call (400);
- at least one second between two batch calls on ``atsIntegrations`` by the same partner (429) — the RSC onboarding
  guide's "minimum delay of one-second between calls"; the partner is the parent of the calling customer app, so one
  hub pacing all of its tenants through one queue is what passes;
- 5,000 ``atsIntegrations`` calls (configurations included) per application per UTC day (429).
"""

from __future__ import annotations

import enum
import secrets
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from hirehub.restli import Key, KeyId, freeze_key
from hirehub.sandbox.entra.world import SandboxClock

if TYPE_CHECKING:
    from hirehub.sandbox.linkedin.notifications import Delivery, Notification, Notifier

ACCESS_TOKEN_LIFETIME = timedelta(minutes=30)
"""LinkedIn's two-legged (client credentials) tokens live 30 minutes."""

MAX_SECRETS = 2
MAX_APPLICATION_NAME = 50
MAX_ENTITIES_PER_CALL = 100
MIN_SECONDS_BETWEEN_CALLS = 1.0
DAILY_CALLS_PER_APP = 5_000

INTEGRATION_TYPES = frozenset(
    {
        "APPLY_CONNECT",
        "APPLY_WITH_LINKEDIN",
        "IN_ATS_INDICATOR",
        "ONE_CLICK_EXPORT",
        "PROFILE_PLUGIN",
        "RECOMMENDED_MATCHES",
        "UNIFIED_SEARCH",
        "CSA_API",
    }
)
CONTRACT_INTEGRATION_TYPES = frozenset({"CSA_API"})
"""Integration types keyed by ``urn:li:contract:``; all others are keyed by ``urn:li:organization:``."""

REQUIRED_CONFIGURATIONS: Mapping[str, frozenset[str]] = {"ONE_CLICK_EXPORT": frozenset({"CALLBACK_URL"})}
"""Configuration keys an integration needs before LinkedIn lets the customer enable it."""

CONFIGURATION_KEYS = frozenset({"CALLBACK_URL", "JOB_POSTING_VIEWERS", "APPLICATION_VIEWERS"})

BUNDLES: Mapping[str, tuple[tuple[str, str], ...]] = {
    "RECRUITER_SYSTEM_CONNECT_COMPANY": (
        ("ONE_CLICK_EXPORT", "RECRUITER"),
        ("IN_ATS_INDICATOR", "RECRUITER"),
        ("PROFILE_PLUGIN", "RECRUITER"),
    ),
    "RECRUITER_SYSTEM_CONNECT_CONTRACT": (("CSA_API", "RECRUITER"),),
    "APPLY_WITH_LINKEDIN": (("APPLY_WITH_LINKEDIN", "JOBS"),),
    "APPLY_CONNECT": (("APPLY_CONNECT", "JOBS"),),
}
"""What each ``data-supported-bundled-integration-types`` value of the plugin expands to (integration type, tenant
type). LinkedIn's RSC onboarding guide names the bundles but not their contents; RSC's are the Recruiter integrations of
LinkedIn's integration-type list (organization-keyed for the company bundle, ``CSA_API`` for the contract one); the
Apply bundles' tenant type ``JOBS`` is an assumption."""

INTEGRATION_KEY_PARTS = ("integrationContext", "integrationType", "tenantType", "dataProvider")


class OnboardingStatus(enum.StrEnum):
    """The three onboarding statuses of LinkedIn's RSC onboarding guide."""

    REQUESTED = "REQUESTED"
    PARTNER_READY = "PARTNER_READY"
    ENABLED = "ENABLED"


class Violation(enum.StrEnum):
    """Rules of the Middleware Platform a caller broke (each a refused call)."""

    TOO_MANY_ENTITIES = "too_many_entities"
    TOO_FAST = "too_fast"
    DAILY_LIMIT = "daily_limit"


class LinkedInError(Exception):
    """A refusal the endpoints turn into a Rest.li ``ErrorResponse``."""

    def __init__(self, status: int, message: str, service_error_code: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.service_error_code = service_error_code


class InvalidToken(LinkedInError):
    """Missing, unknown or expired bearer token (LinkedIn answers 401 with 65600 / 65601)."""


@dataclass
class DeveloperApplication:
    """A LinkedIn developer application: the partner's own (``parent_client_id`` None) or a customer's child app
    provisioned by it."""

    id: int
    client_id: str
    secrets: list[str]
    name: str
    description: str = ""
    unique_foreign_id: str | None = None
    parent_client_id: str | None = None
    oauth2_authorized_callback_urls: list[str] = field(default_factory=list)
    valid_js_sdk_domains: list[str] = field(default_factory=list)

    @property
    def urn(self) -> str:
        return f"urn:li:developerApplication:{self.id}"

    @property
    def is_partner(self) -> bool:
        return self.parent_client_id is None

    @property
    def current_secret(self) -> str:
        """The newest secret: what LinkedIn signs this app's push notifications with."""
        return self.secrets[-1]


@dataclass
class AccessToken:
    token: str
    client_id: str
    expires_at: float
    """Sandbox seconds (``clock.seconds()``) at which the token stops working."""


@dataclass
class Integration:
    """One customer integration, keyed by (integrationContext, integrationType, tenantType, dataProvider)."""

    integration_context: str
    integration_type: str
    tenant_type: str
    data_provider: str
    owner_client_id: str | None
    """The customer app that owns it (the one whose token may see and change it); None until one claims it."""
    integration_name: str | None = None
    onboarding_status: OnboardingStatus = OnboardingStatus.REQUESTED
    configurations: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> dict[str, str]:
        return integration_key(self.integration_context, self.integration_type, self.tenant_type, self.data_provider)

    def as_element(self) -> dict[str, str]:
        """The record the request finder returns (the guide's ``elements[]``)."""
        element = {**self.key, "onboardingStatus": str(self.onboarding_status)}
        if self.integration_name is not None:
            element["integrationName"] = self.integration_name
        return dict(sorted(element.items()))

    def missing_configurations(self) -> frozenset[str]:
        return REQUIRED_CONFIGURATIONS.get(self.integration_type, frozenset()) - self.configurations.keys()


@dataclass(frozen=True)
class FailureSwitch:
    status: int
    message: str


def integration_key(
    integration_context: str,
    integration_type: str,
    tenant_type: str = "RECRUITER",
    data_provider: str = "ATS",
) -> dict[str, str]:
    """The compound key of an integration, parts in the guide's order."""
    return {
        "integrationContext": integration_context,
        "integrationType": integration_type,
        "tenantType": tenant_type,
        "dataProvider": data_provider,
    }


def validate_integration_key(key: Key) -> str | None:
    """Why ``key`` cannot name an integration, or None when it can."""
    if isinstance(key, str) or set(key) != set(INTEGRATION_KEY_PARTS):
        return f"an atsIntegrations key has exactly the parts {', '.join(INTEGRATION_KEY_PARTS)}"
    if key["integrationType"] not in INTEGRATION_TYPES:
        return f"unknown integrationType {key['integrationType']!r}"
    prefix = "urn:li:contract:" if key["integrationType"] in CONTRACT_INTEGRATION_TYPES else "urn:li:organization:"
    context = key["integrationContext"]
    if not context.startswith(prefix) or len(context) == len(prefix):
        return f"integrationContext for {key['integrationType']} must be {prefix}{{id}}, not {context!r}"
    if key["dataProvider"] != "ATS":
        return "dataProvider must be ATS"
    return None


def validate_application_name(name: object) -> str | None:
    """Why LinkedIn refuses ``name`` for a provisioned application, or None."""
    if not isinstance(name, str) or not name.strip():
        return "name is required"
    if len(name) > MAX_APPLICATION_NAME:
        return f"name must be at most {MAX_APPLICATION_NAME} characters"
    if "linkedin" in name.lower():
        return 'name must not contain "LinkedIn"'
    return None


class LinkedInWorld:
    """Everything the emulated Middleware Platform shares: apps, tokens, integrations, notifications, counters."""

    def __init__(self, *, clock: SandboxClock | None = None, notifier: Notifier | None = None) -> None:
        from hirehub.sandbox.linkedin.data_world import SyncedData
        from hirehub.sandbox.linkedin.notifications import Notifier

        self.clock = clock or SandboxClock()
        self.notifier = notifier or Notifier()
        self.applications: dict[str, DeveloperApplication] = {}
        self.tokens: dict[str, AccessToken] = {}
        self.integrations: dict[KeyId, Integration] = {}
        self._callback_holders: Counter[tuple[str, str | None]] = Counter()
        """(CALLBACK_URL, owning client id) → how many integrations use it: the uniqueness check in O(1)."""
        self.requests: dict[str, list[KeyId]] = {}
        """Request (notification) id → the integrations it is about: what ``q=request`` returns."""
        self.notifications: dict[str, Notification] = {}
        self.exports: dict[str, tuple[str, dict[str, Any]]] = {}
        """One-Click Export request id → (the customer app it was exported to, the ``exportedCandidates`` element)."""
        self.deliveries: list[Delivery] = []
        self.violations: Counter[Violation] = Counter()
        self.calls: list[tuple[str, str, str]] = []
        """Every API call accepted, as (client_id, method, path), for tests that check what the product sent."""
        self._next_app_id = 10_000
        self._last_batch_call: dict[str, float] = {}
        self._daily_calls: Counter[tuple[str, date]] = Counter()
        self._failures: dict[KeyId, list[FailureSwitch]] = {}
        self.data = SyncedData(self)
        """What the customers' ATS synced after onboarding (:mod:`~hirehub.sandbox.linkedin.data_world`)."""

    # arranging the world ------------------------------------------------------------------------------------
    def register_partner(
        self, name: str = "hirehub", *, client_id: str | None = None, client_secret: str | None = None
    ) -> DeveloperApplication:
        """The partner's own application, as LinkedIn's partner engineering configures it."""
        return self._add_application(name, client_id=client_id, client_secret=client_secret)

    def _add_application(
        self,
        name: str,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        parent: DeveloperApplication | None = None,
        **attributes: object,
    ) -> DeveloperApplication:
        self._next_app_id += 1
        app = DeveloperApplication(
            id=self._next_app_id,
            client_id=client_id or secrets.token_hex(7),
            secrets=[client_secret or secrets.token_urlsafe(12)],
            name=name,
            parent_client_id=parent.client_id if parent else None,
        )
        for attribute, value in attributes.items():
            setattr(app, attribute, value)
        self.applications[app.client_id] = app
        return app

    def application_by_urn(self, urn: str) -> DeveloperApplication | None:
        return next((app for app in self.applications.values() if app.urn == urn), None)

    def children_of(self, partner: DeveloperApplication) -> list[DeveloperApplication]:
        return [app for app in self.applications.values() if app.parent_client_id == partner.client_id]

    # provisioning ------------------------------------------------------------------------------------------
    def provision(
        self,
        partner: DeveloperApplication,
        *,
        unique_foreign_id: str,
        name: str,
        description: str,
        oauth2_authorized_callback_urls: Iterable[str] = (),
        valid_js_sdk_domains: Iterable[str] = (),
    ) -> DeveloperApplication:
        """A customer (child) application of ``partner``; the uniqueForeignId is unique among its children."""
        if not partner.is_partner:
            raise LinkedInError(403, "Only a parent application can provision applications", 100)
        if not unique_foreign_id:
            raise LinkedInError(400, "uniqueForeignId is required")
        if any(child.unique_foreign_id == unique_foreign_id for child in self.children_of(partner)):
            raise LinkedInError(409, f"An application with uniqueForeignId {unique_foreign_id} already exists")
        problem = validate_application_name(name)
        if problem:
            raise LinkedInError(400, problem)
        if not description:
            raise LinkedInError(400, "description is required")
        return self._add_application(
            name,
            parent=partner,
            description=description,
            unique_foreign_id=unique_foreign_id,
            oauth2_authorized_callback_urls=list(oauth2_authorized_callback_urls),
            valid_js_sdk_domains=list(valid_js_sdk_domains),
        )

    def roll_secret(self, app: DeveloperApplication) -> str:
        """A new secret added beside the old one (both work); refused when the app already has two."""
        if len(app.secrets) >= MAX_SECRETS:
            raise LinkedInError(
                400, f"The application already has {MAX_SECRETS} secrets; delete one before rotating", 400
            )
        secret = secrets.token_urlsafe(12)
        app.secrets.append(secret)
        return secret

    def delete_secret(self, app: DeveloperApplication, secret: str) -> None:
        """Remove one of an app's secrets (the other keeps working), as the secret-management page allows."""
        if secret not in app.secrets or len(app.secrets) == 1:
            raise LinkedInError(400, "cannot delete that secret")
        app.secrets.remove(secret)

    # tokens ----------------------------------------------------------------------------------------------------
    def issue_token(self, client_id: str, client_secret: str) -> AccessToken:
        """A client-credentials token, or :class:`LinkedInError` 401 ``invalid_client`` for wrong credentials."""
        app = self.applications.get(client_id)
        if app is None or client_secret not in app.secrets:
            raise LinkedInError(401, "Client authentication failed")
        token = AccessToken(
            secrets.token_urlsafe(48), client_id, self.clock.seconds() + ACCESS_TOKEN_LIFETIME.total_seconds()
        )
        self.tokens[token.token] = token
        return token

    def authenticate(self, authorization: str | None) -> DeveloperApplication:
        """The application a ``Bearer`` header belongs to, at the sandbox's own time."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise InvalidToken(401, "Empty oauth2 access token", 65600)
        token = self.tokens.get(authorization[7:].strip())
        if token is None:
            raise InvalidToken(401, "Invalid access token", 65600)
        if token.expires_at <= self.clock.seconds():
            raise InvalidToken(401, "The token used in the request has expired", 65601)
        return self.applications[token.client_id]

    # rules -----------------------------------------------------------------------------------------------------
    def admit_integrations_call(self, app: DeveloperApplication, *, entities: int, batch: bool) -> None:
        """Apply the Middleware Platform's limits to one ``atsIntegrations`` call, or refuse it (and count it).

        Refused calls change nothing, including the pacing clock: only accepted calls start a new second.
        """
        if entities > MAX_ENTITIES_PER_CALL:
            self.violations[Violation.TOO_MANY_ENTITIES] += 1
            raise LinkedInError(
                400, f"A batch call may carry at most {MAX_ENTITIES_PER_CALL} entities, got {entities}", 400
            )
        today = self.clock.now().date()
        if self._daily_calls[(app.client_id, today)] >= DAILY_CALLS_PER_APP:
            self.violations[Violation.DAILY_LIMIT] += 1
            raise LinkedInError(429, "Resource level throttle APPLICATION DAY limit for calls to this resource", 429)
        partner = app.parent_client_id or app.client_id
        now = self.clock.seconds()
        if batch:
            last = self._last_batch_call.get(partner)
            if last is not None and now - last < MIN_SECONDS_BETWEEN_CALLS:
                self.violations[Violation.TOO_FAST] += 1
                raise LinkedInError(429, "Too many requests: wait at least one second between batch calls", 429)
            self._last_batch_call[partner] = now
        self._daily_calls[(app.client_id, today)] += 1

    def calls_today(self, app: DeveloperApplication) -> int:
        return self._daily_calls[(app.client_id, self.clock.now().date())]

    def fail_next_update_for(self, key: Key, status: int = 500, message: str = "Internal Server Error") -> None:
        """Make the next write to this integration (or configuration key) fail with ``status`` in the batch
        answer, once, so the product's per-entity retry can be tested. Calls stack: two calls, two failures."""
        self._failures.setdefault(freeze_key(key), []).append(FailureSwitch(status, message))

    def take_failure(self, key: Key) -> FailureSwitch | None:
        pending = self._failures.get(freeze_key(key))
        if not pending:
            return None
        failure = pending.pop(0)
        if not pending:
            del self._failures[freeze_key(key)]
        return failure

    # integrations --------------------------------------------------------------------------------------------
    def integration(self, key: Key) -> Integration | None:
        return self.integrations.get(freeze_key(key))

    def request_integrations(
        self, customer: DeveloperApplication, integration_context: str, bundles: Iterable[str]
    ) -> list[dict[str, str]]:
        """The customer requesting integrations in the configuration plugin: REQUESTED integrations, and the
        payload the plugin hands to the page's ``data-onintegrate`` callback (integrationContext,
        integrationType, tenantType each)."""
        payload: list[dict[str, str]] = []
        for bundle in bundles:
            for integration_type, tenant_type in BUNDLES[bundle]:
                context = integration_context
                if integration_type in CONTRACT_INTEGRATION_TYPES and not context.startswith("urn:li:contract:"):
                    continue
                if integration_type not in CONTRACT_INTEGRATION_TYPES and context.startswith("urn:li:contract:"):
                    continue
                key = integration_key(context, integration_type, tenant_type)
                if self.integration(key) is None:
                    self.integrations[freeze_key(key)] = Integration(
                        context, integration_type, tenant_type, "ATS", customer.client_id
                    )
                payload.append(
                    {"integrationContext": context, "integrationType": integration_type, "tenantType": tenant_type}
                )
        return payload

    def update_integration(self, app: DeveloperApplication, key: Key, patch: Mapping[str, object]) -> Integration:
        """One entity of a ``batch_partial_update``: create or update the integration, then re-derive its status.

        An integration the plugin never requested is created on the partner's update (the guide: "Creating
        integrations must be done server-side"); one owned by another customer app is refused (403).
        """
        problem = validate_integration_key(key)
        if problem:
            raise LinkedInError(400, problem, 400)
        assert not isinstance(key, str)
        unknown = set(patch) - {"integrationName"}
        if unknown:
            raise LinkedInError(400, f"fields not patchable: {', '.join(sorted(unknown))}", 400)
        name = patch.get("integrationName")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise LinkedInError(400, "integrationName must be a non-empty string", 400)
        integration = self._owned_or_new(app, key)
        if isinstance(name, str):
            integration.integration_name = name
        self._settle_status(integration)
        return integration

    def _owned_or_new(self, app: DeveloperApplication, key: Mapping[str, str]) -> Integration:
        integration = self.integration(key)
        if integration is None:
            integration = Integration(
                key["integrationContext"],
                key["integrationType"],
                key["tenantType"],
                key["dataProvider"],
                app.client_id,
            )
            self.integrations[freeze_key(key)] = integration
        elif integration.owner_client_id is None:
            integration.owner_client_id = app.client_id
        elif integration.owner_client_id != app.client_id:
            raise LinkedInError(403, "Not enough permissions to access this integration", 100)
        return integration

    def visible_integration(self, app: DeveloperApplication, key: Key) -> Integration:
        """The integration if ``app`` may see it (404 otherwise, as LinkedIn hides other customers' data)."""
        integration = self.integration(key)
        if integration is None or integration.owner_client_id != app.client_id:
            raise LinkedInError(404, "Not found", 404)
        return integration

    def set_configuration(self, app: DeveloperApplication, key: Key, name: str, value: str) -> None:
        """One entity of a configurations ``batch_update``."""
        integration = self.visible_integration(app, key)
        if name not in CONFIGURATION_KEYS:
            raise LinkedInError(400, f"unknown configuration key {name!r}", 400)
        if name == "CALLBACK_URL":
            self._check_callback_url(integration, value)
            self._forget_callback(integration)
            self._callback_holders[(value, integration.owner_client_id)] += 1
        integration.configurations[name] = value
        self._settle_status(integration)

    def delete_configuration(self, app: DeveloperApplication, key: Key, name: str) -> None:
        integration = self.visible_integration(app, key)
        if name not in integration.configurations:
            raise LinkedInError(404, f"no configuration {name}", 404)
        if name == "CALLBACK_URL":
            self._forget_callback(integration)
        del integration.configurations[name]
        self._settle_status(integration)

    def _check_callback_url(self, integration: Integration, url: str) -> None:
        """Callbacks are HTTPS (or HTTP on port 80, which the emulator does not check) and unique per customer."""
        if not url.lower().startswith(("https://", "http://")):
            raise LinkedInError(400, "CALLBACK_URL must be an absolute http(s) URL", 400)
        for (held_url, owner), count in self._callback_holders.items():
            if held_url == url and owner != integration.owner_client_id and count > 0:
                raise LinkedInError(400, "CALLBACK_URL must be unique per customer", 400)

    def _forget_callback(self, integration: Integration) -> None:
        current = integration.configurations.get("CALLBACK_URL")
        if current is not None:
            self._callback_holders[(current, integration.owner_client_id)] -= 1

    @staticmethod
    def _settle_status(integration: Integration) -> None:
        """REQUESTED until the partner has named the integration and sent its required configurations, then
        PARTNER_READY; ENABLED is the customer's to give and is never taken back here."""
        if integration.onboarding_status is OnboardingStatus.ENABLED:
            return
        ready = integration.integration_name is not None and not integration.missing_configurations()
        integration.onboarding_status = OnboardingStatus.PARTNER_READY if ready else OnboardingStatus.REQUESTED

    # the customer enabling, and the push notification ------------------------------------------------------
    async def enable(self, key: Key) -> Notification | None:
        """The customer enabling the integration in LinkedIn: PARTNER_READY → ENABLED, then a signed push
        notification to its CALLBACK_URL (None when it has none: the guide says notifications need one)."""
        integration = self.integration(key)
        if integration is None:
            raise KeyError(f"no integration {key!r}")
        if integration.onboarding_status is not OnboardingStatus.PARTNER_READY:
            raise ValueError(f"only a PARTNER_READY integration can be enabled, not {integration.onboarding_status}")
        integration.onboarding_status = OnboardingStatus.ENABLED
        return await self.notify(integration)

    def new_notification(self, integration: Integration, *, expired: bool = False) -> Notification | None:
        """A push notification about ``integration`` (its id is also a request id for the ``q=request`` finder),
        signed with the owning customer app's current secret; ``expired`` dates its ``expiresAt`` in the past.
        ``expiresAt`` is on the protocol clock: receivers judge it with the wall clock, whatever the calendar."""
        from hirehub.sandbox.linkedin.notifications import build_notification

        callback = integration.configurations.get("CALLBACK_URL")
        if callback is None or integration.owner_client_id is None:
            return None
        request_id = str(uuid.uuid4())
        self.requests[request_id] = [freeze_key(integration.key)]
        app = self.applications[integration.owner_client_id]
        notification = build_notification(
            request_id, callback, app.current_secret, now=self.clock.protocol_now(), expired=expired
        )
        self.notifications[notification.id] = notification
        return notification

    async def notify(self, integration: Integration, *, expired: bool = False) -> Notification | None:
        notification = self.new_notification(integration, expired=expired)
        if notification is not None:
            await self.deliver(notification)
        return notification

    async def deliver(self, notification: Notification) -> Delivery:
        """Send (or send again, to test the receiver's de-duplication) a notification; the result is recorded."""
        delivery = await self.notifier.deliver(notification, at=self.clock.now())
        self.deliveries.append(delivery)
        return delivery

    def integrations_for_request(self, app: DeveloperApplication, request_id: str) -> list[Integration]:
        keys = self.requests.get(request_id, [])
        found = [self.integrations[key] for key in keys if key in self.integrations]
        return [integration for integration in found if integration.owner_client_id == app.client_id]
