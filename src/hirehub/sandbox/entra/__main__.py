"""``python -m hirehub.sandbox.entra``: serve the Entra sandbox (identity, Graph, Exchange) on one port.

The world starts with one directory, an app registration with a secret and the seed's application permissions, and
an administrator who can sign in on the consent page; their ids are printed, with the host map to give the hub
(``HIREHUB_OUTBOUND_HOST_MAP``). MSAL needs TLS, so pass ``--certfile``/``--keyfile`` (e.g. made with trustme).
"""

from __future__ import annotations

import argparse
import json
import secrets

import uvicorn

from hirehub.directories.entra.permissions import EXCHANGE_APP_ID, GRAPH_APP_ID, required_permissions
from hirehub.sandbox.entra.app import create_app, host_map_for
from hirehub.sandbox.entra.world import EntraWorld


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m hirehub.sandbox.entra", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--certfile")
    parser.add_argument("--keyfile")
    args = parser.parse_args(argv)
    world = EntraWorld()
    directory = world.add_directory()
    app = world.register_application(directory, "hirehub", multi_tenant=True)
    secret = secrets.token_urlsafe(24)
    app.secrets.append(secret)
    for permission in required_permissions(exchange_enabled=True):
        world.grant_application_permissions(directory, app.app_id, {permission.name}, permission.resource_app_id)
    password = secrets.token_urlsafe(12)
    world.add_person(directory, f"admin@{directory.default_domain}", password)
    scheme = "https" if args.certfile else "http"
    base_url = f"{scheme}://{args.host}:{args.port}"
    print(
        json.dumps(
            {
                "tenant_id": directory.tenant_id,
                "client_id": app.app_id,
                "client_secret": secret,
                "admin": f"admin@{directory.default_domain}",
                "admin_password": password,
                "resource_app_ids": {"graph": GRAPH_APP_ID, "exchange": EXCHANGE_APP_ID},
                "host_map": host_map_for(base_url),
            },
            indent=2,
        ),
        flush=True,
    )
    uvicorn.run(create_app(world), host=args.host, port=args.port, ssl_certfile=args.certfile, ssl_keyfile=args.keyfile)


if __name__ == "__main__":
    main()
