"""``hirehub app …``, ``role …``, ``app-user …``, ``hr-user …``, ``entra-app-link …``, ``trusted-issuer …``:
app registrations and the two layers of authorization, scriptable with ``--json``.

Each command is one call of :mod:`hirehub.security.operations`, which the admin API answers with too, so the
two interfaces print the same objects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from hirehub.cli.context import change_in, read_in, with_tenant
from hirehub.cli.output import JsonOption, refuse
from hirehub.errors import Invalid
from hirehub.security import operations
from hirehub.security.apps import Registrar

TenantOption = typer.Option(..., "--tenant", help="Tenant GUID or domain.")
ClientIdOption = typer.Option(..., "--client-id", help="The app's client (application) ID.")
UserIdOption = typer.Option(..., "--user-id", help="The HR User ID, e.g. ats-integration.")

app_app = typer.Typer(help="App registrations: client IDs, secrets, certificates, consent.")
secret_app = typer.Typer(help="Client secrets of an app (shown once, stored as a hash).")
cert_app = typer.Typer(help="Certificates of an app (for certificate client assertions).")
app_app.add_typer(secret_app, name="secret")
app_app.add_typer(cert_app, name="cert")
role_app = typer.Typer(help="Security roles (layer one): table privileges at an access level.")
app_user_app = typer.Typer(help="Application users (layer one): an app's user in a tenant, with security roles.")
hr_user_app = typer.Typer(help="HR users (layer two) and their HR roles.")
link_app = typer.Typer(help="Microsoft Entra applications (layer two): Client ID → HR user.")
issuer_app = typer.Typer(help="External Entra ID issuers whose tokens a tenant trusts.")


@app_app.command("create")
def app_create(
    tenant: str = TenantOption,
    name: str = typer.Option(..., "--name", help="Display name."),
    multi_tenant: bool = typer.Option(False, "--multi-tenant", help="Usable in other tenants after admin consent."),
    client_id: str | None = typer.Option(
        None, "--client-id", help="Register a published app under its known ID, in its publisher's tenant."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Register an app in a tenant. Run with the database, this is the operator's act: only here may a published
    app be registered under its known client ID (tenant administrators get one drawn by the hub)."""
    change_in(
        tenant, lambda session: operations.create_app(session, name, multi_tenant, client_id, by=Registrar.OPERATOR),
        as_json,
    )


@app_app.command("show")
def app_show(tenant: str = TenantOption, client_id: str = ClientIdOption, as_json: bool = JsonOption) -> None:
    """An app and its credentials (never a secret's value)."""
    read_in(tenant, lambda session: operations.show_app(session, client_id), as_json)


@secret_app.command("add")
def secret_add(
    tenant: str = TenantOption,
    client_id: str = ClientIdOption,
    days: int = typer.Option(180, "--days", help="Lifetime in days (1-730)."),
    description: str | None = typer.Option(None, "--description"),
    as_json: bool = JsonOption,
) -> None:
    """Add a client secret; its value is printed now and never again."""
    change_in(tenant, lambda session: operations.add_secret(session, client_id, days, description), as_json)


@cert_app.command("add")
def cert_add(
    tenant: str = TenantOption,
    client_id: str = ClientIdOption,
    cert: Path = typer.Option(..., "--cert", help="The certificate (PEM; the private key stays with you)."),
    as_json: bool = JsonOption,
) -> None:
    """Register a certificate for certificate client assertions."""
    try:
        pem = cert.read_text()
    except OSError as exc:
        refuse(Invalid(f"cannot read {cert}: {exc.strerror}", field="cert"), as_json)
    change_in(tenant, lambda session: operations.add_certificate(session, client_id, pem), as_json)


@app_app.command("revoke")
def credential_revoke(
    tenant: str = TenantOption,
    client_id: str = ClientIdOption,
    key_id: str = typer.Option(..., "--key-id", help="A secret's id, or a certificate's id or SHA-1 thumbprint."),
    as_json: bool = JsonOption,
) -> None:
    """Revoke a secret or certificate; it stops working at once."""
    change_in(tenant, lambda session: operations.revoke_credential(session, client_id, key_id), as_json)


@app_app.command("consent")
def app_consent(tenant: str = TenantOption, client_id: str = ClientIdOption, as_json: bool = JsonOption) -> None:
    """Admin consent of a multi-tenant app into this tenant (creates its service principal here); prints the app's
    name, its publisher's tenant and what was granted."""
    with_tenant(tenant, lambda hub, tenant_id: operations.consent(hub.database, tenant_id, client_id), as_json)


@role_app.command("create")
def role_create(
    tenant: str = TenantOption, name: str = typer.Option(..., "--name"), as_json: bool = JsonOption
) -> None:
    """Create an empty security role."""
    change_in(tenant, lambda session: operations.create_role(session, name), as_json)


@role_app.command("grant")
def role_grant(
    tenant: str = TenantOption,
    role: str = typer.Option(..., "--role", help="Role name."),
    table: str = typer.Option(..., "--table", help="Table logical name, e.g. mshr_hcmworkerentity."),
    privilege: str = typer.Option(..., "--privilege", help="Create, Read, Write, Delete, Append, AppendTo, …"),
    level: str = typer.Option("Organization", "--level", help="None, User, Business Unit, Parent, Organization."),
    as_json: bool = JsonOption,
) -> None:
    """Grant a privilege on a table to a role (again: changes its level)."""
    change_in(tenant, lambda session: operations.grant(session, role, table, privilege, level), as_json)


@role_app.command("list")
def role_list(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """The tenant's security roles with their privileges (the built-in ones are made on first use)."""
    change_in(tenant, operations.list_roles, as_json)


@app_user_app.command("create")
def app_user_create(
    tenant: str = TenantOption,
    client_id: str = ClientIdOption,
    role: list[str] = typer.Option(..., "--role", help="Security role name (repeatable)."),
    name: str | None = typer.Option(None, "--name"),
    as_json: bool = JsonOption,
) -> None:
    """Create the application user of an app in this tenant, with security roles."""
    change_in(tenant, lambda session: operations.create_application_user(session, client_id, role, name), as_json)


@hr_user_app.command("create")
def hr_user_create(
    tenant: str = TenantOption,
    user_id: str = UserIdOption,
    name: str = typer.Option(..., "--name"),
    role: list[str] = typer.Option(..., "--role", help="HR role id, e.g. HcmRecruitingIntegrator (repeatable)."),
    as_json: bool = JsonOption,
) -> None:
    """Create an HR user with HR roles."""
    change_in(tenant, lambda session: operations.create_hr_user(session, user_id, name, role), as_json)


def _set_enabled(enabled: bool, doc: str) -> Callable[..., None]:
    def command(tenant: str = TenantOption, user_id: str = UserIdOption, as_json: bool = JsonOption) -> None:
        change_in(tenant, lambda session: operations.set_hr_user_enabled(session, user_id, enabled), as_json)

    command.__doc__ = doc
    return command


hr_user_app.command("disable")(_set_enabled(False, "Disable an HR user (apps linked to it are refused)."))
hr_user_app.command("enable")(_set_enabled(True, "Enable an HR user again."))


@link_app.command("create")
def link_create(
    tenant: str = TenantOption,
    client_id: str = ClientIdOption,
    name: str = typer.Option(..., "--name"),
    user_id: str = typer.Option(..., "--user-id", help="The HR user the app's calls run as."),
    as_json: bool = JsonOption,
) -> None:
    """Link an app to an HR user (Microsoft Entra applications)."""
    change_in(tenant, lambda session: operations.create_entra_app_link(session, client_id, name, user_id), as_json)


@issuer_app.command("add")
def issuer_add(
    tenant: str = TenantOption,
    issuer: str = typer.Option(..., "--issuer", help="e.g. https://login.microsoftonline.com/<tid>/v2.0"),
    jwks_uri: str = typer.Option(
        ..., "--jwks-uri", help="e.g. https://login.microsoftonline.com/<tid>/discovery/v2.0/keys"
    ),
    audience: list[str] = typer.Option(..., "--audience", help="An accepted aud value (repeatable)."),
    as_json: bool = JsonOption,
) -> None:
    """Trust app-only tokens issued by an external Entra ID tenant."""
    change_in(tenant, lambda session: operations.add_trusted_issuer(session, issuer, jwks_uri, audience), as_json)


@issuer_app.command("list")
def issuer_list(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """The issuers this tenant trusts (with the id to delete one by)."""
    read_in(tenant, operations.list_trusted_issuers, as_json)


@issuer_app.command("delete")
def issuer_delete(
    tenant: str = TenantOption,
    trusted_id: str = typer.Option(..., "--id", help="The trusted issuer's id (see trusted-issuer list)."),
    as_json: bool = JsonOption,
) -> None:
    """Stop trusting an issuer in this tenant; its tokens are refused here from the next call on."""
    change_in(tenant, lambda session: operations.delete_trusted_issuer(session, trusted_id), as_json)
