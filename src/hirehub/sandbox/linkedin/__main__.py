"""Serve the LinkedIn sandbox (the Middleware Platform an ATS partner meets for Recruiter System Connect).

One port answers for both hosts the hub calls: www.linkedin.com (the OAuth token endpoint) and api.linkedin.com
(the Provisioning API, atsIntegrations and their configurations). The world starts with the partner's own
developer application; its client ID and secret are printed with the host map to give the hub
(HIREHUB_OUTBOUND_HOST_MAP), as LinkedIn's partner engineering would hand them over. Give --client-id and
--client-secret to keep them the same from one start to the next.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import uvicorn

from hirehub.sandbox.linkedin.app import create_app
from hirehub.sandbox.linkedin.world import LinkedInWorld
from hirehub.sandbox.serving import ProgramHelp, write_atomically

LINKEDIN_HOSTS = ("https://www.linkedin.com", "https://api.linkedin.com")
"""The hosts the hub calls, which the host map sends to this one server."""


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m hirehub.sandbox.linkedin``."""
    parsed = argparse.ArgumentParser(
        prog="python -m hirehub.sandbox.linkedin", description=__doc__, formatter_class=ProgramHelp
    )
    parsed.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
    parsed.add_argument("--port", type=int, default=8444, help="Port of the OAuth and API endpoints.")
    parsed.add_argument("--client-id", help="The partner application's client ID; without it, a new random one.")
    parsed.add_argument("--client-secret", help="Its client secret; without it, a new random one.")
    parsed.add_argument("--details-file", type=Path, help="Also write the printed details (JSON) to this file.")
    parsed.add_argument("--log-level", default="info", help="uvicorn's log level (warning: no line per start-up).")
    return parsed


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    world = LinkedInWorld()
    partner = world.register_partner(client_id=args.client_id, client_secret=args.client_secret)
    base_url = f"http://{args.host}:{args.port}"
    details = {
        "client_id": partner.client_id,
        "client_secret": partner.current_secret,
        "base_url": base_url,
        "host_map": dict.fromkeys(LINKEDIN_HOSTS, base_url),
    }
    print(json.dumps(details, indent=2), flush=True)
    if args.details_file is not None:
        write_atomically(args.details_file, json.dumps(details, indent=2))
    uvicorn.run(create_app(world), host=args.host, port=args.port, log_level=args.log_level, access_log=False)


if __name__ == "__main__":
    main()
