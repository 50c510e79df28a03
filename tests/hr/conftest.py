"""A tenant with a company, and a small helper to set up HR records and to see what a refusal left."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from hirehub.db.sequences import NumberSequence
from hirehub.db.session import Database
from hirehub.events.outbox import OutboxEvent
from hirehub.hr import services
from hirehub.hr.domain import HireDetails
from hirehub.hr.models import (
    CandidateToHire,
    Department,
    Employment,
    EmploymentLeave,
    Person,
    Position,
    PositionWorkerAssignment,
    ReasonCode,
    Title,
    Worker,
    WorkerPlacement,
)
from hirehub.hr.record_changes import RecordChanged
from hirehub.tenancy import service as tenancy

START = date(2026, 12, 1)
TODAY = date(2026, 11, 23)
"""The tenant's date the helpers enter changes on, unless a test says otherwise (never the wall clock)."""


@dataclass
class HR:
    """The HR core of one tenant, as a test sees it."""

    database: Database
    tenant_id: uuid.UUID

    def transaction(self) -> Any:
        return self.database.tenant_transaction(self.tenant_id)

    async def candidate(self, first: str = "Ada", last: str | None = "Lovelace", **fields: Any) -> CandidateToHire:
        async with self.transaction() as session:
            return await services.create_candidate(
                session, services.NewCandidate(first_name=first, last_name=last, **fields)
            )

    async def add(self, row: Any) -> Any:
        async with self.transaction() as session:
            session.add(row)
        return row

    async def position(self, position_id: str = "POS-1", max_workers: int = 1) -> Position:
        department = await self.add(Department(department_number=f"D-{position_id}", name=f"Dept of {position_id}"))
        title = await self.add(Title(title_id=f"Title of {position_id}"))
        return await self.add(
            Position(
                position_id=position_id,
                description=f"Seat {position_id}",
                max_workers=max_workers,
                department_id=department.id,
                title_id=title.id,
            )
        )

    async def reason(self, code: str = "RESIGN") -> ReasonCode:
        return await self.add(ReasonCode(reason_code_id=code, description=code.title()))

    async def hired(self, first: str = "Ada", last: str = "Lovelace", start: date = START, **hire: Any) -> Worker:
        candidate = await self.candidate(first, last)
        async with self.transaction() as session:
            outcome = await services.hire(session, candidate.id, HireDetails(start), **{"today": TODAY, **hire})
        return outcome.worker

    async def get(self, model: type[Any], row_id: uuid.UUID) -> Any:
        async with self.database.tenant_session(self.tenant_id) as session:
            return await session.get(model, row_id)

    async def rows(self, model: type[Any], **where: Any) -> list[Any]:
        async with self.database.tenant_session(self.tenant_id) as session:
            statement = select(model).filter_by(**where)
            return list(await session.scalars(statement))

    async def events(self) -> list[OutboxEvent]:
        """The domain events HR reported, without the record changes every write reports (see
        :mod:`hirehub.hr.record_changes`; :meth:`record_changes` has those)."""
        async with self.database.tenant_session(self.tenant_id) as session:
            query = select(OutboxEvent).where(OutboxEvent.type != RecordChanged.name)
            return list(await session.scalars(query.order_by(OutboxEvent.position)))

    async def record_changes(self) -> list[tuple[str, str]]:
        """The (table, operation) of each record change reported, in order."""
        async with self.database.tenant_session(self.tenant_id) as session:
            query = select(OutboxEvent.payload).where(OutboxEvent.type == RecordChanged.name)
            return [
                (row["table"], row["operation"]) for row in await session.scalars(query.order_by(OutboxEvent.position))
            ]

    async def state(self) -> dict[str, Any]:
        """Everything an HR operation could change, to compare before and after a refusal."""
        async with self.database.tenant_session(self.tenant_id) as session:
            counts = {
                model.__name__: await session.scalar(select(func.count()).select_from(model))
                for model in (
                    Person,
                    Worker,
                    Employment,
                    PositionWorkerAssignment,
                    CandidateToHire,
                    OutboxEvent,
                    WorkerPlacement,
                    EmploymentLeave,
                )
            }
            sequences = {s.code: s.next_value for s in await session.scalars(select(NumberSequence))}
            rows = {
                f"{type(row).__name__}:{row.id}": row.version
                for model in (
                    Person,
                    Worker,
                    Employment,
                    PositionWorkerAssignment,
                    CandidateToHire,
                    WorkerPlacement,
                    EmploymentLeave,
                )
                for row in await session.scalars(select(model))
            }
        return {"counts": counts, "sequences": sequences, "versions": rows}


@pytest.fixture
async def tenant_id(database: Database) -> uuid.UUID:
    async with database.system_transaction() as session:
        tenant = await tenancy.create_tenant(session, name="Contoso", domain="contoso.example")
    async with database.tenant_transaction(tenant.id) as session:
        await tenancy.create_company(session, code="USMF", name="Contoso USA")
    return tenant.id


@pytest.fixture
def hr(database: Database, tenant_id: uuid.UUID) -> HR:
    return HR(database, tenant_id)
