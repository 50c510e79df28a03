"""``hirehub reconcile run|show|list``: the scheduled comparison of HR with the directory, on demand and after the
fact, scriptable with ``--json`` (the same JSON as the admin API's ``/admin/v1/reconciliations``)."""

from __future__ import annotations

from typing import Any

import typer

from hirehub.cli.context import tenant_session, tenant_transaction
from hirehub.cli.output import JsonOption, emit, run
from hirehub.provisioning import operations
from hirehub.tenancy.service import TenancyError

TenantOption = typer.Option(..., "--tenant", help="Tenant GUID or domain.")
ERRORS = (operations.ReconciliationError, TenancyError, ValueError)
ACTOR = "cli"

reconcile_app = typer.Typer(help="Reconciliation: compare every HR worker with every directory account, fix drift.")


@reconcile_app.command("run")
def reconcile_run(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """Reconcile as soon as a worker is free (the scheduled run, brought forward); prints the queued run."""

    async def action() -> dict[str, Any]:
        async with tenant_transaction(tenant) as session:
            return await operations.request_reconciliation(session, by=ACTOR)

    emit(run(action, as_json, ERRORS), as_json)


@reconcile_app.command("show")
def reconcile_show(
    tenant: str = TenantOption,
    run_id: str = typer.Option(..., "--id", help="The reconciliation's id."),
    as_json: bool = JsonOption,
) -> None:
    """One reconciliation: its counts, its drift report and what it fixed."""

    async def action() -> dict[str, Any]:
        async with tenant_session(tenant) as session:
            return await operations.show_reconciliation(session, run_id)

    emit(run(action, as_json, ERRORS), as_json)


@reconcile_app.command("list")
def reconcile_list(
    tenant: str = TenantOption,
    limit: int = typer.Option(20, "--limit", min=1, max=1000, help="How many, newest first."),
    as_json: bool = JsonOption,
) -> None:
    """The latest reconciliations, and when the next one is due."""

    async def action() -> dict[str, Any]:
        async with tenant_session(tenant) as session:
            return await operations.list_reconciliations(session, limit)

    emit(run(action, as_json, ERRORS), as_json)
