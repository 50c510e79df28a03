"""``hirehub linkedin …``: the hub's partner app, each tenant's RSC switch, its integrations and their statuses.

``partner set|show`` are the hub operator's (hub-level, no ``--tenant``); everything else acts in one tenant.
Secrets are read from stdin only (``--client-secret-stdin``), so they stay out of shell history and process lists.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from hirehub.cli.context import open_database, resolve_tenant_id
from hirehub.cli.output import CommandError, JsonOption, emit, run
from hirehub.linkedin import operations
from hirehub.linkedin.apps import EnableOptions
from hirehub.linkedin.errors import LinkedInError
from hirehub.linkedin.runtime import linkedin_runtime
from hirehub.sealing import SealError
from hirehub.tenancy.service import TenancyError

TenantOption = typer.Option(..., "--tenant", help="Tenant GUID or domain.")
ERRORS = (LinkedInError, TenancyError, SealError)

linkedin_app = typer.Typer(help="LinkedIn Recruiter System Connect: customer apps, integrations, their statuses.")
partner_app = typer.Typer(help="The hub's own LinkedIn developer application (the ATS partner's).")
integrations_app = typer.Typer(help="The integrations customers pre-authorized in LinkedIn's plugin.")
status_app = typer.Typer(help="Onboarding statuses, retrieved from LinkedIn.")
linkedin_app.add_typer(partner_app, name="partner")
linkedin_app.add_typer(integrations_app, name="integrations")
linkedin_app.add_typer(status_app, name="status")


def _secret_from_stdin(wanted: bool) -> str | None:
    if not wanted:
        return None
    secret = sys.stdin.readline().strip()
    return secret


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

    async def action() -> dict[str, Any]:
        if not secret:
            raise CommandError("the client secret is read from stdin: pass --client-secret-stdin and pipe it in")
        async with open_database() as database, linkedin_runtime() as runtime:
            return await operations.partner_set(
                database, runtime, client_id=client_id, client_secret=secret, ats_name=ats_name, contract=contract
            )

    emit(run(action, as_json, ERRORS), as_json)


@partner_app.command("show")
def partner_show(as_json: bool = JsonOption) -> None:
    """The partner application (never its secret)."""

    async def action() -> dict[str, Any]:
        async with open_database() as database:
            return await operations.partner_show(database)

    emit(run(action, as_json, ERRORS), as_json)


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
    secret = _secret_from_stdin(client_secret_stdin)
    options = EnableOptions(
        client_id=client_id,
        client_secret=secret if client_secret_stdin else None,
        integration_types=None if integration_types is None else integration_types.split(","),
        widget_width=width,
        acl_based_visibility=acl_based,
        contract=contract,
    )

    async def action() -> dict[str, Any]:
        async with open_database() as database, linkedin_runtime() as runtime:
            tenant_id = await resolve_tenant_id(database, tenant)
            return await operations.enable(database, tenant_id, runtime, options)

    emit(run(action, as_json, ERRORS), as_json)


@linkedin_app.command("disable")
def disable(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """Turn RSC off (the app and integrations are kept; `enable` turns it back on)."""

    async def action() -> dict[str, Any]:
        async with open_database() as database, linkedin_runtime() as runtime:
            tenant_id = await resolve_tenant_id(database, tenant)
            async with database.tenant_transaction(tenant_id) as session:
                return await operations.disable(session, runtime)

    emit(run(action, as_json, ERRORS), as_json)


@linkedin_app.command("show")
def show(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """The tenant's customer app, contract, integration counts and warnings."""

    async def action() -> dict[str, Any]:
        async with open_database() as database, linkedin_runtime() as runtime:
            tenant_id = await resolve_tenant_id(database, tenant)
            async with database.tenant_session(tenant_id) as session:
                return await operations.show(session, runtime)

    emit(run(action, as_json, ERRORS), as_json)


@integrations_app.command("list")
def integrations_list(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """Every integration with its sync state and onboarding status."""

    async def action() -> dict[str, Any]:
        async with open_database() as database:
            tenant_id = await resolve_tenant_id(database, tenant)
            async with database.tenant_session(tenant_id) as session:
                return await operations.list_integrations(session)

    emit(run(action, as_json, ERRORS), as_json)


@integrations_app.command("sync")
def integrations_sync(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """Queue a sync of every integration and its configurations (the worker sends them, paced)."""

    async def action() -> dict[str, Any]:
        async with open_database() as database:
            tenant_id = await resolve_tenant_id(database, tenant)
            async with database.tenant_transaction(tenant_id) as session:
                return await operations.queue_sync(session)

    emit(run(action, as_json, ERRORS), as_json)


@status_app.command("refresh")
def status_refresh(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """Ask LinkedIn for every integration's onboarding status now (the manual status retrieval)."""

    async def action() -> dict[str, Any]:
        async with open_database() as database, linkedin_runtime() as runtime:
            tenant_id = await resolve_tenant_id(database, tenant)
            return await operations.refresh_status(database, tenant_id, runtime)

    emit(run(action, as_json, ERRORS), as_json)
