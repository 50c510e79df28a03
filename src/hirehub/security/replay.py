"""Client assertions are single-use: each ``jti`` is remembered until its assertion expires.

An assertion read off the wire (a proxy's log, a misdirected request) would otherwise buy tokens for as long as
it lives. The unique key is in the database, so a replay is refused whichever API process it reaches, and a
remembered id is forgotten once its assertion could no longer be accepted anyway.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from hirehub.db.base import Base, UTCDateTime


class UsedAssertion(Base):
    """The id of an accepted client assertion (platform-wide, as the authorization server is)."""

    __tablename__ = "used_assertion"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the client ID and the ``jti``: a fixed length, whatever the client sent."""
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


def _key(client_id: str, jti: str) -> str:
    return hashlib.sha256(f"{client_id.lower()}\x00{jti}".encode("utf-8", "surrogatepass")).hexdigest()


async def first_use(session: AsyncSession, *, client_id: str, jti: str, expires_at: datetime, now: datetime) -> bool:
    """Remember the assertion in the caller's transaction; ``False`` when it was presented before.

    Concurrent presentations of one assertion meet on the primary key: the later transaction fails to commit
    (an integrity error, which the caller answers as a replay) instead of both succeeding.
    """
    await session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < now))
    key = _key(client_id, jti)
    if await session.scalar(select(UsedAssertion.key).where(UsedAssertion.key == key)) is not None:
        return False
    session.add(UsedAssertion(key=key, expires_at=expires_at))
    try:
        await session.flush()
    except IntegrityError:
        return False
    return True
