"""The account after a plan, from what was sent and what Graph returned, instead of reading it back.

A joiner's creation answers 201 with the user; a manager, a membership, an attribute or the enabled flag that Graph
accepted is, by definition, what was sent. Reading the account back after every plan cost a read per step kind
(the user, its manager, its groups) and a round trip each; the engine plans the next change from a fresh
observation anyway. What no response carries (the moment a password was reset or sessions revoked, a mailbox
conversion) is read back by the connector for the plans that contain such steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from hirehub.directories.entra.step_outcomes import graph_value
from hirehub.lifecycle.connector import StepResult
from hirehub.lifecycle.directory_state import NAME_FIELDS, DirectoryAccount
from hirehub.lifecycle.planning import (
    AddToGroup,
    DisableAccount,
    EnableAccount,
    RemoveFromGroup,
    SetManager,
    UpdateAttributes,
)


def after_steps(
    account: DirectoryAccount, results: Iterable[StepResult], group_names: Mapping[str, str]
) -> DirectoryAccount:
    """``account`` with the effect of every step that went through; ``group_names`` maps a group as a step names it
    (case-folded) to its display name in the directory."""
    attributes: dict[str, Any] = dict(account.attributes)
    names = {field: getattr(account, field) for field in NAME_FIELDS.values()}
    manager, groups, enabled = account.manager_anchor, list(account.groups), account.enabled
    for result in results:
        step = result.step
        if not result.ok:
            continue
        if isinstance(step, UpdateAttributes):
            for change in step.changes:
                value = graph_value(change.after)
                if change.name in NAME_FIELDS:
                    names[NAME_FIELDS[change.name]] = value
                elif value is None:
                    attributes.pop(change.name, None)
                else:
                    attributes[change.name] = value
        elif isinstance(step, SetManager):
            manager = step.manager_anchor
        elif isinstance(step, AddToGroup):
            folded = step.group.strip().casefold()
            if all(group.strip().casefold() != folded for group in groups):
                groups.append(group_names.get(folded, step.group.strip()))
        elif isinstance(step, RemoveFromGroup):
            folded = step.group.strip().casefold()
            groups = [group for group in groups if group.strip().casefold() != folded]
        elif isinstance(step, EnableAccount | DisableAccount):
            enabled = isinstance(step, EnableAccount)
    return replace(
        account, attributes=attributes, manager_anchor=manager, groups=tuple(groups), enabled=enabled, **names
    )
