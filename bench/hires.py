"""How much a hire through the domain costs against a raw insert of the same rows, one hire at a time.

For each engine (SQLite, and PostgreSQL when reachable) the benchmark prepares N candidates to hire in
two tenants, then:

* **domain**: hires every candidate of the first tenant as the Web API's ``mshr_Hire`` action does, one
  :func:`hirehub.hr.services.hire` per tenant transaction on the hub's database (load the candidate, its
  person and any earlier employment, check the rules, take a personnel number, record the outbox event,
  flush the unit of work, commit);
* **raw**: writes the very same rows for the second tenant, also one transaction per hire, with nothing but
  Core statements (the personnel number taken from the sequence row, worker, employment, the hire's placement
  record, the two outbox events — the hire, and the candidate's change for the systems mirroring candidates — in
  one statement, candidate marked hired).

The two sides take turns in ten rounds of N/10 hires each, so that a change in the machine's load during
the run falls on both alike. It prints hires per second for both and their ratio, each engine's figures as
soon as they are measured, and last the headline ``domain_to_raw_ratio_worst``.

    .venv/bin/python bench/hires.py            # 20,000 hires per engine
    .venv/bin/python bench/hires.py --quick    # 2,000, done within a minute
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from rich.progress import Progress
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from support import (  # bench/support.py: the scripts run from this folder
    POSTGRES_ADMIN_URL,
    create_schema,
    temporary_postgres,
)

from hirehub.bootstrap import open_database
from hirehub.db.sequences import PERSONNEL_NUMBER, NumberSequence
from hirehub.db.session import Database
from hirehub.events.outbox import OutboxEvent
from hirehub.hr import services
from hirehub.hr.domain import HireDetails
from hirehub.hr.events import WorkerHired
from hirehub.hr.models import CandidateToHire, Employment, Person, Worker, WorkerPlacement
from hirehub.hr.models.options import ApplicantIntegrationResult, PlacementChange, WorkerStatus
from hirehub.hr.record_changes import RecordChanged
from hirehub.tenancy import service as tenancy

START = date(2027, 1, 4)
BATCH = 1000
ROUNDS = 10


async def _prepare(database: Database, count: int, progress: Progress) -> tuple[uuid.UUID, uuid.UUID]:
    """Two tenants with ``count`` candidates to hire each (not timed)."""
    tenants = []
    for name in ("domain", "raw"):
        async with database.system_transaction() as session:
            tenant = await tenancy.create_tenant(session, name=name, domain=f"{name}.bench.example")
        tenants.append(tenant.id)
        task = progress.add_task(f"preparing {name} candidates", total=count)
        now = datetime.now(UTC)
        for offset in range(0, count, BATCH):
            size = min(BATCH, count - offset)
            people = [
                {"id": uuid.uuid4(), "tenant_id": tenant.id, "party_number": f"{offset + i + 1:09d}",
                 "first_name": f"First{offset + i}", "last_name": "Bench", "version": 1,
                 "primary_contact_email": f"p{offset + i}@bench.example", "created_at": now, "modified_at": now}
                for i in range(size)
            ]  # fmt: skip
            candidates = [
                {"id": uuid.uuid4(), "tenant_id": tenant.id, "candidate_id": f"CAND-{offset + i + 1:06d}",
                 "first_name": p["first_name"], "last_name": "Bench", "email": p["primary_contact_email"],
                 "applicant_integration_result": int(ApplicantIntegrationResult.NOT_PROCESSED),
                 "person_ref_id": p["id"], "availability_date": START, "version": 1,
                 "is_willing_to_relocate": False, "created_at": now, "modified_at": now}
                for i, p in enumerate(people)
            ]  # fmt: skip
            async with database.engine.begin() as conn:
                await conn.execute(insert(Person.__table__), people)  # type: ignore[arg-type]
                await conn.execute(insert(CandidateToHire.__table__), candidates)  # type: ignore[arg-type]
            progress.advance(task, size)
    return tenants[0], tenants[1]


async def _candidates(database: Database, tenant_id: uuid.UUID) -> list[tuple[uuid.UUID, ...]]:
    """The tenant's candidates in number order: id, person, names, email, candidate number (not timed)."""
    async with database.engine.connect() as conn:
        rows = await conn.execute(
            select(
                CandidateToHire.id, CandidateToHire.person_ref_id, CandidateToHire.first_name,
                CandidateToHire.last_name, CandidateToHire.email, CandidateToHire.candidate_id,
            )
            .where(CandidateToHire.tenant_id == tenant_id)
            .order_by(CandidateToHire.candidate_id)
        )  # fmt: skip
        return [tuple(row) for row in rows]


async def _hire_through_the_domain(
    database: Database, tenant_id: uuid.UUID, candidates: list[tuple[uuid.UUID, ...]], progress: Progress
) -> int:
    task = progress.add_task("domain hires", total=len(candidates))
    for candidate_id, *_ in candidates:
        async with database.tenant_transaction(tenant_id) as session:
            await services.hire(session, candidate_id, HireDetails(START))
        progress.advance(task)
    progress.remove_task(task)
    return len(candidates)


async def _take_number(conn: AsyncConnection, tenant_id: uuid.UUID) -> str:
    sequence = NumberSequence.__table__.c  # type: ignore[attr-defined]
    taken = await conn.execute(
        update(NumberSequence.__table__)  # type: ignore[arg-type]
        .where(sequence.tenant_id == tenant_id, sequence.code == PERSONNEL_NUMBER.code)
        .values(next_value=sequence.next_value + 1)
        .returning(sequence.next_value)
    )
    return PERSONNEL_NUMBER.format(taken.scalar_one() - 1)


async def _insert_raw(
    database: Database, tenant_id: uuid.UUID, candidates: list[tuple[uuid.UUID, ...]], progress: Progress
) -> int:
    """The same rows a hire writes, one transaction per hire, with nothing but Core statements."""
    task = progress.add_task("raw inserts", total=len(candidates))
    for row_id, person_id, first_name, last_name, email, candidate_number in candidates:
        now = datetime.now(UTC)
        worker_id = uuid.uuid4()
        async with database.engine.begin() as conn:
            number = await _take_number(conn, tenant_id)
            await conn.execute(
                insert(Worker.__table__),  # type: ignore[arg-type]
                {"id": worker_id, "tenant_id": tenant_id, "personnel_number": number, "person_id": person_id,
                 "worker_type": 200000000, "status": int(WorkerStatus.PENDING), "first_name": first_name,
                 "last_name": last_name, "email": email, "version": 1, "created_at": now, "modified_at": now},
            )  # fmt: skip
            employment_id = uuid.uuid4()
            await conn.execute(
                insert(Employment.__table__),  # type: ignore[arg-type]
                {"id": employment_id, "tenant_id": tenant_id, "worker_id": worker_id, "start_date": START,
                 "employment_type": 200000000, "rescinded": False, "version": 1, "created_at": now,
                 "modified_at": now},
            )  # fmt: skip
            await conn.execute(
                insert(WorkerPlacement.__table__),  # type: ignore[arg-type]
                {"id": uuid.uuid4(), "tenant_id": tenant_id, "worker_id": worker_id, "employment_id": employment_id,
                 "change": int(PlacementChange.HIRE), "entry": 0, "valid_from": START, "version": 1,
                 "created_at": now, "modified_at": now},
            )  # fmt: skip
            await conn.execute(
                insert(OutboxEvent.__table__),  # type: ignore[arg-type]
                [{"id": uuid.uuid4(), "tenant_id": tenant_id, "type": RecordChanged.name, "subject_id": row_id,
                  "payload": {"table": CandidateToHire.__tablename__, "record_id": str(row_id),
                              "operation": "updated", "owner_id": None},
                  "occurred_at": now},
                 {"id": uuid.uuid4(), "tenant_id": tenant_id, "type": WorkerHired.name, "subject_id": person_id,
                  "payload": {"worker_id": str(worker_id), "person_id": str(person_id), "personnel_number": number,
                              "first_name": first_name, "last_name": last_name, "email": email, "phone": None,
                              "company": None, "status": "pending", "position_id": None, "job_title": None,
                              "department": None, "manager_personnel_number": None,
                              "start_date": START.isoformat(), "end_date": None, "candidate_id": candidate_number},
                  "occurred_at": now}],
            )  # fmt: skip
            candidate = CandidateToHire.__table__.c  # type: ignore[attr-defined]
            await conn.execute(
                update(CandidateToHire.__table__)  # type: ignore[arg-type]
                .where(candidate.tenant_id == tenant_id, candidate.id == row_id)  # the key is (tenant, id)
                .values(
                    applicant_integration_result=int(ApplicantIntegrationResult.HIRED),
                    worker_ref_id=worker_id,
                    version=candidate.version + 1,
                    modified_at=now,
                )
            )
        progress.advance(task)
    progress.remove_task(task)
    return len(candidates)


async def _measure(name: str, url: str, count: int) -> dict[str, float]:
    await create_schema(url)
    database = open_database(url)
    try:
        with Progress(transient=True) as progress:
            domain_tenant, raw_tenant = await _prepare(database, count, progress)
            to_hire, to_insert = await _candidates(database, domain_tenant), await _candidates(database, raw_tenant)
            hired = raw = 0
            domain_seconds = raw_seconds = 0.0
            size = -(-count // ROUNDS)
            for offset in range(0, count, size):
                inserts, hires = to_insert[offset : offset + size], to_hire[offset : offset + size]
                started = time.perf_counter()
                raw += await _insert_raw(database, raw_tenant, inserts, progress)
                raw_seconds += time.perf_counter() - started
                started = time.perf_counter()
                hired += await _hire_through_the_domain(database, domain_tenant, hires, progress)
                domain_seconds += time.perf_counter() - started
    finally:
        await database.dispose()
    assert hired == raw == count, (hired, raw, count)
    return {
        f"{name}_hires": float(count),
        f"{name}_domain_hires_per_second": count / domain_seconds,
        f"{name}_raw_hires_per_second": count / raw_seconds,
        f"{name}_domain_to_raw_ratio": domain_seconds / raw_seconds,
    }


async def _postgres(admin_url: str, count: int) -> dict[str, float] | None:
    async with temporary_postgres(admin_url, "hires") as url:
        return await _measure("postgresql", url, count) if url else None


def _printed(figures: dict[str, float]) -> dict[str, float]:
    """Print one engine's figures at once (a long run under load keeps what it measured if stopped later)."""
    for key, value in figures.items():
        print(f"{key}: {value:,.2f}" if not key.endswith("_hires") else f"{key}: {int(value)}", flush=True)
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="2,000 hires per engine instead of 20,000")
    parser.add_argument("--count", type=int, help="hires per engine (overrides --quick)")
    parser.add_argument(
        "--postgres-admin-url",
        default=POSTGRES_ADMIN_URL,
    )
    args = parser.parse_args()
    count = args.count or (2_000 if args.quick else 20_000)

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        figures |= _printed(await _measure("sqlite", f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}", count))
    figures |= _printed(await _postgres(args.postgres_admin_url, count) or {})
    ratios = [v for k, v in figures.items() if k.endswith("_ratio")]
    print(f"domain_to_raw_ratio_worst: {max(ratios):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
