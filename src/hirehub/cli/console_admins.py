"""``hirehub console-admin …``: the HR administrators who sign in to the console."""

from __future__ import annotations

import sys
import uuid

import typer

from hirehub import accounts
from hirehub.bootstrap import Hub
from hirehub.cli.context import with_tenant
from hirehub.cli.output import JsonOption
from hirehub.errors import AlreadyExists

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

    async def create_admin(hub: Hub, tenant_id: uuid.UUID) -> dict[str, str]:
        async with hub.database.system_session() as session:  # an address signs in to one console across tenants
            if await accounts.email_taken(session, email):
                raise AlreadyExists(f"the e-mail address {email} already has an account", field="email")
        async with hub.database.tenant_transaction(tenant_id) as session:
            admin = await accounts.create_admin(session, email=email, display_name=name, password=secret)
            await session.flush()
            return {"id": str(admin.id), "email": admin.email, "tenant_id": str(tenant_id)}

    with_tenant(tenant, create_admin, as_json)
