"""Re-sealing every secret at rest under a new ``HIREHUB_SECRET_KEY``, in one transaction.

A key that leaked, or the development key a hub was started with, is replaced by opening each sealed value
with the old key and sealing it again with the new one. Either every value moves or none does: a value the old
key cannot open refuses the whole rotation, so the hub is never left with secrets under two keys. A value that
opens with the new key already is left as it is, so running the rotation again is harmless.

The list below is every sealed column with the purpose it was sealed for; a new sealed column joins it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from hirehub.db.session import Database
from hirehub.directories.entra.models import EntraConnection, EntraLinkFlow
from hirehub.directories.entra.runtime import SEALING_PURPOSE as ENTRA_PURPOSE
from hirehub.errors import Invalid
from hirehub.linkedin.models import CustomerApp, PartnerApp
from hirehub.linkedin.runtime import SEALING_PURPOSE as LINKEDIN_PURPOSE
from hirehub.sealing import Sealer, SealError
from hirehub.security.keys import SEALING_PURPOSE as SIGNING_PURPOSE
from hirehub.security.models import SigningKey


@dataclass(frozen=True)
class SealedColumn:
    """One column of sealed values, and the purpose its values were sealed for."""

    model: Any
    column: str
    purpose: str

    @property
    def name(self) -> str:
        return f"{self.model.__tablename__}.{self.column}"


SEALED_COLUMNS: tuple[SealedColumn, ...] = (
    SealedColumn(SigningKey, "sealed_private_key", SIGNING_PURPOSE),
    SealedColumn(PartnerApp, "client_secret_sealed", LINKEDIN_PURPOSE),
    SealedColumn(CustomerApp, "client_secret_sealed", LINKEDIN_PURPOSE),
    SealedColumn(EntraConnection, "private_key_encrypted", ENTRA_PURPOSE),
    SealedColumn(EntraConnection, "token_cache_encrypted", ENTRA_PURPOSE),
    SealedColumn(EntraLinkFlow, "flow_encrypted", ENTRA_PURPOSE),
)


@dataclass(frozen=True)
class Rotation:
    """What a rotation did: values re-sealed per column, and values already under the new key."""

    resealed: dict[str, int]
    already_new: int

    def as_dict(self) -> dict[str, Any]:
        return {"resealed": sum(self.resealed.values()), "already_new": self.already_new, "columns": self.resealed}


def _sealer(key: str, purpose: str, which: str) -> Sealer:
    try:
        return Sealer(key, purpose)
    except ValueError as exc:
        raise Invalid(f"the {which} key: {exc}", field=f"{which}_key") from None


async def rotate_secret_key(
    database: Database, *, old_key: str, new_key: str, columns: Sequence[SealedColumn] = SEALED_COLUMNS
) -> Rotation:
    """Re-seal every value of ``columns`` from ``old_key`` to ``new_key`` in one transaction (every tenant's)."""
    if not new_key:
        raise Invalid("give the new key (--new-key or HIREHUB_NEW_SECRET_KEY)", field="new_key")
    if new_key == old_key:
        raise Invalid("the new key is the old key", field="new_key")
    resealed: dict[str, int] = {}
    already_new = 0
    async with database.system_transaction() as session:
        for sealed in columns:
            old, new = _sealer(old_key, sealed.purpose, "old"), _sealer(new_key, sealed.purpose, "new")
            column = getattr(sealed.model, sealed.column)
            rows = list(await session.scalars(select(sealed.model).where(column.is_not(None))))
            resealed[sealed.name] = 0
            for row in rows:
                value = getattr(row, sealed.column)
                try:
                    plaintext = old.open(value)
                except SealError:
                    try:
                        new.open(value)
                    except SealError:
                        raise SealError(
                            f"a value of {sealed.name} opens with neither key: nothing was re-sealed; give the key "
                            "it was sealed under as --old-key"
                        ) from None
                    already_new += 1
                    continue
                setattr(row, sealed.column, new.seal(plaintext))
                resealed[sealed.name] += 1
    return Rotation(resealed, already_new)
