"""The emulated world: directories (Entra tenants), application registrations, their grants, a clock and faults.

Every part of the Entra sandbox (the identity endpoints, Graph, Exchange) reads and changes one
:class:`EntraWorld`; tests arrange it directly (register an app, grant permissions, assign a directory role) the
way an administrator would in the Entra portal, then let unmodified clients talk to the endpoints.

Access tokens are RS256 JWTs signed with the world's key and shaped as Entra's v1/v2 access tokens are: ``tid``,
``appid``/``azp``, ``oid``, ``roles`` (application permissions, by value such as ``User.ReadWrite.All``) or
``scp`` (delegated scopes, space separated), ``aud`` the resource (``https://graph.microsoft.com``). The Graph and
Exchange emulators check them with :meth:`EntraWorld.verify_access_token`, as the real resources do.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from hirehub.db.clock_offset import OffsetFollower
from hirehub.sandbox.entra.sessions import SignInSessions
from hirehub.sandbox.entra.throttling import GraphServiceStats, GraphThrottle

ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
_NO_TRAVEL = timedelta(0)


class SandboxClock:
    """Time as the sandbox sees it: real time, sped up by ``speed`` (a benchmark runs Graph's 10-second
    throttling windows in a fraction of that), or set by hand in tests (:meth:`advance`).

    Two readings, because a development group's time travel (:mod:`hirehub.db.clock_offset`) moves the calendar
    but not the clients' libraries. :meth:`now` is the sandbox's calendar: what it records and counts by days
    (``createdDateTime``, ``signInSessionsValidFromDateTime``, the day a call limit counts in); it follows the
    group's shift once :meth:`follow` names its offset file, so the hub's planner reads stamps on the same
    calendar as its own. :meth:`protocol_now` never travels: tokens' ``iat``/``nbf``/``exp``, codes and sign-in
    sessions are stamped and judged on it, because MSAL checks ID tokens and caches access tokens on the wall
    clock, and a token issued before a jump must still be good after it. :meth:`seconds` (throttle windows,
    pacing, consistency lag) never travels either: a jump must neither refill nor freeze a bucket.
    """

    def __init__(self, speed: float = 1.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._origin_real = monotonic()
        self._origin_wall = datetime.now(UTC)
        self._offset = 0.0
        self._travel: Callable[[], timedelta] = lambda: _NO_TRAVEL
        self.speed = speed

    def seconds(self) -> float:
        """Sandbox seconds since the clock started (monotonic, scaled by ``speed``); time travel leaves them."""
        return (self._monotonic() - self._origin_real) * self.speed + self._offset

    def protocol_now(self) -> datetime:
        """The moment tokens, codes and sessions are stamped and judged with: never shifted by time travel."""
        return self._origin_wall + timedelta(seconds=self.seconds())

    def now(self) -> datetime:
        """The sandbox's calendar: :meth:`protocol_now` moved by the time travel it follows, if any."""
        return self.protocol_now() + self._travel()

    def advance(self, seconds: float) -> None:
        """Move sandbox time forward (expire tokens, refill buckets, let eventual consistency settle)."""
        self._offset += seconds

    def follow(self, offset_file: Path, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        """Move the calendar with the shift a development group keeps in ``offset_file`` (``hirehub demo clock``),
        looked at again as :class:`~hirehub.db.clock_offset.OffsetFollower` does (``monotonic`` paces the looks)."""
        self._travel = OffsetFollower(offset_file, monotonic=monotonic).offset

    @property
    def travelled(self) -> timedelta:
        """How far the calendar is shifted now."""
        return self._travel()


@dataclass
class Faults:
    """Switches that make the sandbox misbehave the way the real services do.

    ``throttle_rate`` and ``unavailable_rate`` are probabilities of answering a Graph request (or a ``$batch``
    item) with 429 (``Retry-After``) and 503; ``consistency_lag_seconds`` is how long a new object stays invisible
    to reads by id or filter (404s of eventual consistency); ``down`` makes every Graph and Exchange call a 503.
    """

    throttle_rate: float = 0.0
    unavailable_rate: float = 0.0
    retry_after_seconds: int = 1
    consistency_lag_seconds: float = 0.0
    down: bool = False
    seed: int | None = None
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        self._random.seed(self.seed)

    def roll(self, rate: float) -> bool:
        return rate > 0 and self._random.random() < rate


@dataclass
class Application:
    """An app registration (its home directory, credentials and reply URLs)."""

    app_id: str
    display_name: str
    home_tenant_id: str
    secrets: list[str] = field(default_factory=list)
    certificates: list[x509.Certificate] = field(default_factory=list)
    redirect_uris: list[str] = field(default_factory=list)
    multi_tenant: bool = False


@dataclass
class ServicePrincipal:
    """An application's presence in one directory: what it was granted there.

    ``app_roles`` are granted application permissions by value per resource app id (Graph's
    ``00000003-0000-0000-c000-000000000000``, Exchange's ``00000002-0000-0ff1-ce00-000000000000``);
    ``directory_roles`` are role template ids assigned to it; ``delegated`` are the delegated scopes consented,
    per user object id (``"*"`` for admin consent on behalf of the organisation).
    """

    id: str
    app_id: str
    display_name: str
    app_roles: dict[str, set[str]] = field(default_factory=dict)
    directory_roles: set[str] = field(default_factory=set)
    delegated: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class Person:
    """Someone who can sign in on the consent page (an administrator of the directory)."""

    object_id: str
    user_principal_name: str
    password: str
    display_name: str


@dataclass
class Directory:
    """One Entra tenant. ``store`` belongs to the Graph emulator (users, groups, members); ``mailboxes`` to the
    Exchange emulator."""

    tenant_id: str
    default_domain: str
    service_principals: dict[str, ServicePrincipal] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    store: Any = None
    mailboxes: Any = None

    def service_principal(self, app_id: str) -> ServicePrincipal | None:
        return self.service_principals.get(app_id)


@dataclass(frozen=True)
class AccessClaims:
    """What a resource learns from a verified access token."""

    tenant_id: str
    app_id: str
    audience: str
    roles: frozenset[str]
    scopes: frozenset[str]
    user_object_id: str | None
    raw: dict[str, Any]

    @property
    def delegated(self) -> bool:
        return self.user_object_id is not None


class InvalidToken(Exception):
    """The bearer token is missing, malformed, expired, for another resource or not signed by this world."""


class EntraWorld:
    """Everything the emulated Entra ID, Graph and Exchange share."""

    def __init__(self, *, clock: SandboxClock | None = None, faults: Faults | None = None) -> None:
        self.clock = clock or SandboxClock()
        self.faults = faults or Faults()
        self.applications: dict[str, Application] = {}
        self.directories: dict[str, Directory] = {}
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key_id = uuid.uuid4().hex
        self.graph_stats = GraphServiceStats()
        self.graph_throttle = GraphThrottle(self.clock)
        self.sessions = SignInSessions()

    # arranging the world, as an administrator would in the portal ---------------------------------------------
    def add_directory(self, tenant_id: str | None = None, default_domain: str = "contoso.onmicrosoft.com") -> Directory:
        directory = Directory(tenant_id or str(uuid.uuid4()), default_domain)
        self.directories[directory.tenant_id] = directory
        return directory

    def register_application(
        self,
        directory: Directory,
        display_name: str,
        *,
        app_id: str | None = None,
        multi_tenant: bool = False,
        redirect_uris: Iterable[str] = (),
    ) -> Application:
        """An app registration in ``directory``, with its service principal there."""
        app = Application(
            app_id or str(uuid.uuid4()),
            display_name,
            directory.tenant_id,
            redirect_uris=list(redirect_uris),
            multi_tenant=multi_tenant,
        )
        self.applications[app.app_id] = app
        self.service_principal_in(directory, app.app_id)
        return app

    def upload_certificate(self, app: Application, certificate_pem: str) -> x509.Certificate:
        """*Certificates & secrets → Upload certificate*: the app may now sign client assertions with its key."""
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
        app.certificates.append(certificate)
        return certificate

    def service_principal_in(self, directory: Directory, app_id: str) -> ServicePrincipal:
        """The app's service principal in ``directory``, created on first use (as consent does)."""
        principal = directory.service_principals.get(app_id)
        if principal is None:
            app = self.applications[app_id]
            principal = ServicePrincipal(str(uuid.uuid4()), app_id, app.display_name)
            directory.service_principals[app_id] = principal
        return principal

    def grant_application_permissions(
        self, directory: Directory, app_id: str, permissions: Iterable[str], resource_app_id: str
    ) -> None:
        """*Grant admin consent* for application permissions (by value) of one resource."""
        principal = self.service_principal_in(directory, app_id)
        principal.app_roles.setdefault(resource_app_id, set()).update(permissions)

    def assign_directory_role(self, directory: Directory, app_id: str, role_template_id: str) -> None:
        self.service_principal_in(directory, app_id).directory_roles.add(role_template_id)

    def add_person(self, directory: Directory, user_principal_name: str, password: str) -> Person:
        person = Person(str(uuid.uuid4()), user_principal_name, password, user_principal_name.split("@")[0])
        directory.people[user_principal_name.lower()] = person
        return person

    # what an administrator does when access must end ------------------------------------------------------
    def revoke_sign_in_sessions(self, directory: Directory, user_object_id: str) -> datetime:
        """Graph's ``revokeSignInSessions``: the user's refresh tokens from earlier sign-ins now fail with
        ``invalid_grant`` (AADSTS50173). Access tokens already issued live on until they expire, as in Entra.
        Returns the new *tokens valid from* moment (on the protocol clock, as the sign-ins it is compared with)."""
        now = self.clock.protocol_now()
        self.sessions.revoke(directory.tenant_id, user_object_id, now)
        return now

    def revoke_consent(self, directory: Directory, app_id: str, user_object_id: str | None = None) -> None:
        """Delete delegated permission grants of ``app_id`` in ``directory`` (one user's, or all of them with the
        admin consent): refreshing then fails with ``invalid_grant`` AADSTS65001 until someone consents again."""
        principal = directory.service_principal(app_id)
        if principal is None:
            return
        if user_object_id is None:
            principal.delegated.clear()
        else:
            principal.delegated.pop(user_object_id, None)

    # tokens -----------------------------------------------------------------------------------------------
    def sign(self, claims: dict[str, Any]) -> str:
        """A JWT signed with the world's key (ID tokens; access tokens go through :meth:`issue_access_token`)."""
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.key_id, "typ": "JWT"})

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {**jwk, "kid": self.key_id, "use": "sig", "alg": "RS256"}

    def issue_access_token(
        self,
        directory: Directory,
        app_id: str,
        audience: str,
        *,
        roles: Iterable[str] = (),
        scopes: Iterable[str] = (),
        user: Person | None = None,
        lifetime: timedelta = ACCESS_TOKEN_LIFETIME,
    ) -> tuple[str, int]:
        """A signed access token for ``audience`` (a resource URL such as ``https://graph.microsoft.com``) and its
        lifetime in seconds, stamped on the protocol clock (see :class:`SandboxClock`)."""
        now = self.clock.protocol_now()
        claims: dict[str, Any] = {
            "aud": audience,
            "iss": f"https://sts.windows.net/{directory.tenant_id}/",
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "tid": directory.tenant_id,
            "appid": app_id,
            "azp": app_id,
            "ver": "1.0",
            "uti": uuid.uuid4().hex,
        }
        if user is not None:
            claims.update(oid=user.object_id, upn=user.user_principal_name, scp=" ".join(sorted(scopes)))
        else:
            claims.update(oid=self.service_principal_in(directory, app_id).id, roles=sorted(roles), idtyp="app")
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.key_id})
        return token, int(lifetime.total_seconds())

    def verify_access_token(self, token: str, audience: str) -> AccessClaims:
        """The claims of a token this world issued for ``audience``, at the sandbox's own time."""
        try:
            claims = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                audience=audience,
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if claims["exp"] <= self.clock.protocol_now().timestamp():
            raise InvalidToken("Lifetime validation failed, the token is expired.")
        if claims["tid"] not in self.directories:
            raise InvalidToken("the token's tenant does not exist")
        return AccessClaims(
            tenant_id=claims["tid"],
            app_id=claims["appid"],
            audience=claims["aud"],
            roles=frozenset(claims.get("roles", ())),
            scopes=frozenset(str(claims.get("scp", "")).split()),
            user_object_id=claims["oid"] if "scp" in claims else None,
            raw=claims,
        )
