"""``hirehub policy show|set`` and ``hirehub plan preview|list|approve|reject``: the lifecycle policy, dry runs,
and supervised-mode approvals, scriptable with ``--json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from hirehub.cli.context import open_database, resolve_tenant_id, tenant_session, tenant_transaction
from hirehub.cli.output import CommandError, JsonOption, emit, run
from hirehub.directories.entra.connector_factory import entra_connectors
from hirehub.directories.entra.runtime import runtime_from_settings
from hirehub.lifecycle.policy import PolicyError
from hirehub.provisioning import operations
from hirehub.provisioning.approvals import ApprovalError
from hirehub.settings import get_settings
from hirehub.tenancy.service import TenancyError

TenantOption = typer.Option(..., "--tenant", help="Tenant GUID or domain.")
ERRORS = (PolicyError, ApprovalError, operations.PreviewError, TenancyError, ValueError)
ACTOR = "cli"

policy_app = typer.Typer(help="The tenant's lifecycle policy: mappings, naming and group rules, joiner/leaver options.")
plan_app = typer.Typer(help="Lifecycle plans: preview one worker's (dry run), and approve or reject held ones.")


@policy_app.command("show")
def policy_show(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """The policy in force (the starter policy until one is set)."""

    async def action() -> dict[str, Any]:
        async with tenant_session(tenant) as session:
            return await operations.show_policy(session)

    emit(run(action, as_json, ERRORS), as_json)


@policy_app.command("set")
def policy_set(
    tenant: str = TenantOption,
    file: Path = typer.Option(..., "--file", help="The policy as JSON (as `policy show --json` prints it)."),
    as_json: bool = JsonOption,
) -> None:
    """Replace the policy; every problem in it is reported at once and nothing changes."""

    document = _read_policy(file)

    async def action() -> dict[str, Any]:
        if isinstance(document, str):
            raise CommandError(document)
        async with tenant_transaction(tenant) as session:
            return await operations.replace_policy(session, document, by=ACTOR)

    emit(run(action, as_json, ERRORS), as_json)


def _read_policy(file: Path) -> dict[str, Any] | str:
    """The policy object in ``file`` (or what `policy show --json` printed), or why there is none."""
    try:
        document = json.loads(file.read_text())
    except (OSError, ValueError) as exc:
        return f"cannot read a JSON policy from {file}: {exc}"
    if isinstance(document, dict) and isinstance(document.get("policy"), dict):
        document = document["policy"]
    return document if isinstance(document, dict) else "a policy is a JSON object"


@plan_app.command("preview")
def plan_preview(
    tenant: str = TenantOption,
    personnel_number: str = typer.Option(..., "--personnel-number", help="The worker's personnel number."),
    as_json: bool = JsonOption,
) -> None:
    """What a sync would do now for one worker, without doing it (dry run)."""

    async def action() -> dict[str, Any]:
        runtime = runtime_from_settings(get_settings())
        async with open_database() as database, entra_connectors(database, runtime):
            try:
                return await operations.preview(database, await resolve_tenant_id(database, tenant), personnel_number)
            finally:
                if runtime.http is not None:
                    await runtime.http.aclose()

    emit(run(action, as_json, ERRORS), as_json)


@plan_app.command("list")
def plan_list(
    tenant: str = TenantOption,
    status: str = typer.Option("held", "--status", help="held, approved, rejected, superseded, or all."),
    as_json: bool = JsonOption,
) -> None:
    """Plans of supervised mode."""

    async def action() -> dict[str, Any]:
        async with tenant_session(tenant) as session:
            return await operations.list_plans(session, None if status == "all" else status)

    emit(run(action, as_json, ERRORS), as_json)


def _decide(approve: bool) -> Any:
    def command(
        tenant: str = TenantOption,
        plan_id: str = typer.Option(..., "--id", help="The held plan's id."),
        as_json: bool = JsonOption,
    ) -> None:
        async def action() -> dict[str, Any]:
            async with tenant_transaction(tenant) as session:
                return await operations.decide(session, plan_id, approve=approve, by=ACTOR)

        emit(run(action, as_json, ERRORS), as_json)

    command.__doc__ = "Approve a held plan (it is applied if still current)." if approve else "Reject a held plan."
    return command


plan_app.command("approve")(_decide(True))
plan_app.command("reject")(_decide(False))
