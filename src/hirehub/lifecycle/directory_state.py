"""Directory accounts as the planner sees them: what a connector observed, and what the policy wants.

Both are plain values so that planning stays pure and a dry run can plan against a snapshot. An account is tied
to its worker by the *anchor* (Entra's ``employeeId``, the personnel number), never by name: names change with
marriages and policies, and a rehire must find the account they had.

Leaver actions such as "reset the password" are one-shot commands, yet plans must be idempotent: planning again
after they ran must plan nothing. So an observed account carries the evidence Graph and Exchange keep of them:
when the password last changed (``lastPasswordChangeDateTime``), since when sign-in sessions are valid
(``signInSessionsValidFromDateTime``) and whether the mailbox is a user's or a shared one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from hirehub.lifecycle.expressions import Value


class Mailbox(StrEnum):
    """An Exchange mailbox's kind (Exchange's RecipientTypeDetails UserMailbox / SharedMailbox)."""

    USER = "user"
    SHARED = "shared"


def _aware(moment: datetime | None, what: str) -> None:
    if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
        raise ValueError(f"{what} must be timezone-aware")


NAME_FIELDS = {"userPrincipalName": "user_principal_name", "mail": "mail", "mailNickname": "mail_nickname"}
"""The Graph names of an account's names, and the fields holding them."""


@dataclass(frozen=True)
class DirectoryAccount:
    """One account as the directory reports it.

    ``anchor`` is None for accounts no worker can own (administrators, service accounts): the engine never
    touches them. ``attributes`` holds the other attributes the connector read (Graph names, e.g. ``department``);
    an attribute absent from it is null. ``manager_anchor`` is the manager's anchor, ``groups`` the names of
    the groups the account is a direct member of.
    """

    object_id: str
    anchor: str | None
    user_principal_name: str
    mail: str | None = None
    mail_nickname: str | None = None
    enabled: bool = True
    attributes: Mapping[str, object] = field(default_factory=dict, hash=False)
    manager_anchor: str | None = None
    groups: tuple[str, ...] = ()
    password_changed_at: datetime | None = None
    sessions_valid_from: datetime | None = None
    mailbox: Mailbox | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "attributes", MappingProxyType(dict(self.attributes)))
        object.__setattr__(self, "groups", tuple(self.groups))
        if self.mailbox is not None:
            object.__setattr__(self, "mailbox", Mailbox(self.mailbox))
        _aware(self.password_changed_at, "password_changed_at")
        _aware(self.sessions_valid_from, "sessions_valid_from")

    def name(self, attribute: str) -> str | None:
        """One of the account's names by its Graph attribute name (userPrincipalName, mail, mailNickname)."""
        return getattr(self, NAME_FIELDS[attribute])

    def names(self) -> tuple[str, ...]:
        """Every name the account holds, so a dry run can tell which names are taken."""
        return tuple(name for name in (self.user_principal_name, self.mail, self.mail_nickname) if name)

    def in_group(self, group: str) -> bool:
        folded = group.strip().casefold()
        return any(member.strip().casefold() == folded for member in self.groups)


@dataclass(frozen=True)
class DesiredAccount:
    """The account a worker should have now, computed from HR and the policy.

    ``attributes`` holds the mapped attributes other than names (null means "clear it"); ``manager_anchor`` is
    the manager HR records (the planner only uses it when the policy syncs managers); ``groups`` are the groups
    the group rules grant, in order. ``start_date`` is kept for messages ("disabled until 2025-03-01").
    """

    anchor: str
    user_principal_name: str
    mail: str | None
    mail_nickname: str | None
    enabled: bool
    attributes: Mapping[str, Value] = field(default_factory=dict, hash=False)
    manager_anchor: str | None = None
    groups: tuple[str, ...] = ()
    start_date: date | None = None

    def __post_init__(self) -> None:
        if type(self.attributes) is not MappingProxyType:  # the planner's own (see _mapped_attributes) is kept
            object.__setattr__(self, "attributes", MappingProxyType(dict(self.attributes)))
        object.__setattr__(self, "groups", tuple(self.groups))

    def name(self, attribute: str) -> str | None:
        return getattr(self, NAME_FIELDS[attribute])

    def to_json(self) -> dict[str, object]:
        return {
            "anchor": self.anchor,
            "userPrincipalName": self.user_principal_name,
            "mail": self.mail,
            "mailNickname": self.mail_nickname,
            "accountEnabled": self.enabled,
            "attributes": dict(self.attributes),
            "manager": self.manager_anchor,
            "groups": list(self.groups),
            "start_date": self.start_date.isoformat() if self.start_date else None,
        }
