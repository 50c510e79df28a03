"""How much the domain path of a hire costs against a raw bulk insert of the same rows.

For each engine (SQLite, and PostgreSQL when reachable) the benchmark prepares N candidates to hire in
two tenants, then:

* **domain**: hires every candidate of the first tenant through :func:`hirehub.hr.services.hire_many`
  in batches (load candidates and persons, take a block of personnel numbers, apply the domain rule,
  record the outbox event, flush the unit of work, commit);
* **raw**: writes the very same rows for the second tenant with Core ``INSERT``/``UPDATE`` executemany
  (worker, employment, outbox event, candidate marked hired), with the numbers computed in Python.

It prints hires per second for both and their ratio; the goal is a ratio of at most 3.

    .venv/bin/python bench/hires.py            # 100,000 hires per engine
    .venv/bin/python bench/hires.py --quick    # 5,000, done within a minute
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
from sqlalchemy import bindparam, insert, select, update
from support import (  # bench/support.py: the scripts run from this folder
    POSTGRES_ADMIN_URL,
    create_schema,
    temporary_postgres,
)

from hirehub.db.session import Database
from hirehub.events.outbox import OutboxEvent
from hirehub.hr import domain, services
from hirehub.hr.models import CandidateToHire, Employment, Person, Worker
from hirehub.hr.models.options import ApplicantIntegrationResult, WorkerStatus
from hirehub.tenancy import service as tenancy

START = date(2027, 1, 4)
BATCH = 1000


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


async def _hire_through_the_domain(database: Database, tenant_id: uuid.UUID, progress: Progress) -> int:
    task = progress.add_task("domain hires", total=None)
    hired = 0
    while True:
        async with database.tenant_transaction(tenant_id) as session:
            candidates = list(
                await session.scalars(
                    select(CandidateToHire)
                    .where(CandidateToHire.applicant_integration_result == ApplicantIntegrationResult.NOT_PROCESSED)
                    .order_by(CandidateToHire.candidate_id)
                    .limit(BATCH)
                )
            )
            if not candidates:
                return hired
            people = {
                p.id: p
                for p in await session.scalars(
                    select(Person).where(Person.id.in_([c.person_ref_id for c in candidates]))
                )
            }
            await services.hire_many(
                session,
                [services.BulkHire(c, people[c.person_ref_id], START) for c in candidates if c.person_ref_id],
            )
        hired += len(candidates)
        progress.update(task, completed=hired)


async def _insert_raw(database: Database, tenant_id: uuid.UUID, progress: Progress) -> int:
    """The same rows a hire writes, with nothing but Core executemany."""
    task = progress.add_task("raw inserts", total=None)
    hired = 0
    while True:
        async with database.engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(
                        CandidateToHire.id,
                        CandidateToHire.person_ref_id,
                        CandidateToHire.first_name,
                        CandidateToHire.last_name,
                        CandidateToHire.email,
                        CandidateToHire.candidate_id,
                    )
                    .where(
                        CandidateToHire.tenant_id == tenant_id,
                        CandidateToHire.applicant_integration_result == ApplicantIntegrationResult.NOT_PROCESSED,
                    )
                    .order_by(CandidateToHire.candidate_id)
                    .limit(BATCH)
                )
            ).all()
            if not rows:
                return hired
            now = datetime.now(UTC)
            workers, employments, events, marks = [], [], [], []
            for index, row in enumerate(rows):
                worker_id = uuid.uuid4()
                number = f"HR{hired + index + 1:06d}"
                workers.append(
                    {"id": worker_id, "tenant_id": tenant_id, "personnel_number": number, "person_id": row[1],
                     "worker_type": 200000000, "status": int(WorkerStatus.PENDING), "first_name": row[2],
                     "last_name": row[3], "email": row[4], "version": 1, "created_at": now, "modified_at": now}
                )  # fmt: skip
                employments.append(
                    {"id": uuid.uuid4(), "tenant_id": tenant_id, "worker_id": worker_id, "start_date": START,
                     "employment_type": 200000000, "rescinded": False, "version": 1, "created_at": now,
                     "modified_at": now}
                )  # fmt: skip
                events.append(
                    {"id": uuid.uuid4(), "tenant_id": tenant_id, "type": domain.HIRED, "subject_id": row[1],
                     "payload": {"personnel_number": number, "candidate_id": row[5]}, "occurred_at": now}
                )  # fmt: skip
                marks.append({"row_id": row[0], "worker": worker_id})
            await conn.execute(insert(Worker.__table__), workers)  # type: ignore[arg-type]
            await conn.execute(insert(Employment.__table__), employments)  # type: ignore[arg-type]
            await conn.execute(insert(OutboxEvent.__table__), events)  # type: ignore[arg-type]
            await conn.execute(
                update(CandidateToHire.__table__)  # type: ignore[arg-type]
                .where(CandidateToHire.__table__.c.id == bindparam("row_id"))  # type: ignore[attr-defined]
                .values(
                    applicant_integration_result=int(ApplicantIntegrationResult.HIRED),
                    worker_ref_id=bindparam("worker"),
                ),
                marks,
            )
        hired += len(rows)
        progress.update(task, completed=hired)


async def _measure(name: str, url: str, count: int) -> dict[str, float]:
    await create_schema(url)
    database = Database(url)
    try:
        with Progress(transient=True) as progress:
            domain_tenant, raw_tenant = await _prepare(database, count, progress)
            started = time.perf_counter()
            raw = await _insert_raw(database, raw_tenant, progress)
            raw_seconds = time.perf_counter() - started
            started = time.perf_counter()
            hired = await _hire_through_the_domain(database, domain_tenant, progress)
            domain_seconds = time.perf_counter() - started
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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="5,000 hires per engine instead of 100,000")
    parser.add_argument("--count", type=int, help="hires per engine (overrides --quick)")
    parser.add_argument(
        "--postgres-admin-url",
        default=POSTGRES_ADMIN_URL,
    )
    args = parser.parse_args()
    count = args.count or (5_000 if args.quick else 100_000)

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        figures |= await _measure("sqlite", f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}", count)
    figures |= await _postgres(args.postgres_admin_url, count) or {}
    for key, value in figures.items():
        print(f"{key}: {value:,.2f}" if not key.endswith("_hires") else f"{key}: {int(value)}")
    ratios = [v for k, v in figures.items() if k.endswith("_ratio")]
    print(f"domain_to_raw_ratio_worst: {max(ratios):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
