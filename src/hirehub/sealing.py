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

from hirehub.errors import Conflict


class SealError(Conflict):
    """A sealed value could not be opened: wrong key, wrong purpose, or tampered with.

    A conflict between what is stored and the key the hub runs with: nothing the caller sends can fix it, and
    nothing is changed; an operator must restore the key the value was sealed under.
    """


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
