"""One plan carried out in the fewest Graph round trips and writes Graph allows.

A joiner used to cost a round trip per step and a read-back; now:

1. **one ``$batch`` of reads** resolves what the writes reference: the manager by anchor, each group by name;
2. **one ``$batch`` of writes**: the creation, and every other step on the user with ``dependsOn`` the creation.
   Graph's batches cannot pass the new id along, so those items address the user by its userPrincipalName
   (``/users/{upn}``), which Graph accepts; an item that 404s because the new user is not visible yet is retried
   on its own by the client. The manager is set here, in the same batch (it cannot be set in the creation);
3. **group adds** go to the process's :class:`~.group_adds.GroupAdds`, which puts the adds of the joiners running
   side by side into 20-member ``PATCH``es (a reference needs the id: after the creation);
4. a mailbox conversion (Exchange Online) last, after the account was disabled.

Each item's status is its step's result (``step_outcomes``): one item failing fails one step. The contract of
:func:`~hirehub.lifecycle.connector.run_steps` is kept where it matters: a step refused for its shape stops the
plan; a failed creation skips the rest (their items answer 424); steps not yet sent after a step that ended
``retry`` or ``conflict`` are skipped. Steps sent in the same batch as such a step report what Graph did with them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from hirehub.directories.entra.account_after import after_steps
from hirehub.directories.entra.directory import random_password
from hirehub.directories.entra.graph import BATCH_LIMIT, BatchRequest, BatchResponse
from hirehub.directories.entra.graph_errors import GraphError
from hirehub.directories.entra.step_outcomes import (
    BUSY,
    conflict_of,
    graph_answers,
    graph_value,
    ok,
    settled,
)
from hirehub.lifecycle.connector import (
    ApplyResult,
    DuplicateAnchor,
    Outcome,
    StepRefused,
    StepResult,
)
from hirehub.lifecycle.directory_state import DirectoryAccount
from hirehub.lifecycle.planning import (
    AddToGroup,
    ConvertMailboxToShared,
    CreateAccount,
    DisableAccount,
    EnableAccount,
    Plan,
    RemoveFromGroup,
    ResetPassword,
    RevokeSessions,
    SetManager,
    Step,
    UpdateAttributes,
)
from hirehub.lifecycle.policy import MAIL, MAIL_NICKNAME, USER_PRINCIPAL_NAME

if TYPE_CHECKING:
    from hirehub.directories.entra.connector import GraphConnector

READ_BACK_STEPS = (ResetPassword, RevokeSessions, ConvertMailboxToShared)
"""Steps whose effect no response carries (Graph's stamps, Exchange's mailbox kind): their plans read back."""
STOPPING = (Outcome.RETRY, Outcome.CONFLICT)


def create_body(step: CreateAccount) -> dict[str, Any]:
    """``POST /users``: the planned attributes and names, the anchor, and a random password to change."""
    desired = step.account
    body: dict[str, Any] = {name: graph_value(value) for name, value in desired.attributes.items() if value is not None}
    body.setdefault("displayName", desired.user_principal_name.split("@")[0])
    names = {USER_PRINCIPAL_NAME: desired.user_principal_name, MAIL: desired.mail, MAIL_NICKNAME: desired.mail_nickname}
    body.update({name: value for name, value in names.items() if value})
    body["employeeId"] = desired.anchor
    return {
        "accountEnabled": desired.enabled,
        "passwordProfile": {"forceChangePasswordNextSignIn": True, "password": random_password()},
        **body,
    }


def _names(step: CreateAccount | UpdateAttributes) -> dict[str, str | None]:
    if isinstance(step, CreateAccount):
        desired = step.account
        return {
            USER_PRINCIPAL_NAME: desired.user_principal_name,
            MAIL: desired.mail,
            MAIL_NICKNAME: desired.mail_nickname,
        }
    return {
        name: None if value is None else str(value)
        for name, value in step.after.items()
        if name in (USER_PRINCIPAL_NAME, MAIL, MAIL_NICKNAME)
    }


class PlanRun:
    """One ``apply``: the results so far, the account's id once known, what the reads resolved."""

    def __init__(self, connector: GraphConnector, plan: Plan, account: DirectoryAccount | None) -> None:
        self.connector = connector
        self.graph = connector.graph
        self.plan = plan
        self.observed = account
        self.steps: Sequence[Step] = plan.steps
        self.results: list[StepResult | None] = [None] * len(plan.steps)
        self.object_id = account.object_id if account is not None else None
        self.create_index: int | None = None
        self.created: dict[str, Any] | None = None
        self.sent_create: dict[str, Any] = {}
        self.managers: dict[int, str] = {}
        self.groups: dict[int, str] = {}
        self.unsent: set[int] = set()
        """Steps settled without a write (their look-up failed)."""

    async def run(self) -> ApplyResult:
        limit = self._check_shape()
        await self._resolve(limit)
        await self._write(limit)
        if self.object_id is not None:
            await self._group_steps(limit)
            await self._mailbox_steps(limit)
        self._skip_unreached()
        results = tuple(
            result if result is not None else StepResult(step, Outcome.SKIPPED)
            for result, step in zip(self.results, self.steps, strict=True)
        )
        return ApplyResult(results, await self._account_after(results))

    # --- the plan's shape ----------------------------------------------------------------------------------

    def _check_shape(self) -> int:
        """How many steps can be carried out: a creation onto a given account, or a change without any account,
        is refused and stops the plan there."""
        for index, step in enumerate(self.steps):
            if isinstance(step, CreateAccount):
                if self.object_id is not None or self.create_index is not None:
                    self._refuse(index, f"the plan creates an account but account {self.object_id} was given")
                    return index
                self.create_index = index
            elif self.object_id is None and self.create_index is None:
                self._refuse(index, "there is no account to change")
                return index
        return len(self.steps)

    def _refuse(self, index: int, reason: str) -> None:
        self.results[index] = StepResult(self.steps[index], Outcome.FAILED, reason)

    def _skip_unreached(self) -> None:
        """A look-up that failed (no such group) for a step after one that stopped the plan (a creation refused,
        a conflict, a retry) is reported as the plan not reaching it, as the sequential contract does."""
        for index in self.unsent:
            if self._stopped_before(index):
                self.results[index] = None

    def _stopped_before(self, index: int) -> bool:
        if self.create_index is not None and self.create_index < index and self.object_id is None:
            return True
        return any(r is not None and r.outcome in STOPPING for r in self.results[:index])

    # --- 1. the reads the writes need, in one $batch ---------------------------------------------------------

    async def _resolve(self, limit: int) -> None:
        reads: dict[str, BatchRequest] = {}
        wanted: dict[int, str] = {}
        known = self.connector.known_groups
        for index, step in enumerate(self.steps[:limit]):
            if isinstance(step, SetManager) and step.manager_anchor is not None:
                escaped = step.manager_anchor.replace("'", "''")
                query = urlencode(
                    {"$filter": f"employeeId eq '{escaped}'", "$select": "id,employeeId", "$count": "true"}
                )
                wanted[index] = f"m{index}"
                reads[f"m{index}"] = BatchRequest(
                    f"m{index}", "GET", f"/users?{query}", headers={"ConsistencyLevel": "eventual"}
                )
            elif isinstance(step, AddToGroup | RemoveFromGroup):
                key = step.group.strip().casefold()
                if key in known:
                    self.groups[index] = known[key][0]
                    continue
                read_id = f"g:{key}"
                wanted[index] = read_id
                escaped = step.group.strip().replace("'", "''")
                query = urlencode({"$filter": f"displayName eq '{escaped}'", "$select": "id,displayName"})
                reads.setdefault(read_id, BatchRequest(read_id, "GET", f"/groups?{query}"))
        if not reads:
            return
        answers = await self.graph.batch(reads.values())
        for index, read_id in wanted.items():
            step = self.steps[index]
            try:
                with graph_answers():
                    found = self._found(answers[read_id])
                    if isinstance(step, SetManager):
                        self.managers[index] = self._manager(step, found)
                    else:
                        assert isinstance(step, AddToGroup | RemoveFromGroup)
                        self.groups[index] = self._group(step, found)
            except Exception as failure:  # settled() re-raises what is not a step's outcome
                self.results[index] = settled(step, failure)
                self.unsent.add(index)

    @staticmethod
    def _found(answer: BatchResponse) -> list[dict[str, Any]]:
        if not answer.ok:
            raise answer.error()
        return list((answer.body or {}).get("value", []))

    def _manager(self, step: SetManager, found: list[dict[str, Any]]) -> str:
        anchor = step.manager_anchor
        if not found:
            raise StepRefused(f"no account carries the manager's anchor {anchor!r}")
        if len(found) > 1:
            raise StepRefused(str(DuplicateAnchor(str(anchor), tuple(str(user["id"]) for user in found))))
        manager_id = str(found[0]["id"])
        creating = self.create_index is not None and self.plan.anchor == anchor
        if manager_id == self.object_id or creating:
            raise StepRefused("an account cannot be its own manager")
        return manager_id

    def _group(self, step: AddToGroup | RemoveFromGroup, found: list[dict[str, Any]]) -> str:
        if not found:
            raise StepRefused(f"there is no group named {step.group!r}")
        group = found[0]
        self.connector.known_groups[step.group.strip().casefold()] = (str(group["id"]), str(group["displayName"]))
        return str(group["id"])

    # --- 2. the writes on the user, in one $batch with the creation --------------------------------------------

    async def _write(self, limit: int) -> None:
        pending = [
            i
            for i in range(limit)
            if self.results[i] is None
            and not isinstance(self.steps[i], AddToGroup | ConvertMailboxToShared)
            and not (isinstance(self.steps[i], RemoveFromGroup) and self.object_id is None)
        ]
        if not pending:
            return
        if self.create_index is None:
            await self._send(pending, quote(str(self.object_id)), ())
            return
        create_id = str(self.create_index)
        body = create_body(self._creation)
        self.sent_create = body
        others = [i for i in pending if i != self.create_index]
        first, later = others[: BATCH_LIMIT - 1], others[BATCH_LIMIT - 1 :]
        user = quote(self._creation.account.user_principal_name, safe="@")
        requests = [BatchRequest(create_id, "POST", "/users", body)]
        requests += [self._request(i, user, (create_id,)) for i in first]
        answers = await self.graph.batch(requests)
        created = answers[create_id]
        if created.ok:
            self.created = dict(created.body or {})
            self.object_id = str(self.created["id"])
            self.results[self.create_index] = ok(self._creation)
            self._settle(first, answers)
        else:
            await self._create_refused(created.error())
            if self.object_id is None:
                return
            later = others  # adopted: what depended on the creation answered 424 and is sent again
        if later:
            await self._send(later, quote(self.object_id), ())

    @property
    def _creation(self) -> CreateAccount:
        assert self.create_index is not None
        step = self.steps[self.create_index]
        assert isinstance(step, CreateAccount)
        return step

    async def _create_refused(self, error: GraphError) -> None:
        """A refused creation: a namesake's name is a conflict, this worker's own account (an interrupted attempt
        created it) is adopted, and anything else is the step's failure."""
        assert self.create_index is not None
        step = self._creation
        try:
            with graph_answers():
                if not error.is_conflict:
                    raise error
                self.object_id = await self.connector.adopt(step, error, _names(step))
        except Exception as failure:
            self.results[self.create_index] = settled(step, failure)
            return
        self.results[self.create_index] = ok(step)

    async def _send(self, indices: list[int], user: str, depends_on: tuple[str, ...]) -> None:
        answers = await self.graph.batch(self._request(i, user, depends_on) for i in indices)
        self._settle(indices, answers)

    def _request(self, index: int, user: str, depends_on: tuple[str, ...]) -> BatchRequest:
        step = self.steps[index]
        item = str(index)
        path = f"/users/{user}"
        if isinstance(step, UpdateAttributes):
            changes = {name: graph_value(value) for name, value in step.after.items()}
            return BatchRequest(item, "PATCH", path, changes, depends_on, retry_not_found=True)
        if isinstance(step, EnableAccount | DisableAccount):
            enabled = {"accountEnabled": isinstance(step, EnableAccount)}
            return BatchRequest(item, "PATCH", path, enabled, depends_on, retry_not_found=True)
        if isinstance(step, ResetPassword):
            profile = {"passwordProfile": {"forceChangePasswordNextSignIn": True, "password": random_password()}}
            return BatchRequest(item, "PATCH", path, profile, depends_on, retry_not_found=True)
        if isinstance(step, RevokeSessions):
            return BatchRequest(item, "POST", f"{path}/revokeSignInSessions", None, depends_on, retry_not_found=True)
        if isinstance(step, SetManager):
            if step.manager_anchor is None:
                return BatchRequest(item, "DELETE", f"{path}/manager/$ref", None, depends_on)
            ref = {"@odata.id": f"{self.graph.base_url}/directoryObjects/{self.managers[index]}"}
            return BatchRequest(item, "PUT", f"{path}/manager/$ref", ref, depends_on, retry_not_found=True)
        if isinstance(step, RemoveFromGroup):
            member = f"/groups/{self.groups[index]}/members/{quote(str(self.object_id))}/$ref"
            return BatchRequest(item, "DELETE", member, None, depends_on)
        raise AssertionError(f"no Graph request for {step.kind}")  # the shape check and the phases rule it out

    def _settle(self, indices: list[int], answers: dict[str, BatchResponse]) -> None:
        for index in indices:
            answer = answers[str(index)]
            step = self.steps[index]
            if answer.ok:
                self.results[index] = ok(step)
            elif answer.status == 424:
                self.results[index] = StepResult(step, Outcome.SKIPPED)
            else:
                self.results[index] = self._item_failed(step, answer.error())

    def _item_failed(self, step: Step, error: GraphError) -> StepResult:
        if error.status == 404 and (
            isinstance(step, RemoveFromGroup) or (isinstance(step, SetManager) and step.manager_anchor is None)
        ):
            return ok(step)  # not a member, no manager: the desired state already
        names = _names(step) if isinstance(step, UpdateAttributes) else {}
        if error.is_conflict and error.status not in BUSY and any(names.values()):
            return settled(step, conflict_of(error, names))
        return settled(step, error)

    # --- 3. group adds, coalesced across the process's joiners --------------------------------------------------

    async def _group_steps(self, limit: int) -> None:
        assert self.object_id is not None
        adds: list[int] = []
        for index in range(limit):
            step = self.steps[index]
            if self.results[index] is not None or not isinstance(step, AddToGroup | RemoveFromGroup):
                continue
            if self._stopped_before(index):
                continue
            if isinstance(step, RemoveFromGroup):  # a removal from a just-created account: its own request
                await self._send([index], quote(self.object_id), ())
            else:
                adds.append(index)
        group_adds = self.connector.group_adds
        answers = await asyncio.gather(*(group_adds.add(self.graph, self.groups[i], self.object_id) for i in adds))
        for index, error in zip(adds, answers, strict=True):
            step = self.steps[index]
            assert isinstance(step, AddToGroup)
            if error is None:
                self.results[index] = ok(step)
                continue
            if error.status == 404:  # the group may be gone: look it up again next time
                self.connector.known_groups.pop(step.group.strip().casefold(), None)
            self.results[index] = settled(step, error)

    # --- 4. the mailbox, in Exchange Online -------------------------------------------------------------------

    async def _mailbox_steps(self, limit: int) -> None:
        assert self.object_id is not None
        for index in range(limit):
            step = self.steps[index]
            if not isinstance(step, ConvertMailboxToShared) or self.results[index] is not None:
                continue
            if self._stopped_before(index):
                continue
            try:
                with graph_answers():
                    await self.connector.share_mailbox(self.object_id, step)
            except Exception as failure:
                self.results[index] = settled(step, failure)
            else:
                self.results[index] = ok(step)

    # --- the account afterwards ---------------------------------------------------------------------------------

    async def _account_after(self, results: tuple[StepResult, ...]) -> DirectoryAccount | None:
        if self.object_id is None:
            return None
        read_back = any(isinstance(r.step, READ_BACK_STEPS) and r.ok for r in results)
        if self.observed is not None and not read_back:
            start = self.observed
        elif self.created is not None and not read_back:
            start = self.connector.view_created(self.sent_create, self.created)
        else:
            return await self.connector.account(self.object_id)
        names = {key: value[1] for key, value in self.connector.known_groups.items()}
        return after_steps(start, (r for r in results if not isinstance(r.step, CreateAccount)), names)
