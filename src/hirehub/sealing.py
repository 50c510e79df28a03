"""Sealing secrets at rest: private keys, token caches and partner credentials, encrypted with a key
derived from ``HIREHUB_SECRET_KEY``.

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) gives authenticated encryption: a sealed
value that was tampered with, or sealed under another key, refuses to open instead of decrypting to
garbage. Each purpose derives its own key with HKDF, so a value sealed for one purpose cannot be
opened as another.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hirehub.errors import Conflict, Invalid
from hirehub.settings import DEVELOPMENT_SECRET_KEY, Environment, Settings

MIN_PRODUCTION_KEY_LENGTH = 32
"""Characters a production key needs: 32 random URL-safe characters carry about 190 bits."""
MAKE_A_KEY = "python -c \"import secrets; print(secrets.token_urlsafe(48))\""


class SealError(Conflict):
    """A sealed value could not be opened: wrong key, wrong purpose, or tampered with.

    A conflict between what is stored and the key the hub runs with: nothing the caller sends can fix it, and
    nothing is changed; an operator must restore the key the value was sealed under.
    """


class UnsafeSecretKey(Invalid):
    """The hub would run outside development with a key anyone can know or guess; nothing is started."""


def secret_key_problem(secret_key: str) -> str | None:
    """Why ``secret_key`` must not protect a production hub, or ``None`` when it may.

    The development key is published in the source: with it, a copy of the database unseals the token-signing
    key, and anyone can mint tokens for every tenant.
    """
    if secret_key == DEVELOPMENT_SECRET_KEY:
        reason = "HIREHUB_SECRET_KEY is the development key, which is published"
    elif len(secret_key) < MIN_PRODUCTION_KEY_LENGTH:
        reason = f"HIREHUB_SECRET_KEY has fewer than {MIN_PRODUCTION_KEY_LENGTH} characters"
    else:
        return None
    return f"{reason}; set a random one (e.g. `{MAKE_A_KEY}`), or HIREHUB_ENV=development on a laptop"


def require_safe_key(settings: Settings) -> None:
    """Refuse to run a production hub with an unsafe key; development runs with any key."""
    if settings.env is Environment.DEVELOPMENT:
        return
    problem = secret_key_problem(settings.secret_key)
    if problem is not None:
        raise UnsafeSecretKey(problem, field="HIREHUB_SECRET_KEY")


class Sealer:
    """Seals and opens text for one purpose (e.g. ``"entra-connection"``)."""

    def __init__(self, secret_key: str, purpose: str) -> None:
        if len(secret_key) < 16:
            raise ValueError("HIREHUB_SECRET_KEY must have at least 16 characters")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"hirehub-sealing-v1", info=purpose.encode()).derive(
            secret_key.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise SealError("a sealed secret could not be opened (wrong HIREHUB_SECRET_KEY?)") from exc
