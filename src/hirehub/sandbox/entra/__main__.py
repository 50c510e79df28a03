"""``python -m hirehub.sandbox.entra``: serve the Entra sandbox (identity, Graph, Exchange) on one port.

The world starts with one directory, an app registration with a secret and the application permissions Hire2Retire's
Entra ID connection guide lists, and an administrator who can sign in on the consent page; their ids are printed, with
the host map to give the hub (``HIREHUB_OUTBOUND_HOST_MAP``). Pass ``--certfile``/``--keyfile`` (e.g. made with trustme)
to serve TLS; plain HTTP works too when the host map points the real HTTPS hosts at ``http://…`` (the hub's outbound
clients follow the map).

``--world FILE`` serves a scenario instead: a JSON object arranging the world as an administrator would have
(see :func:`world_from_json`), so a test can run the sandbox in a process of its own, with directories whose app
registrations already trust the certificates of the hub's connections. It prints the host map and the directories.
"""

from __future__ import annotations

import argparse
import json
import secrets
from pathlib import Path
from typing import Any

import uvicorn

from hirehub.directories.entra.permissions import EXCHANGE_APP_ID, GRAPH_APP_ID, required_permissions
from hirehub.sandbox.entra.app import create_app, host_map_for
from hirehub.sandbox.entra.graph import directory_store
from hirehub.sandbox.entra.world import EntraWorld, Faults, SandboxClock


def world_from_json(scenario: dict[str, Any]) -> EntraWorld:
    """A world arranged from a scenario::

        {"speed": 1.0,                                   # optional: the sandbox clock's speed
         "faults": {"consistency_lag_seconds": 0.5},     # optional: any field of Faults
         "directories": [
           {"tenant_id": "<guid>", "default_domain": "contoso.onmicrosoft.com",
            "applications": [
              {"app_id": "<guid>", "display_name": "hirehub", "multi_tenant": false,
               "certificates": ["-----BEGIN CERTIFICATE-----…"], "secrets": ["…"],
               "permissions": {"<resource app id>": ["User.ReadWrite.All", …]},
               "directory_roles": ["<role template id>"]}],
            "groups": ["All staff"],
            "people": [{"user_principal_name": "admin@…", "password": "…"}]}]}

    Groups are created settled (visible to every read at once), as groups made well before provisioning are.
    """
    world = EntraWorld(
        clock=SandboxClock(speed=float(scenario.get("speed", 1.0))), faults=Faults(**scenario.get("faults", {}))
    )
    for arranged in scenario.get("directories", []):
        domain = arranged.get("default_domain", "contoso.onmicrosoft.com")
        directory = world.add_directory(arranged.get("tenant_id"), domain)
        for registration in arranged.get("applications", []):
            app = world.register_application(
                directory,
                registration.get("display_name", "hirehub"),
                app_id=registration.get("app_id"),
                multi_tenant=bool(registration.get("multi_tenant", False)),
                redirect_uris=registration.get("redirect_uris", ()),
            )
            app.secrets.extend(registration.get("secrets", []))
            for certificate in registration.get("certificates", []):
                world.upload_certificate(app, certificate)
            for resource_app_id, permissions in registration.get("permissions", {}).items():
                world.grant_application_permissions(directory, app.app_id, permissions, resource_app_id)
            for role in registration.get("directory_roles", []):
                world.assign_directory_role(directory, app.app_id, role)
        store = directory_store(world, directory)
        for name in arranged.get("groups", []):
            store.create_group(
                {"displayName": name, "mailEnabled": False, "securityEnabled": True,
                 "mailNickname": "".join(ch for ch in name if ch.isalnum()) or "group"}
            )  # fmt: skip
        for person in arranged.get("people", []):
            world.add_person(directory, person["user_principal_name"], person["password"])
    world.clock.advance(world.faults.consistency_lag_seconds)  # what was arranged has settled before anyone looks
    return world


def _serve(world: EntraWorld, args: argparse.Namespace, details: dict[str, Any]) -> None:
    scheme = "https" if args.certfile else "http"
    base_url = f"{scheme}://{args.host}:{args.port}"
    print(json.dumps({**details, "host_map": host_map_for(base_url)}, indent=2), flush=True)
    uvicorn.run(
        create_app(world),
        host=args.host,
        port=args.port,
        ssl_certfile=args.certfile,
        ssl_keyfile=args.keyfile,
        log_level=args.log_level,
        access_log=False,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m hirehub.sandbox.entra", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--certfile")
    parser.add_argument("--keyfile")
    parser.add_argument("--world", type=Path, help="A JSON scenario to serve instead of the default world.")
    parser.add_argument("--log-level", default="info", help="uvicorn's log level (warning: no line per start-up).")
    args = parser.parse_args(argv)
    if args.world is not None:
        world = world_from_json(json.loads(args.world.read_text()))
        listed = [
            {"tenant_id": d.tenant_id, "default_domain": d.default_domain, "applications": sorted(d.service_principals)}
            for d in world.directories.values()
        ]
        _serve(world, args, {"directories": listed})
        return
    world = EntraWorld()
    directory = world.add_directory()
    app = world.register_application(directory, "hirehub", multi_tenant=True)
    secret = secrets.token_urlsafe(24)
    app.secrets.append(secret)
    for permission in required_permissions(exchange_enabled=True):
        world.grant_application_permissions(directory, app.app_id, {permission.name}, permission.resource_app_id)
    password = secrets.token_urlsafe(12)
    world.add_person(directory, f"admin@{directory.default_domain}", password)
    details = {
        "tenant_id": directory.tenant_id,
        "client_id": app.app_id,
        "client_secret": secret,
        "admin": f"admin@{directory.default_domain}",
        "admin_password": password,
        "resource_app_ids": {"graph": GRAPH_APP_ID, "exchange": EXCHANGE_APP_ID},
    }
    _serve(world, args, details)


if __name__ == "__main__":
    main()
