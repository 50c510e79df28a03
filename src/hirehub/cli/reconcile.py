"""``hirehub reconcile run|show|list``: the scheduled comparison of HR with the directory, on demand and after the
fact, scriptable with ``--json`` (the same JSON as the admin API's ``/admin/v1/reconciliations``)."""

from __future__ import annotations

import typer

from hirehub.cli.context import change_in, read_in
from hirehub.cli.output import JsonOption
from hirehub.provisioning import operations

TenantOption = typer.Option(..., "--tenant", help="Tenant GUID or domain.")
RunIdOption = typer.Option(..., "--id", help="The reconciliation's id.")
LimitOption = typer.Option(20, "--limit", min=1, max=1000, help="How many, newest first.")
ACTOR = "cli"

reconcile_app = typer.Typer(help="Reconciliation: compare every HR worker with every directory account, fix drift.")


@reconcile_app.command("run")
def reconcile_run(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """Reconcile as soon as a job runner is free (the scheduled run, brought forward); prints the queued run."""
    change_in(tenant, lambda session: operations.request_reconciliation(session, by=ACTOR), as_json)


@reconcile_app.command("show")
def reconcile_show(tenant: str = TenantOption, run_id: str = RunIdOption, as_json: bool = JsonOption) -> None:
    """One reconciliation: its counts, its drift report and what it fixed."""
    read_in(tenant, lambda session: operations.show_reconciliation(session, run_id), as_json)


@reconcile_app.command("list")
def reconcile_list(tenant: str = TenantOption, limit: int = LimitOption, as_json: bool = JsonOption) -> None:
    """The latest reconciliations, and when the next one is due."""
    read_in(tenant, lambda session: operations.list_reconciliations(session, limit), as_json)
