"""Console administrators and their sessions.

Administrators sign in with an e-mail address and a password hashed with argon2id. A session is a
random token in an HttpOnly cookie; only its SHA-256 is stored, so a copy of the database does not
let anyone sign in. Each session carries its own CSRF token, which every form posts back.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.accounts.models import ConsoleAdmin, ConsoleSession
from hirehub.db.base import record_of
from hirehub.errors import Invalid

SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
# Verifying against a dummy hash when the account does not exist keeps sign-in time the same either way.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


class AccountError(Invalid):
    """An account request that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class SignedIn:
    """Who is behind a request: the administrator, their tenant and the session's CSRF token."""

    admin_id: uuid.UUID
    tenant_id: uuid.UUID
    email: str
    display_name: str
    csrf_token: str


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters", field="password")


async def create_admin(session: AsyncSession, *, email: str, display_name: str, password: str) -> ConsoleAdmin:
    """A new administrator of the session's tenant (the e-mail address must be unused anywhere)."""
    clean = email.strip().lower()
    if "@" not in clean or clean.startswith("@") or clean.endswith("@"):
        raise AccountError(f"'{email}' is not an e-mail address", field="email")
    validate_password(password)
    admin = ConsoleAdmin(email=clean, display_name=display_name.strip() or clean, password_hash=_hasher.hash(password))
    session.add(admin)
    return admin


async def email_taken(system_session: AsyncSession, email: str) -> bool:
    return bool(await system_session.scalar(select(ConsoleAdmin.id).where(ConsoleAdmin.email == email.strip().lower())))


async def sign_in(system_session: AsyncSession, *, email: str, password: str, now: datetime) -> tuple[str, SignedIn]:
    """Check the credentials; returns the new session's cookie token and who signed in."""
    admin = await system_session.scalar(select(ConsoleAdmin).where(ConsoleAdmin.email == email.strip().lower()))
    try:
        _hasher.verify(admin.password_hash if admin else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        admin = None
    if admin is None or not admin.enabled:
        raise AccountError("the e-mail address or the password is not right")
    return open_session(system_session, admin, now)


def open_session(system_session: AsyncSession, admin: ConsoleAdmin, now: datetime) -> tuple[str, SignedIn]:
    """A new session for an administrator whose identity was established (password or OpenID Connect)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    system_session.add(
        ConsoleSession(
            token_hash=_hash_token(token),
            tenant_id=admin.tenant_id,
            admin_id=admin.id,
            csrf_token=csrf,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return token, SignedIn(admin.id, admin.tenant_id, admin.email, admin.display_name, csrf)


async def find_enabled_admin(system_session: AsyncSession, email: str) -> ConsoleAdmin | None:
    """The enabled administrator with this e-mail address, in whichever tenant (addresses are unique)."""
    admin = await system_session.scalar(select(ConsoleAdmin).where(ConsoleAdmin.email == email.strip().lower()))
    return admin if admin is not None and admin.enabled else None


async def resolve(system_session: AsyncSession, token: str, now: datetime) -> SignedIn | None:
    """The signed-in administrator of a session cookie, or ``None`` (unknown, expired, disabled)."""
    row = await system_session.execute(
        select(ConsoleSession, ConsoleAdmin)
        .join(ConsoleAdmin, record_of(ConsoleAdmin, ConsoleSession.admin_id))
        .where(ConsoleSession.token_hash == _hash_token(token))
    )
    found = row.first()
    if found is None:
        return None
    console_session, admin = found
    if console_session.expires_at < now or not admin.enabled:
        return None
    return SignedIn(admin.id, admin.tenant_id, admin.email, admin.display_name, console_session.csrf_token)


async def sign_out(system_session: AsyncSession, token: str) -> None:
    await system_session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _hash_token(token)))
