"""The worker page's *Directory account* panel: what provisioning did to the worker's account, from the audit log.

The provisioning job audits every step it applies (``directory.create_account``, ``directory.disable_account``…)
under the worker's personnel number, in the same transaction as the step's outcome. Reading those entries shows
the administrator what the directory was last told, without calling the directory from a page view (which would
be slow, and fail whenever the directory is throttling). The summary itself is a pure function of the entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.audit.models import AuditEntry

DIRECTORY_ACTION = "directory."
RECENT = 6
DONE = frozenset({"ok", "applied"})
"""Outcomes of a step that changed the directory (the connector's ``ok``; ``applied`` as the audit log's default)."""
LABELS = {
    "create_account": "Account created",
    "update_attributes": "Attributes updated",
    "set_manager": "Manager set",
    "add_to_group": "Added to a group",
    "remove_from_group": "Removed from a group",
    "enable_account": "Account enabled",
    "disable_account": "Account disabled",
    "reset_password": "Password reset",
    "revoke_sessions": "Sign-in sessions revoked",
    "convert_mailbox_to_shared": "Mailbox converted to shared",
}


@dataclass(frozen=True)
class DirectoryStep:
    """One applied (or failed) step, as the panel lists it."""

    at: datetime
    label: str
    outcome: str
    detail: str | None


@dataclass(frozen=True)
class DirectoryAccount:
    """The account as provisioning last left it; ``state`` is ``None`` before anything reached the directory."""

    user_principal_name: str | None
    state: str | None
    recent: tuple[DirectoryStep, ...]

    @property
    def provisioned(self) -> bool:
        return self.state is not None


def summarise(entries: Sequence[AuditEntry]) -> DirectoryAccount:
    """The account's name and whether it is enabled, from the worker's ``directory.*`` entries (oldest first)."""
    upn: str | None = None
    state: str | None = None
    steps: list[DirectoryStep] = []
    for entry in entries:
        kind = entry.action.removeprefix(DIRECTORY_ACTION)
        after = entry.after or {}
        steps.append(DirectoryStep(entry.at, LABELS.get(kind, kind.replace("_", " ")), entry.outcome, entry.detail))
        if entry.outcome not in DONE:
            continue
        if kind == "create_account":
            account = after.get("account")
            if isinstance(account, dict):
                upn = str(account.get("userPrincipalName") or "") or upn
                state = "Disabled" if account.get("accountEnabled") is False else "Enabled"
        elif kind == "enable_account":
            state = "Enabled"
        elif kind == "disable_account":
            state = "Disabled"
        elif state is None:
            state = "Enabled"  # an account adopted by the connector that only needed updating
    return DirectoryAccount(upn, state, tuple(reversed(steps[-RECENT:])))


async def directory_account(session: AsyncSession, personnel_number: str) -> DirectoryAccount:
    """The panel's content for one worker of the session's tenant."""
    entries = await session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.subject_type == "worker",
            AuditEntry.subject_id == personnel_number,
            AuditEntry.action.startswith(DIRECTORY_ACTION),
        )
        .order_by(AuditEntry.position)
    )
    return summarise(list(entries))
