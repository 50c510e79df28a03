"""``hirehub linkedin …``: the hub's partner app, each tenant's RSC switch, its integrations and their statuses.

``partner set|show`` are the hub operator's (hub-level, no ``--tenant``); everything else acts in one tenant.
Secrets are read from stdin only (``--client-secret-stdin``), so they stay out of shell history and process lists.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Awaitable, Callable
from functools import partial

import typer

from hirehub.bootstrap import Hub
from hirehub.cli.context import Result, change_in, read_in, with_hub, with_tenant
from hirehub.cli.output import JsonOption, refuse
from hirehub.errors import Invalid
from hirehub.linkedin import data_status, operations
from hirehub.linkedin.apps import EnableOptions
from hirehub.linkedin.runtime import LinkedInRuntime, linkedin_runtime

TenantOption = typer.Option(..., "--tenant", help="Tenant GUID or domain.")

linkedin_app = typer.Typer(help="LinkedIn Recruiter System Connect: customer apps, integrations, their statuses.")
partner_app = typer.Typer(help="The hub's own LinkedIn developer application (the ATS partner's).")
integrations_app = typer.Typer(help="The integrations customers pre-authorized in LinkedIn's plugin.")
status_app = typer.Typer(help="Onboarding statuses, retrieved from LinkedIn.")
sync_app = typer.Typer(help="Data sync once enabled: job postings, candidates and applications sent to LinkedIn.")
linkedin_app.add_typer(partner_app, name="partner")
linkedin_app.add_typer(sync_app, name="sync")
linkedin_app.add_typer(integrations_app, name="integrations")
linkedin_app.add_typer(status_app, name="status")


def _secret_from_stdin(wanted: bool) -> str | None:
    return sys.stdin.readline().strip() if wanted else None


async def _talking_to_linkedin(work: Callable[[LinkedInRuntime], Awaitable[Result]]) -> Result:
    """``work``'s result, with a client for LinkedIn's APIs that is closed when it returns."""
    async with linkedin_runtime() as runtime:
        return await work(runtime)


@partner_app.command("set")
def partner_set(
    client_id: str = typer.Option(..., "--client-id", help="The partner app's client ID."),
    client_secret_stdin: bool = typer.Option(False, "--client-secret-stdin", help="Read the client secret from stdin."),
    ats_name: str | None = typer.Option(None, "--ats-name", help="The ATS name in customer app names (hirehub)."),
    contract: str | None = typer.Option(None, "--contract", help="development or production."),
    as_json: bool = JsonOption,
) -> None:
    """Set the partner application; its secret is sealed at once and never shown again."""
    secret = _secret_from_stdin(client_secret_stdin)
    if not secret:
        message = "the client secret is read from stdin: pass --client-secret-stdin and pipe it in"
        refuse(Invalid(message, field="client_secret"), as_json)

    async def partner(hub: Hub) -> Result:
        return await _talking_to_linkedin(partial(
            operations.partner_set, hub.database, client_id=client_id, client_secret=secret, ats_name=ats_name,
            contract=contract,
        ))  # fmt: skip

    with_hub(partner, as_json)


@partner_app.command("show")
def partner_show(as_json: bool = JsonOption) -> None:
    """The partner application (never its secret)."""
    with_hub(lambda hub: operations.partner_show(hub.database), as_json)


@linkedin_app.command("enable")
def enable(
    tenant: str = TenantOption,
    client_id: str | None = typer.Option(None, "--client-id", help="Bring the customer's existing API key."),
    client_secret_stdin: bool = typer.Option(False, "--client-secret-stdin", help="Its secret, read from stdin."),
    integration_types: str | None = typer.Option(
        None, "--integration-types", help="The plugin's bundled types, comma-separated (RSC's two are required)."
    ),
    width: int | None = typer.Option(None, "--width", help="The plugin's width in pixels."),
    acl_based: bool | None = typer.Option(
        None, "--acl-based/--no-acl-based", help="Whether the customer restricts visibility with user-based ACLs."
    ),
    contract: str | None = typer.Option(None, "--contract", help="development or production (default: the hub's)."),
    as_json: bool = JsonOption,
) -> None:
    """Turn RSC on: provision the tenant's customer app (or take the one it brings); re-run to change settings."""
    options = EnableOptions(
        client_id=client_id,
        client_secret=_secret_from_stdin(client_secret_stdin),
        integration_types=None if integration_types is None else integration_types.split(","),
        widget_width=width,
        acl_based_visibility=acl_based,
        contract=contract,
    )

    async def enabled(hub: Hub, tenant_id: uuid.UUID) -> Result:
        return await _talking_to_linkedin(lambda runtime: operations.enable(hub.database, tenant_id, runtime, options))

    with_tenant(tenant, enabled, as_json)


@linkedin_app.command("disable")
def disable(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """Turn RSC off (the app and integrations are kept; `enable` turns it back on)."""
    change_in(tenant, lambda session: _talking_to_linkedin(partial(operations.disable, session)), as_json)


@linkedin_app.command("show")
def show(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """The tenant's customer app, contract, integration counts and warnings."""
    read_in(tenant, lambda session: _talking_to_linkedin(partial(operations.show, session)), as_json)


@integrations_app.command("list")
def integrations_list(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """Every integration with its sync state and onboarding status."""
    read_in(tenant, operations.list_integrations, as_json)


@integrations_app.command("sync")
def integrations_sync(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """Queue a sync of every integration and its configurations (a job runner sends them, paced)."""
    change_in(tenant, operations.queue_sync, as_json)


@status_app.command("refresh")
def status_refresh(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """Ask LinkedIn for every integration's onboarding status now (the manual status retrieval)."""

    async def refreshed(hub: Hub, tenant_id: uuid.UUID) -> Result:
        return await _talking_to_linkedin(partial(operations.refresh_status, hub.database, tenant_id))

    with_tenant(tenant, refreshed, as_json)


@sync_app.command("status")
def sync_status(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """Per organization: records by kind and status, the history's progress, the last run, refused records."""
    read_in(tenant, data_status.sync_status, as_json)


@sync_app.command("run")
def sync_run(
    tenant: str = TenantOption,
    organization: str | None = typer.Option(
        None, "--organization", help="One organization (urn:li:organization:…); default: every enabled one."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Sync again from the start (history and refused records); a job runner sends it, paced."""
    change_in(tenant, lambda session: data_status.resync(session, organization), as_json)


@sync_app.command("settings")
def sync_settings(
    tenant: str = TenantOption,
    apply_url_template: str = typer.Option(
        ..., "--apply-url-template", help="Where candidates apply, {id} for the job: https://careers.example/jobs/{id}"
    ),
    as_json: bool = JsonOption,
) -> None:
    """Set what LinkedIn requires of every job posting and the HR model does not hold (its apply URL)."""
    change_in(tenant, lambda session: data_status.set_apply_url_template(session, apply_url_template), as_json)
