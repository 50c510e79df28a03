"""The ``hirehub`` command: every administrative operation as ``hirehub <noun> <verb> [--json]``."""

from __future__ import annotations

import typer

from hirehub.cli.console_admins import console_admin_app
from hirehub.cli.database import db_app
from hirehub.cli.demo import demo_app
from hirehub.cli.entra import entra_app
from hirehub.cli.jobs import job_app, worker
from hirehub.cli.linkedin import linkedin_app
from hirehub.cli.provisioning import plan_app, policy_app
from hirehub.cli.reconcile import reconcile_app
from hirehub.cli.security import app_app, app_user_app, hr_user_app, issuer_app, link_app, role_app
from hirehub.cli.serve import serve
from hirehub.cli.tenants import company_app, tenant_app
from hirehub.logging import configure_logging
from hirehub.settings import get_settings

app = typer.Typer(
    name="hirehub",
    help="hirehub: the open-source hire-to-retire hub.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)


app.add_typer(tenant_app, name="tenant")
app.add_typer(company_app, name="company")
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(console_admin_app, name="console-admin")
app.add_typer(entra_app, name="entra")
app.add_typer(app_app, name="app")
app.add_typer(role_app, name="role")
app.add_typer(app_user_app, name="app-user")
app.add_typer(hr_user_app, name="hr-user")
app.add_typer(link_app, name="entra-app-link")
app.add_typer(issuer_app, name="trusted-issuer")
app.command("serve")(serve)
app.add_typer(job_app, name="job")
app.add_typer(policy_app, name="policy")
app.add_typer(plan_app, name="plan")
app.add_typer(reconcile_app, name="reconcile")
app.command("worker")(worker)
app.add_typer(linkedin_app, name="linkedin")
