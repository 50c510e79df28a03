"""Per-tenant number sequences (party numbers, personnel numbers, candidate ids) that never repeat.

Dynamics 365 HR hands out these identifiers from *number sequences*. Here each sequence is one row per
tenant; a number is taken with ``UPDATE … SET next_value = next_value + n … RETURNING``, which on
PostgreSQL row-locks the sequence until the transaction ends, so concurrent transactions queue and two
committed records can never share a number. A rolled-back transaction gives its numbers back, which is
what "never repeat" means for committed data. Numbers can be taken in blocks (``count``) so a bulk hire
pays one round trip, not one per record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Integer, String, UniqueConstraint, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from hirehub.db.base import Base, TenantOwned
from hirehub.db.session import TENANT_KEY, TenantScopeError


class NumberSequence(TenantOwned, Base):
    """The next free value of one named sequence of one tenant, and how its numbers are formatted."""

    __tablename__ = "number_sequence"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(40))
    prefix: Mapped[str] = mapped_column(String(10), default="")
    width: Mapped[int] = mapped_column(Integer, default=6)
    next_value: Mapped[int] = mapped_column(Integer, default=1)


@dataclass(frozen=True)
class SequenceFormat:
    """How one sequence's numbers look: ``prefix`` then the value zero-padded to ``width``."""

    code: str
    prefix: str
    width: int

    def format(self, value: int) -> str:
        return f"{self.prefix}{value:0{self.width}d}"


PARTY_NUMBER = SequenceFormat("party", "", 9)
PERSONNEL_NUMBER = SequenceFormat("personnel", "HR", 6)
CANDIDATE_ID = SequenceFormat("candidate", "CAND-", 6)
DEFAULT_SEQUENCES = (PARTY_NUMBER, PERSONNEL_NUMBER, CANDIDATE_ID)


class UnknownSequence(LookupError):
    """The tenant has no sequence of that code."""


async def ensure_default_sequences(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Create the tenant's standard sequences if they are missing (idempotent)."""
    existing = set(await session.scalars(select(NumberSequence.code).where(NumberSequence.tenant_id == tenant_id)))
    for fmt in DEFAULT_SEQUENCES:
        if fmt.code not in existing:
            session.add(NumberSequence(tenant_id=tenant_id, code=fmt.code, prefix=fmt.prefix, width=fmt.width))
    await session.flush()


async def take_numbers(session: AsyncSession, code: str, count: int = 1) -> list[str]:
    """Take ``count`` consecutive numbers of the session tenant's sequence ``code``, formatted."""
    if count < 1:
        raise ValueError("count must be at least 1")
    tenant_id = session.info.get(TENANT_KEY)
    if tenant_id is None:
        raise TenantScopeError("numbers are taken in a tenant session")
    result = await session.execute(
        update(NumberSequence)
        .where(NumberSequence.tenant_id == tenant_id, NumberSequence.code == code)
        .values(next_value=NumberSequence.next_value + count)
        .returning(NumberSequence.next_value, NumberSequence.prefix, NumberSequence.width)
        .execution_options(synchronize_session=False)
    )
    row = result.one_or_none()
    if row is None:
        raise UnknownSequence(f"no number sequence '{code}' in this tenant")
    end, prefix, width = row
    fmt = SequenceFormat(code, prefix, width)
    return [fmt.format(value) for value in range(end - count, end)]
