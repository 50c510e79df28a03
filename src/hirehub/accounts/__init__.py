"""Console administrators: the people who sign in to the console, their passwords and their browser sessions.

The console and the admin API both accept a signed-in administrator's browser, so who that is gets decided
here, below both of them: :mod:`.service` for accounts and sessions, :mod:`.browser` for reading a request's
session cookie and CSRF token, :mod:`.guard` for throttling wrong passwords. The tables are in :mod:`.models`.
"""

from __future__ import annotations

from hirehub.accounts.guard import TooManySignIns, guarded_sign_in
from hirehub.accounts.service import (
    MIN_PASSWORD_LENGTH,
    SESSION_LIFETIME,
    AccountError,
    SignedIn,
    create_admin,
    email_taken,
    find_enabled_admin,
    open_session,
    resolve,
    sign_in,
    sign_out,
    validate_password,
)

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "SESSION_LIFETIME",
    "AccountError",
    "SignedIn",
    "TooManySignIns",
    "create_admin",
    "email_taken",
    "find_enabled_admin",
    "guarded_sign_in",
    "open_session",
    "resolve",
    "sign_in",
    "sign_out",
    "validate_password",
]
