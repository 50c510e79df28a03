"""How many names a sync asks the directory about before planning a new account.

Each question is a Graph call (two for an address: userPrincipalName, then proxyAddresses), and a joiner's sync
used to ask about 25 candidates per naming rule — 75 questions, ~125 calls — when planning only ever takes a
rule's first free candidate. The sync now stops at that candidate and asks about a name two rules share once;
the plan must be exactly the one an all-knowing directory check gives.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hirehub.lifecycle.planning import CreateAccount, plan
from hirehub.lifecycle.policy import LifecyclePolicy, starter_policy
from hirehub.lifecycle.worker_view import HRStatus, WorkerView
from hirehub.provisioning.sync import observe_and_plan
from hirehub.testing.memory_connector import InMemoryConnector

DOMAIN = "contoso.com"
NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
ANA = WorkerView(
    worker_id="w-1",
    personnel_number="000123",
    first_name="Ana",
    last_name="Silva",
    status=HRStatus.EMPLOYED,
    start_date=date(2027, 1, 4),
    time_zone="UTC",
)


class CountingDirectory(InMemoryConnector):
    """The in-memory directory, remembering each name it was asked about."""

    def __init__(self) -> None:
        super().__init__(clock=lambda: NOW)
        self.asked: list[str] = []

    async def name_taken(self, name: str) -> bool:
        self.asked.append(name.lower())
        return await super().name_taken(name)


def _created_names(directory: CountingDirectory, policy: LifecyclePolicy) -> tuple[str | None, ...]:
    """The names of the account an all-knowing plan (every name asked of the directory as it is) would create."""
    expected = plan(ANA, policy, None, NOW, directory.holds_name)
    [create] = [step for step in expected.steps if isinstance(step, CreateAccount)]
    return create.account.user_principal_name, create.account.mail, create.account.mail_nickname


async def _planned(directory: CountingDirectory, policy: LifecyclePolicy) -> tuple[str | None, ...]:
    planned, observed = await observe_and_plan(directory, ANA, policy, NOW)
    assert observed is None
    assert planned == plan(ANA, policy, None, NOW, directory.holds_name)
    [create] = [step for step in planned.steps if isinstance(step, CreateAccount)]
    return create.account.user_principal_name, create.account.mail, create.account.mail_nickname


async def test_a_joiner_whose_first_names_are_free_costs_one_question_per_distinct_name() -> None:
    directory = CountingDirectory()

    names = await _planned(directory, starter_policy(DOMAIN))

    assert names == (f"ana.silva@{DOMAIN}", f"ana.silva@{DOMAIN}", "ana.silva")
    # userPrincipalName and mail share their first candidate: asked once; the nickname once.
    assert directory.asked == [f"ana.silva@{DOMAIN}", "ana.silva"]


@pytest.mark.parametrize("namesakes", [1, 2, 5])
async def test_with_namesakes_the_questions_stop_at_each_rules_first_free_name(namesakes: int) -> None:
    directory = CountingDirectory()
    held = [f"ana.silva@{DOMAIN}", f"asilva@{DOMAIN}"] + [f"ana.silva{n}@{DOMAIN}" for n in range(2, 5)]
    for upn in held[:namesakes]:
        local = upn.split("@")[0]
        directory.add_account(anchor=None, user_principal_name=upn, mail=upn, mail_nickname=local)
    policy = starter_policy(DOMAIN)
    expected = _created_names(directory, policy)
    directory.asked.clear()

    names = await _planned(directory, policy)

    assert names == expected
    free_upn = expected[0]
    assert free_upn is not None and free_upn not in held[:namesakes]
    upn_questions = [*held[:namesakes], free_upn]
    nickname_questions = [name.split("@")[0] for name in upn_questions]
    assert directory.asked == upn_questions + nickname_questions  # nothing past a free name, nothing twice
