"""Which grants a security role can hold: a table the API exposes, a privilege that applies to it, a level it honours.

One check serves the CLI (``hirehub role grant``), the admin API and the console, so none of them can store a
grant that names no table or grants nothing. Every table a role can grant here is organization-owned: the HR
``mshr_`` tables are Dataverse virtual tables, and the company and metadata tables belong to the organization.
On such a table Dataverse offers a privilege at Organization or None only (User, Business Unit and Parent levels
select rows by owner, which these rows do not have), and Assign and Share do not apply.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass

from hirehub.errors import Invalid
from hirehub.security.privileges import ORGANIZATION_OWNED, Depth, Privilege, parse_privilege

ORGANIZATION_LEVELS = (Depth.NONE, Depth.ORGANIZATION)
"""The access levels that mean something on an organization-owned table."""


class GrantRefused(Invalid):
    """A grant that names an unknown table, privilege or level, or one that would grant nothing."""


@dataclass(frozen=True)
class CheckedGrant:
    table: str
    privilege: Privilege
    depth: Depth


def level_name(depth: Depth) -> str:
    """An access level as Dataverse's role editor names it (``Organization``, ``Parent: Child Business Units``)."""
    if depth is Depth.PARENT_CHILD:
        return "Parent: Child Business Units"
    return depth.name.replace("_", " ").title()


def _closest(table: str, tables: Collection[str]) -> str | None:
    by_lower = {name.lower(): name for name in tables}
    match = difflib.get_close_matches(table.strip().lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[match[0]] if match else None


def check_grant(table: str, privilege: str, level: str, *, tables: Collection[str]) -> CheckedGrant:
    """The grant, parsed, if a role can hold it; otherwise :class:`GrantRefused` naming the field and what is valid.

    ``tables`` are the logical names a role can grant privileges on (the composition of the API's tables is the
    caller's knowledge).
    """
    if table not in tables:
        close = _closest(table, tables)
        hint = f"did you mean '{close}'?" if close else "the tables are those of the Web API's $metadata"
        raise GrantRefused(f"'{table}' is not a table a security role can grant privileges on; {hint}", field="table")
    try:
        parsed = parse_privilege(privilege)
    except ValueError as exc:
        raise GrantRefused(str(exc), field="privilege") from None
    try:
        depth = Depth.parse(level)
    except ValueError as exc:
        raise GrantRefused(str(exc), field="level") from None
    if parsed not in ORGANIZATION_OWNED:
        valid = ", ".join(p.value for p in ORGANIZATION_OWNED)
        raise GrantRefused(
            f"{parsed.value} applies only to user-owned tables; '{table}' is organization-owned: grant {valid}",
            field="privilege",
        )
    if depth not in ORGANIZATION_LEVELS:
        valid = " or ".join(level_name(d) for d in reversed(ORGANIZATION_LEVELS))
        raise GrantRefused(
            f"'{table}' is an organization-owned table: a privilege on it is {valid}; "
            f"{level_name(depth)} would grant nothing",
            field="level",
        )
    return CheckedGrant(table, parsed, depth)
