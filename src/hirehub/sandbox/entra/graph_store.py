"""One Entra tenant's directory as Microsoft Graph sees it: users, groups, memberships and managers.

Pure domain code (no I/O): the Graph emulator (:mod:`.graph`) parses requests and serialises answers; this
module keeps the rules that make Entra ID awkward to provision into, because the product must cope with each:

- a user needs ``accountEnabled``, ``displayName``, ``mailNickname``, a ``userPrincipalName`` in a verified
  domain and a ``passwordProfile`` whose password meets the complexity rules;
- ``userPrincipalName``, ``mail`` and ``proxyAddresses`` are unique across the directory, case-insensitively,
  and a clash is ``ObjectConflict`` (the rehire and namesake problem);
- ``proxyAddresses`` is read-only and follows ``mail`` (``SMTP:`` primary, former addresses kept as ``smtp:``);
- the manager is a reference set after creation, never in the create call;
- eventual consistency: an object younger than the configured lag is invisible to reads and to references
  (``404 Request_ResourceNotFound``), yet already taken for uniqueness;
- every change of a user is logged, so ``/users/delta`` can answer "what changed since".
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

ObjectKind = Literal["user", "group"]


class Clock(Protocol):
    """The sandbox clock (:class:`~.world.SandboxClock`): seconds for ordering and lag, datetimes for stamps."""

    def seconds(self) -> float: ...

    def now(self) -> datetime: ...


class GraphProblem(Exception):
    """A request Graph refuses: HTTP status, Graph error code, message, and the property at fault if any."""

    def __init__(self, status: int, code: str, message: str, *, target: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.target = target

    @property
    def details(self) -> list[dict[str, str]]:
        """Graph names the property of an ``ObjectConflict`` in ``details`` (top-level code stays generic)."""
        if self.target is None:
            return []
        kind = "ObjectConflict" if "already exists" in self.message else "InvalidValue"
        return [{"code": kind, "message": self.message, "target": self.target}]


def not_found(object_id: str) -> GraphProblem:
    return GraphProblem(
        404,
        "Request_ResourceNotFound",
        f"Resource '{object_id}' does not exist or one of its queried reference-property objects are not present.",
    )


def bad_request(message: str, *, target: str | None = None) -> GraphProblem:
    return GraphProblem(400, "Request_BadRequest", message, target=target)


def invalid_value(prop: str, resource: str = "User") -> GraphProblem:
    return bad_request(f"Invalid value specified for property '{prop}' of resource '{resource}'.", target=prop)


def conflict(prop: str) -> GraphProblem:
    """Graph's answer to a uniqueness clash: 400, ``Request_BadRequest``, detail code ``ObjectConflict``."""
    return bad_request(f"Another object with the same value for property {prop} already exists.", target=prop)


# The user schema, as far as provisioning uses it: writable properties and their OData types.
STRING, BOOLEAN, DATETIME, STRINGS, OBJECT = "Edm.String", "Edm.Boolean", "Edm.DateTimeOffset", "Collection", "Object"
USER_WRITABLE: dict[str, str] = {
    "accountEnabled": BOOLEAN,
    "ageGroup": STRING,
    "businessPhones": STRINGS,
    "city": STRING,
    "companyName": STRING,
    "country": STRING,
    "department": STRING,
    "displayName": STRING,
    "employeeHireDate": DATETIME,
    "employeeId": STRING,
    "employeeLeaveDateTime": DATETIME,
    "employeeOrgData": OBJECT,
    "employeeType": STRING,
    "faxNumber": STRING,
    "givenName": STRING,
    "jobTitle": STRING,
    "mail": STRING,
    "mailNickname": STRING,
    "mobilePhone": STRING,
    "officeLocation": STRING,
    "onPremisesImmutableId": STRING,
    "otherMails": STRINGS,
    "passwordPolicies": STRING,
    "passwordProfile": OBJECT,
    "postalCode": STRING,
    "preferredLanguage": STRING,
    "state": STRING,
    "streetAddress": STRING,
    "surname": STRING,
    "usageLocation": STRING,
    "userPrincipalName": STRING,
    "userType": STRING,
}
USER_READ_ONLY = frozenset(
    {"id", "createdDateTime", "deletedDateTime", "proxyAddresses", "signInSessionsValidFromDateTime",
     "lastPasswordChangeDateTime", "onPremisesSyncEnabled"}
)  # fmt: skip
USER_PROPERTIES = frozenset(USER_WRITABLE) - {"passwordProfile"} | USER_READ_ONLY
USER_REQUIRED = ("accountEnabled", "displayName", "mailNickname", "userPrincipalName", "passwordProfile")

GROUP_WRITABLE: dict[str, str] = {
    "description": STRING,
    "displayName": STRING,
    "groupTypes": STRINGS,
    "mailEnabled": BOOLEAN,
    "mailNickname": STRING,
    "securityEnabled": BOOLEAN,
    "visibility": STRING,
}
GROUP_READ_ONLY = frozenset({"id", "createdDateTime", "deletedDateTime", "mail", "proxyAddresses"})
GROUP_PROPERTIES = frozenset(GROUP_WRITABLE) | GROUP_READ_ONLY
GROUP_REQUIRED = ("displayName", "mailEnabled", "mailNickname", "securityEnabled")

MAX_REFERENCES_PER_REQUEST = 20  # members@odata.bind in one create or PATCH
_UPN_LOCAL = re.compile(r"^[A-Za-z0-9'._!#^~-]{1,64}$")
_NICKNAME_FORBIDDEN = set('@()\\[]";:<>, ')


def password_is_complex(password: str) -> bool:
    """Entra's rule for cloud users: 8 to 256 characters, at least three of lower, upper, digit, symbol."""
    if not 8 <= len(password) <= 256:
        return False
    classes = (
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    )
    return sum(classes) >= 3


def format_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_datetime(prop: str, value: Any, resource: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or "T" not in value:
        raise bad_request(f"Cannot convert the literal '{value}' to the expected type 'Edm.DateTimeOffset'.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise invalid_value(prop, resource) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return format_datetime(parsed)


@dataclass
class DirectoryObject:
    """A user or a group: its Graph properties (wire names and values) and what Graph keeps beside them."""

    id: str
    kind: ObjectKind
    props: dict[str, Any]
    seq: int
    created_at: float
    password: str | None = None
    manager_id: str | None = None
    members: dict[str, None] = field(default_factory=dict)  # a group's members, in the order added

    @property
    def odata_type(self) -> str:
        return f"#microsoft.graph.{self.kind}"


@dataclass(frozen=True)
class Change:
    """One entry of the change log that ``/users/delta`` reads."""

    seq: int
    object_id: str
    at: float


class GraphStore:
    """The users and groups of one directory, with Graph's validation, uniqueness and consistency rules."""

    def __init__(self, clock: Clock, domains: Iterable[str], lag: Callable[[], float] = lambda: 0.0) -> None:
        self._clock = clock
        self._lag = lag
        self.domains: set[str] = {d.lower() for d in domains}
        self.objects: dict[str, DirectoryObject] = {}
        self.removed: dict[str, float] = {}  # deleted object id -> sandbox seconds of deletion
        self.removed_kinds: dict[str, ObjectKind] = {}
        self.changes: list[Change] = []
        self._seq = 0
        self._listed: dict[ObjectKind, tuple[int, list[DirectoryObject]]] = {}
        """``all``'s answer by kind while no object was created or deleted since (``_seq`` unchanged) and none
        was still in the lag: a directory of 100,000 listed 100 a page is not sorted again for every page."""
        # uniqueness indexes (lower-cased value -> object id), kept with every write
        self._upns: dict[str, str] = {}
        self._mails: dict[str, str] = {}
        self._addresses: dict[str, str] = {}

    @property
    def user_count(self) -> int:
        """Users in the directory (Graph sizes a tenant's read limit by it)."""
        return len(self._upns)

    # time and visibility ------------------------------------------------------------------------------
    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def visible(self, obj: DirectoryObject) -> bool:
        """Replicated yet? Younger objects 404 on reads and references (Graph's eventual consistency)."""
        return self._clock.seconds() - obj.created_at >= self._lag()

    def _log(self, obj_id: str) -> None:
        self.changes.append(Change(self._next_seq(), obj_id, self._clock.seconds()))

    # look-ups --------------------------------------------------------------------------------------------
    def _find(self, key: str, kind: ObjectKind | None) -> DirectoryObject | None:
        obj = self.objects.get(key)
        if obj is None and "@" in key and kind != "group":
            obj = self.objects.get(self._upns.get(key.lower(), ""))
        if obj is None or (kind is not None and obj.kind != kind):
            return None
        return obj

    def get(self, key: str, kind: ObjectKind | None = None) -> DirectoryObject:
        """A visible object by id (or a user by userPrincipalName), else 404."""
        obj = self._find(key, kind)
        if obj is None or not self.visible(obj):
            raise not_found(key)
        return obj

    def all(self, kind: ObjectKind) -> list[DirectoryObject]:
        """Visible objects of one kind, oldest first."""
        kept = self._listed.get(kind)
        if kept is not None and kept[0] == self._seq:
            return list(kept[1])
        of_kind = [o for o in self.objects.values() if o.kind == kind]
        found = sorted((o for o in of_kind if self.visible(o)), key=lambda o: o.seq)
        if len(found) == len(of_kind):
            self._listed[kind] = (self._seq, found)
        return list(found)

    def reference(self, odata_id: str) -> DirectoryObject:
        """The object an ``@odata.id`` (``…/directoryObjects/{id}``, ``…/users/{id}``) points at."""
        object_id = odata_id.rstrip("/").rsplit("/", 1)[-1]
        if "(" in object_id:  # directoryObjects('id')
            object_id = object_id.split("(", 1)[1].strip("')\"")
        try:
            uuid.UUID(object_id)
        except ValueError as exc:
            raise bad_request(f"Invalid object identifier '{object_id}'.") from exc
        return self.get(object_id)

    # users -------------------------------------------------------------------------------------------
    def create_user(self, body: dict[str, Any]) -> DirectoryObject:
        self._refuse_unknown_or_read_only(body, USER_WRITABLE, USER_READ_ONLY, "User")
        for prop in USER_REQUIRED:
            if body.get(prop) in (None, ""):
                raise invalid_value(prop)
        props: dict[str, Any] = {}
        password = self._apply_user_props(props, body, creating=True, user_id=None)
        now = self._clock.now()
        user = DirectoryObject(
            str(uuid.uuid4()), "user", props, self._next_seq(), self._clock.seconds(), password=password
        )
        props.update(
            id=user.id,
            createdDateTime=format_datetime(now),
            signInSessionsValidFromDateTime=format_datetime(now),
            lastPasswordChangeDateTime=format_datetime(now),
            userType=props.get("userType") or "Member",
        )
        self.objects[user.id] = user
        self._index(user)
        self._log(user.id)
        return user

    def update_user(self, key: str, changes: dict[str, Any]) -> DirectoryObject:
        user, props = self._editable(key, "user", changes)
        password = self._apply_user_props(props, changes, creating=False, user_id=user.id)
        self._unindex(user)
        user.props = props
        self._index(user)
        if password is not None:
            user.password = password
            props["lastPasswordChangeDateTime"] = format_datetime(self._clock.now())
        self._log(user.id)
        return user

    def delete_user(self, key: str) -> None:
        user = self.get(key, "user")
        del self.objects[user.id]
        self._unindex(user)
        for other in self.objects.values():
            other.members.pop(user.id, None)
            if other.manager_id == user.id:
                other.manager_id = None
                self._log(other.id)
        self.removed[user.id] = self._clock.seconds()
        self.removed_kinds[user.id] = "user"
        self._log(user.id)

    def revoke_sessions(self, key: str) -> DirectoryObject:
        """Tokens issued before now stop working; Graph records it as ``signInSessionsValidFromDateTime``."""
        user = self.get(key, "user")
        user.props["signInSessionsValidFromDateTime"] = format_datetime(self._clock.now())
        self._log(user.id)
        return user

    def _editable(
        self, key: str, kind: Literal["user", "group"], changes: dict[str, Any]
    ) -> tuple[DirectoryObject, dict[str, Any]]:
        """The object a PATCH changes and a copy of its properties, once ``changes`` names only writable ones."""
        writable, read_only, label = {
            "user": (USER_WRITABLE, USER_READ_ONLY, "User"), "group": (GROUP_WRITABLE, GROUP_READ_ONLY, "Group"),
        }[kind]  # fmt: skip
        found = self.get(key, kind)
        self._refuse_unknown_or_read_only(changes, writable, read_only, label)
        return found, dict(found.props)

    def _refuse_unknown_or_read_only(
        self, body: dict[str, Any], writable: dict[str, str], read_only: frozenset[str], resource: str
    ) -> None:
        for prop in body:
            if prop.endswith("@odata.bind") or prop.startswith("@odata."):
                continue
            if prop in read_only:
                raise bad_request(f"Property '{prop}' is read-only and cannot be set.", target=prop)
            if prop not in writable:
                raise bad_request(
                    f"Property '{prop}' does not exist as a declared property or extension property.", target=prop
                )

    def _apply_user_props(
        self, props: dict[str, Any], body: dict[str, Any], *, creating: bool, user_id: str | None
    ) -> str | None:
        """Validate ``body`` onto ``props``; returns the new password when one is set."""
        password: str | None = None
        for prop, value in body.items():
            kind = USER_WRITABLE.get(prop)
            if kind is None:
                continue  # @odata annotations
            if prop == "passwordProfile":
                password = self._password(value)
                continue
            props[prop] = _typed(prop, value, kind, "User")
        upn = props.get("userPrincipalName")
        if "userPrincipalName" in body:
            self._check_upn(upn)
        if "mailNickname" in body:
            self._check_nickname(props.get("mailNickname"), "User")
        if "usageLocation" in body and props.get("usageLocation") is not None:
            location = props["usageLocation"]
            if not (len(location) == 2 and location.isalpha()):
                raise invalid_value("usageLocation")
            props["usageLocation"] = location.upper()
        if "displayName" in body and not (props.get("displayName") or "").strip():
            raise invalid_value("displayName")
        if "mail" in body:
            mail = props.get("mail")
            if mail is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", mail):
                raise invalid_value("mail")
            props["proxyAddresses"] = _proxy_addresses(props.get("proxyAddresses") or [], mail)
        elif creating:
            props["proxyAddresses"] = []
        self._check_unique(props, user_id)
        return password

    @staticmethod
    def _password(value: Any) -> str:
        if not isinstance(value, dict) or not isinstance(value.get("password"), str):
            raise invalid_value("passwordProfile")
        password: str = value["password"]
        if not password_is_complex(password):
            raise bad_request(
                "The specified password does not comply with password complexity requirements. "
                "Please provide a different password.",
                target="passwordProfile",
            )
        return password

    def _check_upn(self, upn: Any) -> None:
        if not isinstance(upn, str) or upn.count("@") != 1:
            raise invalid_value("userPrincipalName")
        local, domain = upn.split("@")
        if not _UPN_LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
            raise invalid_value("userPrincipalName")
        if domain.lower() not in self.domains:
            raise bad_request(
                "The domain portion of the userPrincipalName property is invalid. "
                "You must use one of the verified domain names in your organization.",
                target="userPrincipalName",
            )

    @staticmethod
    def _check_nickname(nickname: Any, resource: str) -> None:
        if (
            not isinstance(nickname, str)
            or not 1 <= len(nickname) <= 64
            or any(c in _NICKNAME_FORBIDDEN or ord(c) > 127 for c in nickname)
        ):
            raise invalid_value("mailNickname", resource)

    def _check_unique(self, props: dict[str, Any], own_id: str | None) -> None:
        """UPN against UPNs, mail against mails, addresses against every proxy address; invisible ones count."""
        upn = _lower(props.get("userPrincipalName"))
        mail = _lower(props.get("mail"))
        if upn and self._upns.get(upn, own_id) != own_id:
            raise conflict("userPrincipalName")
        if mail and self._mails.get(mail, own_id) != own_id:
            raise conflict("mail")
        for proxy in props.get("proxyAddresses") or []:
            if self._addresses.get(_address(proxy), own_id) != own_id:
                raise conflict("proxyAddresses")

    def _index(self, obj: DirectoryObject) -> None:
        if upn := _lower(obj.props.get("userPrincipalName")):
            self._upns[upn] = obj.id
        if mail := _lower(obj.props.get("mail")):
            self._mails[mail] = obj.id
        for proxy in obj.props.get("proxyAddresses") or []:
            self._addresses[_address(proxy)] = obj.id

    def _unindex(self, obj: DirectoryObject) -> None:
        for index, values in (
            (self._upns, [obj.props.get("userPrincipalName")]),
            (self._mails, [obj.props.get("mail")]),
            (self._addresses, [_address(p) for p in obj.props.get("proxyAddresses") or []]),
        ):
            for value in values:
                if (key := _lower(value)) and index.get(key) == obj.id:
                    del index[key]

    # managers ----------------------------------------------------------------------------------------
    def set_manager(self, key: str, odata_id: str) -> None:
        user = self.get(key, "user")
        manager = self.reference(odata_id)
        if manager.id == user.id:
            raise bad_request("A user cannot be their own manager.")
        user.manager_id = manager.id
        self._log(user.id)

    def remove_manager(self, key: str) -> None:
        user = self.get(key, "user")
        if user.manager_id is None:
            raise not_found("manager")
        user.manager_id = None
        self._log(user.id)

    def manager_of(self, key: str) -> DirectoryObject:
        user = self.get(key, "user")
        manager = self.objects.get(user.manager_id or "")
        if manager is None:
            raise GraphProblem(
                404,
                "Request_ResourceNotFound",
                "Resource 'manager' does not exist or one of its queried reference-property objects are not present.",
            )
        return manager

    def direct_reports(self, key: str) -> list[DirectoryObject]:
        user = self.get(key, "user")
        return [o for o in self.all("user") if o.manager_id == user.id]

    def member_of(self, key: str) -> list[DirectoryObject]:
        obj = self.get(key)
        return [g for g in self.all("group") if obj.id in g.members]

    # groups ------------------------------------------------------------------------------------------
    def create_group(self, body: dict[str, Any]) -> DirectoryObject:
        self._refuse_unknown_or_read_only(body, GROUP_WRITABLE, GROUP_READ_ONLY, "Group")
        for prop in GROUP_REQUIRED:
            if body.get(prop) in (None, ""):
                raise invalid_value(prop, "Group")
        props = {p: _typed(p, v, GROUP_WRITABLE[p], "Group") for p, v in body.items() if p in GROUP_WRITABLE}
        self._check_nickname(props["mailNickname"], "Group")
        props.setdefault("groupTypes", [])
        props.setdefault("description", None)
        props.update(mail=None, proxyAddresses=[])
        members = self._references(body.get("members@odata.bind", []))
        group = DirectoryObject(str(uuid.uuid4()), "group", props, self._next_seq(), self._clock.seconds())
        props.update(id=group.id, createdDateTime=format_datetime(self._clock.now()))
        group.members = {m.id: None for m in members}
        self.objects[group.id] = group
        self._log(group.id)
        return group

    def update_group(self, key: str, changes: dict[str, Any]) -> DirectoryObject:
        """Properties, and ``members@odata.bind`` (at most 20 references, none already a member)."""
        group, props = self._editable(key, "group", changes)
        for prop, value in changes.items():
            if prop in GROUP_WRITABLE:
                props[prop] = _typed(prop, value, GROUP_WRITABLE[prop], "Group")
        if "mailNickname" in changes:
            self._check_nickname(props["mailNickname"], "Group")
        new_members = self._references(changes.get("members@odata.bind", []))
        if any(m.id in group.members for m in new_members):
            raise already_member()
        group.props = props
        group.members.update({m.id: None for m in new_members})
        self._log(group.id)
        return group

    def delete_group(self, key: str) -> None:
        group = self.get(key, "group")
        del self.objects[group.id]
        self.removed[group.id] = self._clock.seconds()
        self.removed_kinds[group.id] = "group"
        self._log(group.id)

    def add_member(self, group_key: str, odata_id: str) -> None:
        group = self.get(group_key, "group")
        member = self.reference(odata_id)
        if member.id in group.members:
            raise already_member()
        group.members[member.id] = None
        self._log(group.id)

    def remove_member(self, group_key: str, member_id: str) -> None:
        group = self.get(group_key, "group")
        if member_id not in group.members:
            raise not_found(member_id)
        del group.members[member_id]
        self._log(group.id)

    def members(self, group_key: str) -> list[DirectoryObject]:
        group = self.get(group_key, "group")
        return [o for o in (self.objects.get(m) for m in group.members) if o is not None and self.visible(o)]

    def _references(self, refs: Any) -> list[DirectoryObject]:
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            raise bad_request("Invalid value for 'members@odata.bind': expected an array of URLs.")
        if len(refs) > MAX_REFERENCES_PER_REQUEST:
            raise bad_request(
                f"The request contains {len(refs)} references; at most {MAX_REFERENCES_PER_REQUEST} can be "
                "added in one request."
            )
        return [self.reference(r) for r in refs]

    # delta ---------------------------------------------------------------------------------------------
    def settled_seq(self) -> int:
        """The last change every reader can already see: a delta round never passes a change still in lag."""
        horizon = self._clock.seconds() - self._lag()
        settled = 0
        for change in self.changes:
            if change.at > horizon:
                break
            settled = change.seq
        return settled

    def changed_since(self, since: int, until: int, kind: ObjectKind = "user") -> list[str]:
        """Ids of objects of ``kind`` changed in ``(since, until]`` (only existing ones on a first round,
        ``since == 0``); a group changes when its properties or members do."""

        def kind_of(object_id: str) -> ObjectKind | None:
            found = self.objects.get(object_id)
            return found.kind if found is not None else self.removed_kinds.get(object_id)

        ids = {c.object_id for c in self.changes if since < c.seq <= until and kind_of(c.object_id) == kind}
        if since == 0:
            ids -= set(self.removed)
        return sorted(ids)


def already_member() -> GraphProblem:
    return bad_request(
        "One or more added object references already exist for the following modified properties: 'members'."
    )


def _typed(prop: str, value: Any, kind: str, resource: str) -> Any:
    if value is None:
        if prop in ("accountEnabled", "displayName", "mailNickname", "userPrincipalName"):
            raise invalid_value(prop, resource)
        return None
    if kind == BOOLEAN and not isinstance(value, bool):
        raise bad_request(f"Cannot convert the literal '{value}' to the expected type 'Edm.Boolean'.")
    if kind == STRING:
        if not isinstance(value, str):
            raise bad_request(f"Cannot convert the literal '{value}' to the expected type 'Edm.String'.")
        if len(value) > 256:
            raise invalid_value(prop, resource)
    if kind == DATETIME:
        return _parse_datetime(prop, value, resource)
    if kind == STRINGS and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise invalid_value(prop, resource)
    if kind == OBJECT and not isinstance(value, dict):
        raise invalid_value(prop, resource)
    return value


def _lower(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) else None


def _address(proxy: str) -> str:
    """A proxy address without its prefix, lower-cased: ``SMTP:A@x`` and ``smtp:a@x`` are the same address."""
    return proxy.split(":", 1)[-1].lower()


def _proxy_addresses(current: list[str], mail: str | None) -> list[str]:
    """``mail`` becomes the primary ``SMTP:`` address; a former primary stays as a secondary ``smtp:``."""
    kept = [f"smtp:{p.split(':', 1)[-1]}" if p.startswith("SMTP:") else p for p in current]
    if mail is None:
        return kept
    kept = [p for p in kept if _address(p) != mail.lower()]
    return [f"SMTP:{mail}", *kept]
