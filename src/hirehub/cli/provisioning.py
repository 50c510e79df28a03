"""``hirehub policy show|set`` and ``hirehub plan preview|list|approve|reject``: the lifecycle policy, dry runs,
and supervised-mode approvals, scriptable with ``--json``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import typer

from hirehub.bootstrap import Hub
from hirehub.cli.context import Result, change_in, read_in, with_tenant
from hirehub.cli.output import JsonOption, refuse
from hirehub.directories.entra.diagnosis import directory_failure, is_directory_failure
from hirehub.errors import HubError, Invalid
from hirehub.provisioning import operations

TenantOption = typer.Option(..., "--tenant", help="Tenant GUID or domain.")
PolicyFileOption = typer.Option(..., "--file", help="The policy as JSON (as `policy show --json` prints it).")
PersonnelNumberOption = typer.Option(..., "--personnel-number", help="The worker's personnel number.")
PlanStatusOption = typer.Option("held", "--status", help="held, approved, rejected, superseded, or all.")
PlanIdOption = typer.Option(..., "--id", help="The held plan's id.")
ACTOR = "cli"

policy_app = typer.Typer(help="The tenant's lifecycle policy: mappings, naming and group rules, joiner/leaver options.")
plan_app = typer.Typer(help="Lifecycle plans: preview one worker's (dry run), and approve or reject held ones.")


@policy_app.command("show")
def policy_show(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """The policy in force (the starter policy until one is set)."""
    read_in(tenant, operations.show_policy, as_json)


@policy_app.command("set")
def policy_set(tenant: str = TenantOption, file: Path = PolicyFileOption, as_json: bool = JsonOption) -> None:
    """Replace the policy; every problem in it is reported at once and nothing changes."""
    document = _read_policy(file)
    if isinstance(document, Invalid):
        refuse(document, as_json)
    change_in(tenant, lambda session: operations.replace_policy(session, document, by=ACTOR), as_json)


def _read_policy(file: Path) -> dict[str, Any] | Invalid:
    """The policy object in ``file`` (or what `policy show --json` printed), or why there is none."""
    try:
        document = json.loads(file.read_text())
    except (OSError, ValueError) as exc:
        return Invalid(f"cannot read a JSON policy from {file}: {exc}", field="file")
    if isinstance(document, dict) and isinstance(document.get("policy"), dict):
        document = document["policy"]
    return document if isinstance(document, dict) else Invalid("a policy is a JSON object", field="file")


AsOfOption = typer.Option(
    "", "--as-of", help="Plan as at the start of this day (YYYY-MM-DD) from HR's view as of it; today by default."
)


@plan_app.command("preview")
def plan_preview(
    tenant: str = TenantOption, number: str = PersonnelNumberOption, as_of: str = AsOfOption, as_json: bool = JsonOption
) -> None:
    """What a sync would do now (or on the morning of ``--as-of``) for one worker, without doing it (dry run)."""
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        refuse(Invalid(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)", field="as_of"), as_json)

    async def previewed(hub: Hub, tenant_id: uuid.UUID) -> Result:
        try:
            return await operations.preview(
                hub.database, connectors=hub.connectors, tenant_id=tenant_id, personnel_number=number, as_of=day
            )
        except HubError:
            raise
        except Exception as failure:  # the directory's failure is one {"error"} object, never a traceback
            if not is_directory_failure(failure):
                raise
            raise directory_failure(failure) from failure

    with_tenant(tenant, previewed, as_json)


@plan_app.command("list")
def plan_list(tenant: str = TenantOption, status: str = PlanStatusOption, as_json: bool = JsonOption) -> None:
    """Plans of supervised mode."""
    read_in(tenant, lambda session: operations.list_plans(session, None if status == "all" else status), as_json)


def _decide(approve: bool, doc: str) -> Callable[..., None]:
    def command(tenant: str = TenantOption, plan_id: str = PlanIdOption, as_json: bool = JsonOption) -> None:
        change_in(tenant, lambda session: operations.decide(session, plan_id, approve=approve, by=ACTOR), as_json)

    command.__doc__ = doc
    return command


plan_app.command("approve")(_decide(True, "Approve a held plan (it is applied if still current)."))
plan_app.command("reject")(_decide(False, "Reject a held plan."))
