"""Console sign-in with its guesses throttled (:mod:`hirehub.throttling`): per account and per source, with a
lockout that doubles each time and always expires.

Five wrong passwords for one account from one address lock that address out of that account for a minute,
then two, and so on up to half an hour. An address guessing many accounts, or many addresses guessing one
account, meet their own limits, but the owner signing in from an address that was not guessing is never locked
out: an attacker cannot keep an administrator from the console.
"""

from __future__ import annotations

from datetime import datetime

from hirehub.accounts.service import AccountError, SignedIn, sign_in
from hirehub.db.session import Database
from hirehub.errors import Unavailable
from hirehub.throttling import Throttle, ThrottlePolicy

CONSOLE_THROTTLE = ThrottlePolicy(account_from_source=5, source=50, account=50)


class TooManySignIns(Unavailable):
    """Sign-in refused before the password is checked, after too many failures; ``retry_after`` says when."""

    status = 429


async def guarded_sign_in(
    database: Database, *, email: str, password: str, source: str, now: datetime
) -> tuple[str, SignedIn]:
    """:func:`~hirehub.accounts.service.sign_in` behind the throttle; a failure is counted, a success clears it."""
    throttle = Throttle(database, "console", CONSOLE_THROTTLE)
    account = email.strip().lower()
    standing = await throttle.standing(account=account, source=source, now=now)
    if standing.lockout is not None:
        wait = standing.lockout.retry_after(now)
        raise TooManySignIns(
            f"too many failed sign-ins: try again in {wait} seconds (after {standing.lockout.until:%H:%M:%S} UTC)",
            retry_after=wait,
        )
    try:
        async with database.system_transaction() as session:
            signed_in = await sign_in(session, email=email, password=password, now=now)
    except AccountError:
        await throttle.failed(account=account, source=source, now=now)
        raise
    if standing.failed_before:
        await throttle.succeeded(account=account, source=source)
    return signed_in
