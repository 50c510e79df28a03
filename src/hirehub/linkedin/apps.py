"""The partner app (the hub's own) and each tenant's customer app: set, provision, bring, enable, disable.

A customer app is created through the Provisioning API with the partner's token the first time a tenant turns RSC
on (``uniqueForeignId`` = the tenant's id, so a retry after a lost answer finds the app it already created instead
of creating a second one: LinkedIn answers 409 and ``q=credentialsByUniqueForeignId`` returns it). An existing
customer may bring the key it already has instead. Secrets are sealed before they are stored and never returned.

No database transaction is held open across a call to LinkedIn (on SQLite every transaction holds the write lock):
what a call needs is read first, the call made, and its outcome written in a second transaction that re-checks.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.session import Database
from hirehub.errors import Conflict, NotFound
from hirehub.linkedin import catalog
from hirehub.linkedin.errors import LinkedInError, LinkedInRefused, calling_linkedin
from hirehub.linkedin.models import PARTNER_APP_ID, AppOrigin, Contract, CustomerApp, PartnerApp
from hirehub.linkedin.runtime import LinkedInRuntime
from hirehub.tenancy.models import Tenant


def contract_value(value: str) -> str:
    try:
        return Contract(value.strip().lower()).value
    except ValueError:
        raise LinkedInError(f"'{value}' is not a contract (development or production)", field="contract") from None


def _credential(value: str, field: str) -> str:
    clean = value.strip()
    if not clean or len(clean) > 200 or any(ch.isspace() for ch in clean):
        what = field.replace("_", " ").replace(" id", " ID")
        raise LinkedInError(f"the {what} must be a non-empty value without spaces (at most 200 characters)",
                            field=field)  # fmt: skip
    return clean


# The partner app --------------------------------------------------------------------------------------------
async def set_partner(
    session: AsyncSession,
    runtime: LinkedInRuntime,
    *,
    client_id: str,
    client_secret: str,
    ats_name: str | None = None,
    contract: str | None = None,
) -> PartnerApp:
    """Set (or replace) the hub's LinkedIn developer application; the secret is sealed at once."""
    clean_id = _credential(client_id, "client_id")
    clean_secret = _credential(client_secret, "client_secret")
    name = None if ats_name is None else " ".join(ats_name.split())
    if name is not None and (not 0 < len(name) <= 40 or "linkedin" in name.lower()):
        raise LinkedInError("the ATS name must have 1 to 40 characters and must not contain 'LinkedIn'",
                            field="ats_name")  # fmt: skip
    partner = await session.get(PartnerApp, PARTNER_APP_ID)
    if partner is None:
        partner = PartnerApp(id=PARTNER_APP_ID, client_id=clean_id, client_secret_sealed="")
        session.add(partner)
    partner.client_id = clean_id
    partner.client_secret_sealed = runtime.sealer.seal(clean_secret)
    if name:
        partner.ats_name = name
    partner.contract = contract_value(contract) if contract else partner.contract or Contract.DEVELOPMENT.value
    await session.flush()
    return partner


async def get_partner(session: AsyncSession) -> PartnerApp | None:
    return await session.get(PartnerApp, PARTNER_APP_ID)


async def require_partner(session: AsyncSession) -> PartnerApp:
    partner = await get_partner(session)
    if partner is None:
        raise Conflict(
            "the hub has no LinkedIn partner application: its operator sets one with "
            "`hirehub linkedin partner set --client-id … --client-secret-stdin`"
        )
    return partner


# Customer apps ----------------------------------------------------------------------------------------------
async def get_customer_app(session: AsyncSession) -> CustomerApp | None:
    """The session's tenant's customer app, if it ever turned RSC on."""
    return await session.scalar(select(CustomerApp))


async def require_enabled_app(session: AsyncSession) -> CustomerApp:
    app = await get_customer_app(session)
    if app is None or not app.enabled:
        raise Conflict("LinkedIn RSC is not turned on for this tenant: `hirehub linkedin enable` first")
    return app


@dataclass(frozen=True)
class EnableOptions:
    """What a tenant chooses when it turns RSC on (every field optional when it is already on)."""

    client_id: str | None = None
    client_secret: str | None = None
    integration_types: Sequence[str] | None = None
    widget_width: int | None = None
    acl_based_visibility: bool | None = None
    contract: str | None = None

    def validated(self) -> EnableOptions:
        """The options checked before anything is called or stored (bad input changes nothing)."""
        if (self.client_id is None) != (self.client_secret is None):
            missing = "client_secret" if self.client_secret is None else "client_id"
            raise LinkedInError("bringing an existing key takes both its client ID and its client secret",
                                field=missing)  # fmt: skip
        return EnableOptions(
            client_id=None if self.client_id is None else _credential(self.client_id, "client_id"),
            client_secret=None if self.client_secret is None else _credential(self.client_secret, "client_secret"),
            integration_types=(
                None if self.integration_types is None else catalog.bundled_types(self.integration_types)
            ),
            widget_width=None if self.widget_width is None else catalog.widget_width(self.widget_width),
            acl_based_visibility=self.acl_based_visibility,
            contract=None if self.contract is None else contract_value(self.contract),
        )


def _apply(app: CustomerApp, options: EnableOptions) -> None:
    app.enabled = True
    if options.integration_types is not None:
        app.integration_types = list(options.integration_types)
    if options.widget_width is not None:
        app.widget_width = options.widget_width
    if options.acl_based_visibility is not None:
        app.acl_based_visibility = options.acl_based_visibility
    if options.contract is not None:
        app.contract = options.contract


def _new_app(
    runtime: LinkedInRuntime, *, origin: AppOrigin, client_id: str, secret: str, urn: str | None
) -> CustomerApp:
    return CustomerApp(
        origin=origin,
        client_id=client_id,
        client_secret_sealed=runtime.sealer.seal(secret),
        application_urn=urn,
        push_token=secrets.token_urlsafe(32),
        integration_types=list(catalog.RSC_BUNDLED_TYPES),
        widget_width=600,
        acl_based_visibility=False,
        enabled=True,
    )


async def enable(
    database: Database, tenant_id: uuid.UUID, runtime: LinkedInRuntime, options: EnableOptions
) -> CustomerApp:
    """Turn RSC on for the tenant: provision its customer app (or take the one it brings), then its settings."""
    chosen = options.validated()
    async with database.tenant_transaction(tenant_id) as session:
        existing = await get_customer_app(session)
        if existing is not None or chosen.client_id is not None:
            app = existing
            if chosen.client_id is not None and chosen.client_secret is not None:
                if app is None:
                    app = _new_app(runtime, origin=AppOrigin.BROUGHT, client_id=chosen.client_id,
                                   secret=chosen.client_secret, urn=None)  # fmt: skip
                    session.add(app)
                else:
                    app.origin, app.client_id, app.application_urn = AppOrigin.BROUGHT, chosen.client_id, None
                    app.client_secret_sealed = runtime.sealer.seal(chosen.client_secret)
            assert app is not None
            _apply(app, chosen)
            await session.flush()
            return app
        partner = await require_partner(session)
        tenant = await session.get_one(Tenant, tenant_id)
        partner_id, partner_secret = partner.client_id, runtime.sealer.open(partner.client_secret_sealed)
        request = provisioning_request(partner.ats_name, tenant, runtime.base_url)
    urn, client_id, secret = await _provision(
        database, runtime, partner_id=partner_id, partner_secret=partner_secret, request=request
    )
    async with database.tenant_transaction(tenant_id) as session:
        app = await get_customer_app(session)
        if app is None:  # another enable may have won the race while LinkedIn answered; its app is the same one
            app = _new_app(runtime, origin=AppOrigin.PROVISIONED, client_id=client_id, secret=secret, urn=urn)
            session.add(app)
        _apply(app, chosen)
        await session.flush()
        return app


def provisioning_request(ats_name: str, tenant: Tenant, base_url: str) -> dict[str, Any]:
    """The Provisioning API's body for one tenant's customer app."""
    origin = urlsplit(base_url)
    return {
        "uniqueForeignId": str(tenant.id),
        "name": catalog.customer_app_name(ats_name, tenant.name),
        "description": f"{ats_name} integration of {tenant.name} ({tenant.domain})"[:250],
        "oauth2AuthorizedCallbackUrls": [f"{base_url.rstrip('/')}/console/linkedin/plugin"],
        "validJsSdkDomains": [f"{origin.scheme}://{origin.netloc}"],
    }


async def _provision(
    database: Database, runtime: LinkedInRuntime, *, partner_id: str, partner_secret: str, request: dict[str, Any]
) -> tuple[str | None, str, str]:
    with calling_linkedin("the customer app"):
        client = await runtime.client(database, partner_id, partner_secret)
        try:
            created = await client.provision_application(request)
        except LinkedInRefused as exc:
            if exc.linkedin_status != 409:
                raise
            found = await client.application_by_foreign_id(request["uniqueForeignId"])
            if found is None:
                raise LinkedInRefused("it reports the app exists but does not return it") from exc
            created = found
    return _credentials_of(created)


def _credentials_of(application: dict[str, Any]) -> tuple[str | None, str, str]:
    credentials = application.get("credentials") or application
    client_id, secret = credentials.get("client_id"), credentials.get("client_secret")
    if not isinstance(client_id, str) or not isinstance(secret, str):
        raise LinkedInRefused("LinkedIn's answer holds no client credentials for the customer app")
    urn = application.get("key") or application.get("id")
    return (str(urn) if urn else None), client_id, secret


async def disable(session: AsyncSession) -> CustomerApp:
    """Turn RSC off: the plugin page and push endpoint refuse; the app and integrations are kept for re-enabling."""
    app = await get_customer_app(session)
    if app is None:
        raise NotFound("LinkedIn RSC was never turned on for this tenant")
    app.enabled = False
    await session.flush()
    return app


def effective_contract(app: CustomerApp | None, partner: PartnerApp | None) -> str:
    if app is not None and app.contract:
        return app.contract
    return partner.contract if partner is not None else Contract.DEVELOPMENT.value
