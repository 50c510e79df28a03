"""The sandbox directory ``hirehub demo run`` serves: the same ids and secrets from one start to the next, and a
world in which the hub's app may do everything its connection asks for, with *Link account*'s redirect URI."""

from __future__ import annotations

from pathlib import Path

from hirehub.demo import SandboxIdentity, sandbox_identity_file
from hirehub.directories.entra.permissions import required_permissions
from hirehub.sandbox.entra.__main__ import world_from_json

CALLBACK = "http://127.0.0.1:8123/connections/entra/callback"


def test_the_identity_is_created_once_and_kept(tmp_path: Path) -> None:
    first = SandboxIdentity.load_or_create(sandbox_identity_file(tmp_path))
    again = SandboxIdentity.load_or_create(sandbox_identity_file(tmp_path))

    assert again == first
    assert SandboxIdentity.load(sandbox_identity_file(tmp_path)) == first
    assert sandbox_identity_file(tmp_path).stat().st_mode & 0o077 == 0


def test_there_is_no_identity_before_the_first_run(tmp_path: Path) -> None:
    assert SandboxIdentity.load(sandbox_identity_file(tmp_path)) is None


def test_the_world_trusts_the_hubs_app_with_its_secret_redirect_uri_and_permissions(tmp_path: Path) -> None:
    identity = SandboxIdentity.load_or_create(sandbox_identity_file(tmp_path))

    world = world_from_json(identity.entra_world(redirect_uri=CALLBACK))

    directory = world.directories[identity.tenant_id]
    app = world.applications[identity.client_id]
    granted = directory.service_principals[identity.client_id].app_roles
    assert app.redirect_uris == [CALLBACK]
    assert app.secrets == [identity.client_secret]
    assert app.multi_tenant
    for permission in required_permissions(exchange_enabled=True):
        assert permission.name in granted[permission.resource_app_id]
    assert identity.admin.lower() in directory.people
