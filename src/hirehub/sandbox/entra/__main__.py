"""Serve the Entra sandbox (identity platform, Microsoft Graph, Exchange Online) on one loopback port.

The default world holds one directory, an app registration "hirehub" with a client secret and the application
permissions the hub's Entra ID connection needs, and an administrator who can sign in on the consent page. Their
ids and secrets are printed with the host map to give the hub (HIREHUB_OUTBOUND_HOST_MAP).

MSAL accepts only https authorities: serve TLS with --certfile/--keyfile, or with --tls-dir, which makes a
throw-away CA and a loopback certificate there (trust DIR/ca.pem through HIREHUB_OUTBOUND_CA_BUNDLE). A browser
does not trust that CA: --browser-port also serves the same world over plain HTTP for the sign-in and consent
pages a browser is sent to.

--world FILE serves a scenario instead: a JSON object arranging directories, app registrations (with their
redirect URIs, secrets, certificates, permissions and directory roles), groups and people, as an administrator
would in the Entra portal. Its format is world_from_json's docstring in this module.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
from pathlib import Path
from typing import Any

import uvicorn

from hirehub.directories.entra.permissions import EXCHANGE_APP_ID, GRAPH_APP_ID, required_permissions
from hirehub.sandbox.entra import faults
from hirehub.sandbox.entra.app import create_app, host_map_for
from hirehub.sandbox.entra.graph import directory_store
from hirehub.sandbox.entra.world import EntraWorld, Faults, SandboxClock
from hirehub.sandbox.serving import ProgramHelp, serving, write_atomically
from hirehub.sandbox.tls import make_loopback_tls


def world_from_json(scenario: dict[str, Any]) -> EntraWorld:
    """A world arranged from a scenario (``redirect_uris``, like ``speed`` and ``faults``, may be left out)::

        {"speed": 1.0,                                   # optional: the sandbox clock's speed
         "faults": {"consistency_lag_seconds": 0.5},     # optional: any field of Faults
         "directories": [
           {"tenant_id": "<guid>", "default_domain": "contoso.onmicrosoft.com",
            "applications": [
              {"app_id": "<guid>", "display_name": "hirehub", "multi_tenant": false,
               "redirect_uris": ["http://127.0.0.1:8000/connections/entra/callback"],
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
    if args.clock_offset_file is not None:
        world.clock.follow(args.clock_offset_file)
    certfile, keyfile = args.certfile, args.keyfile
    if args.tls_dir is not None:
        files = make_loopback_tls(args.tls_dir)
        certfile, keyfile = str(files.certificate), str(files.key)
        details = {**details, "ca_bundle": str(files.ca)}
    scheme = "https" if certfile else "http"
    base_url = f"{scheme}://{args.host}:{args.port}"
    details = {**details, "base_url": base_url, "host_map": host_map_for(base_url)}
    app = create_app(world, faults.latency_from(args))
    browser: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    if args.browser_port is not None:
        details["browser_base_url"] = f"http://{args.host}:{args.browser_port}"
        browser = serving(app, args.browser_port, host=args.host)
    with browser:
        print(json.dumps(details, indent=2), flush=True)
        if args.details_file is not None:
            write_atomically(args.details_file, json.dumps(details, indent=2))
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
            log_level=args.log_level,
            access_log=False,
        )


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m hirehub.sandbox.entra``."""
    parsed = argparse.ArgumentParser(
        prog="python -m hirehub.sandbox.entra", description=__doc__, formatter_class=ProgramHelp
    )
    parsed.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
    parsed.add_argument("--port", type=int, default=8443, help="Port of the identity, Graph and Exchange endpoints.")
    parsed.add_argument("--certfile", help="PEM certificate chain to serve TLS with.")
    parsed.add_argument("--keyfile", help="PEM private key of --certfile.")
    parsed.add_argument("--tls-dir", type=Path, help="Make a throw-away CA and loopback certificate here; serve TLS.")
    parsed.add_argument("--browser-port", type=int, help="Also serve the world over plain HTTP here, for browsers.")
    parsed.add_argument(
        "--redirect-uri", action="append", default=[], help="A redirect URI of the default app (repeatable)."
    )
    parsed.add_argument("--world", type=Path, help="A JSON scenario to serve instead of the default world.")
    parsed.add_argument(
        "--clock-offset-file", type=Path, help="Follow the time travel kept in this file (hirehub demo clock)."
    )
    parsed.add_argument("--details-file", type=Path, help="Also write the printed details (JSON) to this file.")
    parsed.add_argument("--log-level", default="info", help="uvicorn's log level (warning: no line per start-up).")
    faults.add_arguments(parsed)
    return parsed


def main(argv: list[str] | None = None) -> None:
    program = parser()
    args = program.parse_args(argv)
    faults.check_arguments(program, args)
    if args.world is not None:
        scenario = json.loads(args.world.read_text())
        world = world_from_json({**scenario, "faults": faults.fault_fields(args, scenario.get("faults", {}))})
        listed = [
            {"tenant_id": d.tenant_id, "default_domain": d.default_domain, "applications": sorted(d.service_principals)}
            for d in world.directories.values()
        ]
        _serve(world, args, {"directories": listed})
        return
    world = EntraWorld(faults=Faults(**faults.fault_fields(args, {})))
    directory = world.add_directory()
    app = world.register_application(directory, "hirehub", multi_tenant=True, redirect_uris=args.redirect_uri)
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
