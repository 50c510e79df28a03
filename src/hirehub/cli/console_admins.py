"""``hirehub console-admin …``: the HR administrators who sign in to the console."""

from __future__ import annotations

import sys

import typer

from hirehub.cli.context import open_database, resolve_tenant_id
from hirehub.cli.output import CommandError, JsonOption, emit, run
from hirehub.tenancy.service import TenancyError
from hirehub.web import accounts
from hirehub.web.accounts import AccountError

console_admin_app = typer.Typer(help="Console administrators (local accounts, argon2-hashed passwords).")


@console_admin_app.command("create")
def create(
    tenant: str = typer.Option(..., "--tenant", help="Tenant GUID or domain."),
    email: str = typer.Option(..., "--email"),
    name: str = typer.Option("", "--name", help="Display name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    password: str = typer.Option("", "--password", help="The password (prefer --password-stdin)."),
    as_json: bool = JsonOption,
) -> None:
    """Create an administrator who can sign in to the tenant's console."""
    secret = sys.stdin.readline().rstrip("\n") if password_stdin else password

    async def action() -> dict[str, str]:
        async with open_database() as database:
            tenant_id = await resolve_tenant_id(database, tenant)
            async with database.system_session() as session:
                if await accounts.email_taken(session, email):
                    raise CommandError(f"the e-mail address {email} already has an account")
            async with database.tenant_transaction(tenant_id) as session:
                admin = await accounts.create_admin(session, email=email, display_name=name, password=secret)
                await session.flush()
                return {"id": str(admin.id), "email": admin.email, "tenant_id": str(tenant_id)}

    emit(run(action, as_json, (TenancyError, AccountError)), as_json)
