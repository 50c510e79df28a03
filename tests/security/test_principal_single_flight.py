"""A client's parallel requests that find its principal expired share one look-up of it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from hirehub.security.principal import PrincipalResolver

TENANT = uuid.uuid4()


class CountingResolver(PrincipalResolver):
    """The real cache and sharing; the database look-up replaced by a slow counter."""

    def __init__(self) -> None:
        super().__init__(database=None, keys=None, external=None, base_url="https://hub.example")  # type: ignore[arg-type]
        self.lookups = 0
        self.release = asyncio.Event()

    async def _resolve(self, tenant_id: uuid.UUID, client_id: str) -> Any:
        self.lookups += 1
        number = self.lookups
        await self.release.wait()
        return (tenant_id, client_id, number)


async def test_requests_arriving_together_share_one_lookup_and_its_answer() -> None:
    resolver = CountingResolver()
    waiting = [asyncio.create_task(resolver.principal(TENANT, "ats")) for _ in range(20)]
    await asyncio.sleep(0)

    resolver.release.set()
    answers = await asyncio.gather(*waiting)

    assert resolver.lookups == 1 and set(answers) == {(TENANT, "ats", 1)}
    assert await resolver.principal(TENANT, "ats") == (TENANT, "ats", 1)  # cached now
    assert resolver.lookups == 1


async def test_other_clients_are_looked_up_apart() -> None:
    resolver = CountingResolver()
    resolver.release.set()

    await asyncio.gather(resolver.principal(TENANT, "ats"), resolver.principal(TENANT, "payroll"))

    assert resolver.lookups == 2


async def test_a_lookup_under_way_when_the_cache_is_forgotten_is_not_kept_nor_shared_afterwards() -> None:
    resolver = CountingResolver()
    before = asyncio.create_task(resolver.principal(TENANT, "ats"))
    await asyncio.sleep(0)

    resolver.forget()
    after = asyncio.create_task(resolver.principal(TENANT, "ats"))
    await asyncio.sleep(0)
    resolver.release.set()

    assert await before == (TENANT, "ats", 1) and await after == (TENANT, "ats", 2)
    assert resolver.lookups == 2 and await resolver.principal(TENANT, "ats") == (TENANT, "ats", 2)
