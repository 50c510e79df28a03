"""The ``hirehub`` command: every administrative operation as ``hirehub <noun> <verb> [--json]``."""

from __future__ import annotations

import typer

from hirehub.cli.console_admins import console_admin_app
from hirehub.cli.database import db_app
from hirehub.cli.demo import demo_app
from hirehub.cli.entra import entra_app
from hirehub.cli.hr import hr_app
from hirehub.cli.jobs import job_app, jobs_app
from hirehub.cli.linkedin import linkedin_app
from hirehub.cli.provisioning import plan_app, policy_app
from hirehub.cli.reconcile import reconcile_app
from hirehub.cli.runner import worker
from hirehub.cli.secret_key import secret_key_app
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


GROUPS: dict[str, typer.Typer] = {
    "tenant": tenant_app, "company": company_app, "db": db_app, "demo": demo_app, "console-admin": console_admin_app,
    "entra": entra_app, "app": app_app, "role": role_app, "app-user": app_user_app, "hr-user": hr_user_app,
    "entra-app-link": link_app, "trusted-issuer": issuer_app, "job": job_app, "jobs": jobs_app, "policy": policy_app,
    "plan": plan_app, "reconcile": reconcile_app, "linkedin": linkedin_app, "secret-key": secret_key_app,
    "hr": hr_app,
}  # fmt: skip
"""Each ``hirehub <noun>`` and the commands it groups."""
for noun, group in GROUPS.items():
    app.add_typer(group, name=noun)
app.command("serve")(serve)
app.command("worker")(worker)
