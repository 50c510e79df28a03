"""Serve the LinkedIn sandbox (the Middleware Platform an ATS partner meets for Recruiter System Connect).

One port answers for both hosts the hub calls: www.linkedin.com (the OAuth token endpoint) and api.linkedin.com
(the Provisioning API, atsIntegrations and their configurations). The world starts with the partner's own
developer application; its client ID and secret are printed with the host map to give the hub
(HIREHUB_OUTBOUND_HOST_MAP), as LinkedIn's partner engineering would hand them over. Give --client-id and
--client-secret to keep them the same from one start to the next.

The same port serves LinkedIn's configuration plugin in place of platform.linkedin.com (in.js and the onboarding
widget; send a browser here with the hub's HIREHUB_BROWSER_HOST_MAP): the customer's Recruiter administrator
(--admin-email, --admin-password) signs in, picks integrations, and later enables them, which sends the signed
push notification. --clock-offset-file moves the sandbox's calendar with a development group's time travel.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import uvicorn

from hirehub.sandbox.linkedin.app import create_app
from hirehub.sandbox.linkedin.plugin_page import CustomerAdmin
from hirehub.sandbox.linkedin.world import LinkedInWorld
from hirehub.sandbox.serving import ProgramHelp, write_atomically

LINKEDIN_HOSTS = ("https://www.linkedin.com", "https://api.linkedin.com")
"""The hosts the hub calls, which the host map sends to this one server."""
BROWSER_HOSTS = ("https://platform.linkedin.com",)
"""The host a browser loads the configuration plugin from, which the browser host map sends here."""


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m hirehub.sandbox.linkedin``."""
    parsed = argparse.ArgumentParser(
        prog="python -m hirehub.sandbox.linkedin", description=__doc__, formatter_class=ProgramHelp
    )
    parsed.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
    parsed.add_argument("--port", type=int, default=8444, help="Port of the OAuth and API endpoints.")
    parsed.add_argument("--client-id", help="The partner application's client ID; without it, a new random one.")
    parsed.add_argument("--client-secret", help="Its client secret; without it, a new random one.")
    invented = CustomerAdmin.invented()
    parsed.add_argument("--admin-email", default=invented.email, help="The customer's Recruiter administrator.")
    parsed.add_argument("--admin-password", help="Their password; without it, a new random one.")
    parsed.add_argument("--organization", default=invented.organization, help="The customer's company (URN).")
    parsed.add_argument("--contract", default=invented.contract, help="The customer's Recruiter contract (URN).")
    parsed.add_argument(
        "--clock-offset-file", type=Path, help="Follow the time travel kept in this file (hirehub demo clock)."
    )
    parsed.add_argument("--details-file", type=Path, help="Also write the printed details (JSON) to this file.")
    parsed.add_argument("--log-level", default="info", help="uvicorn's log level (warning: no line per start-up).")
    return parsed


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    world = LinkedInWorld()
    if args.clock_offset_file is not None:
        world.clock.follow(args.clock_offset_file)
    partner = world.register_partner(client_id=args.client_id, client_secret=args.client_secret)
    admin = CustomerAdmin(
        email=args.admin_email,
        password=args.admin_password or CustomerAdmin.invented().password,
        organization=args.organization,
        contract=args.contract,
    )
    base_url = f"http://{args.host}:{args.port}"
    details = {
        "client_id": partner.client_id,
        "client_secret": partner.current_secret,
        "base_url": base_url,
        "host_map": dict.fromkeys(LINKEDIN_HOSTS, base_url),
        "browser_host_map": dict.fromkeys(BROWSER_HOSTS, base_url),
        "plugin_admin": {
            "email": admin.email,
            "password": admin.password,
            "organization": admin.organization,
            "contract": admin.contract,
        },
    }
    print(json.dumps(details, indent=2), flush=True)
    if args.details_file is not None:
        write_atomically(args.details_file, json.dumps(details, indent=2))
    uvicorn.run(create_app(world, admin), host=args.host, port=args.port, log_level=args.log_level, access_log=False)


if __name__ == "__main__":
    main()
