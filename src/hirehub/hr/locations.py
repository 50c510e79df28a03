"""Where a person works: the location an ATS names for the job they were hired into.

Dynamics 365 HR keeps a worker's work place as the person's *Business* address; an ATS export carries only the
place's name (``Redmond, WA``), so it is kept as that address's location name. The person outlives the
candidate (they become the worker), so the location is still there after the hire.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.hr.models import PersonAddress
from hirehub.hr.models.options import AddressType


async def work_location(session: AsyncSession, person_id: uuid.UUID) -> PersonAddress | None:
    """The person's business address, if they have one."""
    found: PersonAddress | None = await session.scalar(
        select(PersonAddress)
        .where(PersonAddress.person_id == person_id, PersonAddress.address_type == AddressType.BUSINESS)
        .order_by(PersonAddress.is_primary.desc())
        .limit(1)
    )
    return found


async def keep_work_location(session: AsyncSession, person_id: uuid.UUID, location: str | None) -> None:
    """Record ``location`` as the name of the person's business address (made if they have none); an export
    without a location leaves what is recorded as it is."""
    name = (location or "").strip()
    if not name:
        return
    address = await work_location(session, person_id)
    if address is None:
        session.add(PersonAddress(person_id=person_id, address_type=AddressType.BUSINESS, location_name=name))
    else:
        address.location_name = name
