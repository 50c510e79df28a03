"""Graph's answer to one step as the step's result, in one place for a plain request and a ``$batch`` item.

- ``ObjectConflict`` → a ``conflict`` naming the attribute (``proxyAddresses`` is the mail address), so the naming
  rules choose the next name;
- 429/503/504 that outlasted the client's retries, or a name held by an object too new to read → ``retry`` after
  Graph's wait;
- anything else → ``failed`` with Graph's status, code and message.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime

from hirehub.directories.entra.graph_errors import GraphError
from hirehub.lifecycle.connector import NameConflict, Outcome, StepRefused, StepResult, StepThrottled
from hirehub.lifecycle.planning import Step
from hirehub.lifecycle.policy import MAIL, USER_PRINCIPAL_NAME

BUSY = (429, 503, 504)
DEFAULT_BUSY_WAIT_SECONDS = 30.0
NOT_VISIBLE_RETRY_SECONDS = 10.0


class NotVisibleYet(Exception):
    """Graph holds a name for an object its reads do not show yet (eventual consistency): try again shortly."""


def graph_value(value: object) -> object:
    """A planned value as Graph's JSON carries it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def conflict_of(error: GraphError, names: Mapping[str, str | None]) -> NameConflict:
    """The name Graph refused; ``proxyAddresses`` is Graph's word for a clash on the mail address."""
    attribute = error.conflicting_property or USER_PRINCIPAL_NAME
    if attribute == "proxyAddresses":
        attribute = MAIL if names.get(MAIL) else USER_PRINCIPAL_NAME
    if attribute not in names or not names.get(attribute):
        attribute = USER_PRINCIPAL_NAME
    return NameConflict(attribute, str(names[attribute]))


@contextmanager
def graph_answers() -> Iterator[None]:
    """Inside a step: a name too new to read or a busy Graph becomes :class:`StepThrottled`, any other Graph error
    :class:`StepRefused` with Graph's code and message."""
    try:
        yield
    except NotVisibleYet as unseen:
        raise StepThrottled(str(unseen), NOT_VISIBLE_RETRY_SECONDS) from unseen
    except GraphError as error:
        if error.status in BUSY:
            wait = error.retry_after if error.retry_after is not None else DEFAULT_BUSY_WAIT_SECONDS
            raise StepThrottled(f"{error.code}: {error.message}", wait) from error
        raise StepRefused(f"{error.status} {error.code}: {error.message}") from error


def settled(step: Step, failure: Exception) -> StepResult:
    """The result of a step that raised ``failure`` (what :func:`~hirehub.lifecycle.connector.run_steps` would
    report for it)."""
    if isinstance(failure, NameConflict):
        return StepResult(step, Outcome.CONFLICT, str(failure), conflict=failure)
    if isinstance(failure, StepThrottled):
        return StepResult(step, Outcome.RETRY, str(failure), retry_after=failure.retry_after)
    if isinstance(failure, StepRefused):
        return StepResult(step, Outcome.FAILED, str(failure))
    if isinstance(failure, GraphError | NotVisibleYet):
        try:
            with graph_answers():
                raise failure
        except (StepThrottled, StepRefused) as mapped:
            return settled(step, mapped)
    raise failure


def ok(step: Step) -> StepResult:
    return StepResult(step, Outcome.OK)
