"""An Entra ID connection's life after it is created: edit, enable, disable, activate, delete, rotate, test.

A tenant provisions through its one *active* connection, and only while that connection is enabled and has
passed *Test connection* as it is now: the last passing test records a fingerprint of everything that decides
where and as whom the hub signs in (type, cloud, directory tenant, app, features, certificate), so an edit made
after it sends the connection back to "not tested". :func:`provisioning_blocker` says why a connection does not
provision, in words the console, the CLI and a paused job all show.

A certificate is renewed without a gap: :func:`rotate_certificate` keeps a new key pair beside the current one
(the administrator uploads the new certificate next to the old, both valid meanwhile), and :func:`run_test`
tries the pending one first, switching to it only when Microsoft accepts it.

Every change is audited in the caller's transaction. Waking the jobs that waited for a connection is the
caller's part (``hirehub.provisioning.directory_connections``): a connector never reaches into the job queue.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.audit import log as audit
from hirehub.directories.entra.certificates import generate_certificate
from hirehub.directories.entra.clouds import cloud as cloud_named
from hirehub.directories.entra.connections import (
    CertificateCredentials,
    ConnectionNameTaken,
    ConnectionRuntime,
    EntraConnectionError,
    test_connection,
)
from hirehub.directories.entra.models import ConnectionStatus, ConnectionType, EntraConnection
from hirehub.directories.entra.msal_client import SecretBox
from hirehub.directories.entra.permissions import Problem
from hirehub.errors import Conflict, NotFound

SUBJECT = "entra_connection"
EXPIRY_WARNING_DAYS = 30
"""How many days before its certificate expires a connection is warned about (console, metrics, log)."""


def connection_id_of(text: str | uuid.UUID) -> uuid.UUID:
    """The connection id a caller typed, refused with its field when it is not a GUID."""
    if isinstance(text, uuid.UUID):
        return text
    try:
        return uuid.UUID(text)
    except ValueError:
        raise EntraConnectionError(f"'{text}' is not a connection id (a GUID)", field="id") from None


async def get_connection(
    session: AsyncSession, connection_id: str | uuid.UUID, *, lock: bool = False
) -> EntraConnection:
    """The session's tenant's connection of that id; another tenant's is as unknown as one that never was."""
    key = connection_id_of(connection_id)
    query = select(EntraConnection).where(EntraConnection.id == key)
    found = await session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise NotFound(f"no Entra connection with id {key} in this tenant", field="id")
    return found


async def active_connection(session: AsyncSession) -> EntraConnection | None:
    """The connection the session's tenant provisions through, if one is chosen."""
    return await session.scalar(select(EntraConnection).where(EntraConnection.active.is_(True)))


async def list_connections(session: AsyncSession) -> list[EntraConnection]:
    return list(await session.scalars(select(EntraConnection).order_by(EntraConnection.name)))


def fingerprint(connection: EntraConnection) -> str:
    """A digest of what a passing test vouches for; an edit to any of it calls for a new test."""
    vouched = [
        connection.connection_type,
        connection.cloud,
        connection.directory_tenant_id,
        connection.client_id,
        bool(connection.exchange_enabled),
        connection.certificate_thumbprint,
    ]
    return hashlib.sha256(json.dumps(vouched).encode()).hexdigest()


def provisioning_blocker(connection: EntraConnection) -> str | None:
    """Why this connection does not provision now (None when it does, if it is the active one)."""
    name = connection.name
    if not connection.enabled:
        return f"the Entra connection '{name}' is disabled: enable it to provision"
    if connection.status == ConnectionStatus.NEEDS_LINK:
        detail = f": {connection.status_detail}" if connection.status_detail else ""
        return f"the Entra connection '{name}' needs Link account again{detail}"
    last = connection.last_test or {}
    if not last:
        return f"the Entra connection '{name}' has not passed Test connection yet: run Test connection"
    if not last.get("ok"):
        return f"the Entra connection '{name}' did not pass Test connection: fix what it lists and test again"
    if connection.tested_fingerprint != fingerprint(connection):
        return f"the Entra connection '{name}' changed since it passed Test connection: run Test connection again"
    return None


def days_left(not_after: datetime, now: datetime) -> float:
    return (not_after - now).total_seconds() / 86400


def expiring_soon(connection: EntraConnection, now: datetime) -> bool:
    """Whether the certificate in use expires within :data:`EXPIRY_WARNING_DAYS` (expired included)."""
    not_after = connection.certificate_not_after
    return not_after is not None and days_left(not_after, now) <= EXPIRY_WARNING_DAYS


def _certificate(thumbprint: str | None, expires: datetime | None) -> dict[str, Any] | None:
    if thumbprint is None:
        return None
    return {"thumbprint": thumbprint, "expires": expires.isoformat() if expires else None}


def summary_json(connection: EntraConnection) -> dict[str, Any]:
    """A connection as ``entra connection list`` prints it (the keys are an interface)."""
    last = connection.last_test
    return {
        "id": str(connection.id),
        "name": connection.name,
        "type": connection.connection_type,
        "cloud": connection.cloud,
        "enabled": bool(connection.enabled),
        "active": bool(connection.active),
        "certificate": _certificate(connection.certificate_thumbprint, connection.certificate_not_after),
        "last_test": None
        if last is None
        else {
            "ok": bool(last.get("ok")),
            "at": connection.last_tested_at.isoformat() if connection.last_tested_at else None,
            "problems": list(last.get("problems", [])),
        },
    }


def detail_json(connection: EntraConnection) -> dict[str, Any]:
    """One connection in full (never its keys or tokens): the summary, its settings and why it does not provision."""
    blocker = provisioning_blocker(connection)
    return {
        **summary_json(connection),
        "directory_tenant_id": connection.directory_tenant_id,
        "client_id": connection.client_id,
        "exchange_enabled": bool(connection.exchange_enabled),
        "status": connection.status,
        "status_detail": connection.status_detail,
        "linked_account": connection.linked_account,
        "certificate_thumbprint": connection.certificate_thumbprint,
        "pending_certificate": _certificate(
            connection.pending_certificate_thumbprint, connection.pending_certificate_not_after
        ),
        "provisions": connection.active and blocker is None,
        "waiting_because": blocker if connection.active else None,
    }


def _audit(
    session: AsyncSession,
    connection: EntraConnection,
    *,
    actor: str,
    action: str,
    before: dict[str, Any] | None = None,
    detail: str | None = None,
    outcome: str = "applied",
) -> None:
    audit.record(
        session, actor=actor, action=f"entra.connection.{action}", subject_type=SUBJECT,
        subject_id=str(connection.id), before=before, after=None if action == "delete" else detail_json(connection),
        detail=detail, outcome=outcome,
    )  # fmt: skip


def record_created(session: AsyncSession, connection: EntraConnection, *, actor: str) -> None:
    """Audit a connection :func:`~hirehub.directories.entra.connections.create_connection` made."""
    _audit(session, connection, actor=actor, action="create")


@dataclass(frozen=True)
class ConnectionChanges:
    """An edit: each field left None stays as it is."""

    name: str | None = None
    cloud: str | None = None
    client_id: str | None = None
    directory_tenant_id: str | None = None
    exchange_enabled: bool | None = None

    def any(self) -> bool:
        return any(value is not None for value in (self.name, self.cloud, self.client_id,
                                                   self.directory_tenant_id, self.exchange_enabled))  # fmt: skip


def _guid(value: str, what: str, *, field: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise EntraConnectionError(f"{what} must be a GUID (find it on the app's Overview blade)", field=field) from exc


async def _validated(session: AsyncSession, connection: EntraConnection, changes: ConnectionChanges) -> dict[str, Any]:
    """The new values, every one checked before any is applied."""
    values: dict[str, Any] = {}
    if changes.name is not None:
        name = changes.name.strip()
        if not name:
            raise EntraConnectionError("a connection needs a name", field="name")
        taken = await session.scalar(
            select(EntraConnection.id).where(EntraConnection.name == name, EntraConnection.id != connection.id)
        )
        if taken is not None:
            raise ConnectionNameTaken(f"a connection named '{name}' already exists", field="name")
        values["name"] = name
    if changes.cloud is not None:
        try:
            cloud_named(changes.cloud)
        except ValueError as exc:
            raise EntraConnectionError(str(exc), field="cloud") from exc
        values["cloud"] = changes.cloud
    if changes.directory_tenant_id is not None:
        values["directory_tenant_id"] = _guid(changes.directory_tenant_id, "the tenant ID", field="directory_tenant_id")
    if changes.client_id is not None:
        if connection.connection_type != ConnectionType.CUSTOMER_OWNED:
            raise EntraConnectionError(
                "a service-provider connection uses the hub's own app: it has no client ID to change", field="client_id"
            )
        values["client_id"] = _guid(changes.client_id, "the client ID", field="client_id")
    if changes.exchange_enabled is not None:
        values["exchange_enabled"] = changes.exchange_enabled
    return values


async def update_connection(
    session: AsyncSession, connection: EntraConnection, changes: ConnectionChanges, *, actor: str
) -> EntraConnection:
    """Edit a connection; a change to what a test vouched for makes it wait for a new passing test."""
    values = await _validated(session, connection, changes)
    before = detail_json(connection)
    for name, value in values.items():
        setattr(connection, name, value)
    changed = connection.tested_fingerprint is not None and connection.tested_fingerprint != fingerprint(connection)
    if changed and connection.status != ConnectionStatus.NEEDS_LINK:
        connection.status = ConnectionStatus.PENDING
        connection.status_detail = "changed since its last passing test: run Test connection again"
    await session.flush()
    _audit(session, connection, actor=actor, action="update", before=before)
    return connection


async def set_enabled(
    session: AsyncSession, connection: EntraConnection, enabled: bool, *, actor: str
) -> EntraConnection:
    """Enable or disable; a disabled active connection keeps its place, and its jobs wait until it is enabled."""
    before = detail_json(connection)
    connection.enabled = enabled
    await session.flush()
    _audit(session, connection, actor=actor, action="enable" if enabled else "disable", before=before)
    return connection


async def activate(session: AsyncSession, connection: EntraConnection, *, actor: str) -> EntraConnection:
    """Make this the tenant's one active connection, the previous one stepping down first (the unique index
    refuses two at once, so a concurrent activation fails rather than leaving two)."""
    if not connection.enabled:
        raise Conflict(f"the connection '{connection.name}' is disabled: enable it before making it active", field="id")
    before = detail_json(connection)
    previous = await session.scalar(
        select(EntraConnection).where(EntraConnection.active.is_(True), EntraConnection.id != connection.id)
    )
    if previous is not None:
        previous.active = False
        await session.flush()  # stepped down before the new one steps up: the index allows one at a time
        _audit(session, previous, actor=actor, action="deactivate", detail=f"replaced by '{connection.name}'")
    connection.active = True
    await session.flush()
    _audit(session, connection, actor=actor, action="activate", before=before)
    return connection


async def delete_connection(session: AsyncSession, connection: EntraConnection, *, actor: str) -> None:
    """Delete a connection (its link flows go with it). Whether jobs still depend on it is the caller's check."""
    before = detail_json(connection)
    _audit(session, connection, actor=actor, action="delete", before=before)
    await session.delete(connection)
    await session.flush()


@dataclass(frozen=True)
class Rotation:
    thumbprint: str
    previous_thumbprint: str | None
    expires: datetime

    def as_json(self) -> dict[str, Any]:
        return {"thumbprint": self.thumbprint, "previous_thumbprint": self.previous_thumbprint,
                "expires": self.expires.isoformat()}  # fmt: skip


async def rotate_certificate(
    session: AsyncSession, connection: EntraConnection, *, box: SecretBox, now: datetime, actor: str
) -> Rotation:
    """A new key pair and certificate, kept *pending* beside the current one (which goes on signing in) until a
    test passes with it. Rotating again replaces a pending certificate that was never switched to."""
    if connection.connection_type != ConnectionType.CUSTOMER_OWNED or not connection.certificate_pem:
        raise Conflict(f"the connection '{connection.name}' is delegated: it has no certificate to rotate", field="id")
    cert = generate_certificate(f"hirehub {connection.name}", now=now)
    connection.pending_certificate_pem = cert.certificate_pem
    connection.pending_certificate_thumbprint = cert.thumbprint_sha1
    connection.pending_certificate_not_after = cert.not_after
    connection.pending_private_key_encrypted = box.seal(cert.private_key_pem)
    await session.flush()
    detail = f"new certificate {cert.thumbprint_sha1} pending beside {connection.certificate_thumbprint}"
    _audit(session, connection, actor=actor, action="rotate_certificate", detail=detail)
    return Rotation(cert.thumbprint_sha1, connection.certificate_thumbprint, cert.not_after)


_CREDENTIAL = ("certificate_pem", "certificate_thumbprint", "certificate_not_after", "private_key_encrypted")


def _pending_credentials(connection: EntraConnection) -> CertificateCredentials | None:
    pem, key, thumbprint = (connection.pending_certificate_pem, connection.pending_private_key_encrypted,
                            connection.pending_certificate_thumbprint)  # fmt: skip
    if not (pem and key and thumbprint):
        return None
    return CertificateCredentials(certificate_pem=pem, private_key_encrypted=key, thumbprint=thumbprint)


def _switch_to_pending(connection: EntraConnection) -> None:
    """The pending certificate becomes the one in use; the old one is remembered by its thumbprint only."""
    connection.previous_certificate_thumbprint = connection.certificate_thumbprint
    for column in _CREDENTIAL:
        setattr(connection, column, getattr(connection, f"pending_{column}"))
        setattr(connection, f"pending_{column}", None)


@dataclass(frozen=True)
class ConnectionVerdict:
    """*Test connection*'s answer: ``ok`` and the problems to fix (``code``, ``message``, ``next_step``);
    ``switched`` when a pending certificate passed and is now the one in use."""

    ok: bool
    problems: list[dict[str, str]] = field(default_factory=list)
    switched: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": self.problems}


def _record_verdict(connection: EntraConnection, notes: list[Problem]) -> list[dict[str, str]]:
    """The stored verdict names every problem the answer names (a refused new certificate too)."""
    last = dict(connection.last_test or {})
    problems = [note.as_json() for note in notes] + list(last.get("problems", []))
    last["problems"] = problems
    last["messages"] = [note.message for note in notes] + list(last.get("messages", []))
    connection.last_test = last
    return problems


async def run_test(
    session: AsyncSession, connection: EntraConnection, runtime: ConnectionRuntime, *, now: datetime, actor: str
) -> ConnectionVerdict:
    """*Test connection*, with the pending certificate first when there is one: it becomes the certificate in use
    if Microsoft accepts it; if not, the current one is tested and kept, and the answer says so."""
    notes: list[Problem] = []
    check = None
    pending = _pending_credentials(connection)
    if pending is not None:
        trial = await test_connection(runtime, connection, now, certificate=pending)
        if trial.ok:
            check = trial
            _switch_to_pending(connection)
        else:
            reasons = "; ".join(trial.messages()) or "it was refused"
            notes.append(
                Problem(
                    "new_certificate_refused",
                    f"The new certificate {pending.thumbprint} did not pass ({reasons}); the connection keeps its "
                    "current certificate.",
                    "Upload the new certificate to the app registration's Certificates & secrets (beside the current "
                    "one), then press Test connection again.",
                )
            )
    switched = check is not None
    if check is None:
        check = await test_connection(runtime, connection, now)
    problems = _record_verdict(connection, notes)
    connection.tested_fingerprint = fingerprint(connection) if check.ok else None
    await session.flush()
    passed = "passed with the new certificate" if switched else "passed"
    detail = "; ".join(p["message"] for p in problems)[:1000] or passed
    _audit(session, connection, actor=actor, action="test", detail=detail, outcome="applied" if check.ok else "refused")
    return ConnectionVerdict(ok=check.ok, problems=problems, switched=switched)
