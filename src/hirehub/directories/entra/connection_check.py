"""*Test connection*: sign in, then compare what the connection holds with what the hub needs.

Every test starts from fresh tokens (:meth:`ConnectionRuntime.forget`), because a token carries the permissions of
the moment it was issued: the administrator who has just granted one sees it count. Whatever fails on the way (no
network, DNS, TLS, a timeout, a refused sign-in, an unknown tenant, a refusal of Graph or Exchange) becomes a
problem of the verdict with a next step (:mod:`.diagnosis`), never an exception for the caller.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hirehub.directories.entra.clouds import Cloud
from hirehub.directories.entra.clouds import cloud as cloud_named
from hirehub.directories.entra.connection_runtime import CertificateCredentials, ConnectionRuntime
from hirehub.directories.entra.diagnosis import Stage, diagnose, token_roles
from hirehub.directories.entra.graph_errors import GraphError
from hirehub.directories.entra.models import ConnectionStatus, ConnectionType, EntraConnection
from hirehub.directories.entra.permissions import (
    DELEGATED_SCOPES,
    EXCHANGE_APP_ID,
    GRAPH_APP_ID,
    ConnectionCheck,
    Problem,
    judge,
    required_permissions,
)

GRANTS_READERS = "Application.Read.All"
ROLES_READERS = "RoleManagement.Read.Directory"


async def test_connection(
    runtime: ConnectionRuntime,
    connection: EntraConnection,
    now: datetime,
    *,
    certificate: CertificateCredentials | None = None,
) -> ConnectionCheck:
    """*Test connection*: get fresh tokens, then compare granted permissions and roles with the list in
    permissions.py.

    The verdict is stored on the connection (``last_test``) and its status follows it. With ``certificate`` the
    customer-owned application signs in with that certificate instead of the stored one.
    """
    runtime.forget(connection.id)
    check = await _check(runtime, connection, certificate)
    connection.last_test = check.as_json()
    connection.last_tested_at = now
    if check.ok:
        connection.status = ConnectionStatus.ACTIVE
        connection.status_detail = None
    elif connection.status != ConnectionStatus.NEEDS_LINK:
        connection.status = ConnectionStatus.ERROR
        connection.status_detail = "; ".join(check.messages())[:1000]
    return check


class _Test:
    """One run of the test: the connection, its cloud, and how to turn an exception into a problem."""

    def __init__(
        self, runtime: ConnectionRuntime, connection: EntraConnection, certificate: CertificateCredentials | None
    ) -> None:
        self.runtime = runtime
        self.connection = connection
        self.certificate = certificate
        self.cloud: Cloud = cloud_named(connection.cloud)

    def problem(self, exc: BaseException, stage: Stage) -> Problem:
        client = self.connection.client_id or ""
        if not client and self.connection.connection_type == ConnectionType.SERVICE_PROVIDER:
            client = self.runtime.service_provider_id(self.connection.cloud)
        return diagnose(exc, stage=stage, cloud=self.cloud, tenant=self.connection.directory_tenant_id, client=client)

    async def token(self, scope: str) -> str:
        if self.certificate is not None:
            return await self.runtime.certificate_token(self.connection, scope, self.certificate)
        return await self.runtime.token(self.connection, scope)


async def _check(
    runtime: ConnectionRuntime, connection: EntraConnection, certificate: CertificateCredentials | None = None
) -> ConnectionCheck:
    test = _Test(runtime, connection, certificate)
    try:
        graph_token = await test.token(test.cloud.graph_scope)
    except Exception as exc:  # every failure is a verdict: the administrator gets the reason and the next step
        return ConnectionCheck(token_ok=False, failures=(test.problem(exc, Stage.SIGN_IN),))
    if connection.connection_type == ConnectionType.SERVICE_PROVIDER:
        return await _check_delegated(test)
    return await _check_application(test, graph_token)


async def _check_delegated(test: _Test) -> ConnectionCheck:
    granted = {s.rsplit("/", 1)[-1].lower() for s in test.connection.granted_scopes or []}
    failures = [
        Problem(
            "consent_missing",
            f"Missing delegated permission {scope}",
            "Press Link account and accept every permission the consent page lists.",
        )
        for scope in DELEGATED_SCOPES
        if scope != "offline_access" and scope.lower() not in granted
    ]
    if test.connection.exchange_enabled:
        try:
            await test.runtime.exchange(test.connection).invoke("Get-Mailbox", {"ResultSize": 1})
        except GraphError as exc:
            if exc.status != 403:
                failures.append(test.problem(exc, Stage.EXCHANGE))
            else:
                failures.append(
                    Problem(
                        "exchange_denied",
                        f"Exchange Online refused the linked account ({exc.code}: {exc.message})",
                        "Sign in with Link account as an Exchange administrator and accept Exchange.Manage on the "
                        "consent page, or turn Exchange off for this connection.",
                    )
                )
        except Exception as exc:
            failures.append(test.problem(exc, Stage.EXCHANGE))
    return ConnectionCheck(token_ok=True, failures=tuple(failures), notes=tuple(f.message for f in failures))


async def _check_application(test: _Test, graph_token: str) -> ConnectionCheck:
    exchange_roles: set[str] | None = set()
    if test.connection.exchange_enabled:
        try:
            exchange_roles = token_roles(await test.token(test.cloud.exchange_scope))
        except Exception as exc:
            return ConnectionCheck(token_ok=True, failures=(test.problem(exc, Stage.EXCHANGE),))
    graph = test.runtime.graph(test.connection, credentials=test.certificate)
    step, assignments = "principal", None
    try:
        found = await graph.request(
            "GET", "/servicePrincipals", params={"$filter": f"appId eq '{test.connection.client_id}'"}
        )
        principals = found.get("value", [])
        if not principals:
            return ConnectionCheck(
                token_ok=True,
                failures=(
                    Problem(
                        "no_service_principal",
                        "The application has no service principal (enterprise application) in this tenant.",
                        "Grant admin consent to the application in its tenant (API permissions > Grant admin "
                        "consent), then press Test connection again.",
                    ),
                ),
            )
        principal_id = principals[0]["id"]
        assignments = await graph.request("GET", f"/servicePrincipals/{principal_id}/appRoleAssignments")
        step = "roles"
        roles = await graph.request(
            "GET",
            "/roleManagement/directory/roleAssignments",
            params={"$filter": f"principalId eq '{principal_id}'"},
        )
    except GraphError as exc:
        if exc.status == 403 and exc.code == "Authorization_RequestDenied":
            if assignments is not None:  # the permissions were read; only the directory roles are unknown
                granted = {a["appRoleId"].lower() for a in _values(assignments)}
                known = judge(
                    exchange_enabled=test.connection.exchange_enabled,
                    granted_app_role_ids=granted,
                    assigned_role_template_ids=(),
                )
                return ConnectionCheck(
                    token_ok=True,
                    missing_permissions=known.missing_permissions,
                    failures=(_unreadable(exc, step),),
                )
            return _grants_unreadable(test, exc, step, graph_token, exchange_roles)
        return ConnectionCheck(token_ok=True, failures=(test.problem(exc, Stage.GRAPH),))
    except Exception as exc:
        return ConnectionCheck(token_ok=True, failures=(test.problem(exc, Stage.GRAPH),))
    return judge(
        exchange_enabled=test.connection.exchange_enabled,
        granted_app_role_ids=[a["appRoleId"] for a in _values(assignments)],
        assigned_role_template_ids=[r["roleDefinitionId"] for r in _values(roles)],
    )


def _values(body: Any) -> list[dict[str, Any]]:
    return list(body.get("value", [])) if isinstance(body, dict) else []


def _unreadable(exc: GraphError, step: str) -> Problem:
    refused = f"Microsoft Graph refused ({exc.code}: {exc.message})"
    if step == "roles":
        what, permission = "which directory roles the application holds", ROLES_READERS
    else:
        what, permission = "which permissions and directory roles the application holds", GRANTS_READERS
    return Problem(
        "grants_unreadable",
        f"The hub could not check {what}: {refused}.",
        f"Grant the application permission Directory.ReadWrite.All (the hub needs it anyway; {permission} alone is "
        "enough for this check) and admin consent, then press Test connection again.",
    )


def _grants_unreadable(
    test: _Test, exc: GraphError, step: str, graph_token: str, exchange_roles: set[str] | None
) -> ConnectionCheck:
    """Graph would not list the grants: say what could not be checked, which permission would let the hub check
    it, and the permissions the tokens show missing (their ``roles`` claim names what was granted)."""
    held = {GRAPH_APP_ID: token_roles(graph_token), EXCHANGE_APP_ID: exchange_roles}
    missing = tuple(
        p
        for p in required_permissions(test.connection.exchange_enabled)
        if (roles := held.get(p.resource_app_id)) is not None and p.name not in roles
    )
    return ConnectionCheck(token_ok=True, missing_permissions=missing, failures=(_unreadable(exc, step),))
