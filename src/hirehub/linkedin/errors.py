"""What can go wrong on the LinkedIn side, as kinds of the hub's one refusal tree.

The job queue tells them apart by kind: an :class:`~hirehub.errors.Unavailable` is retried later, anything else
fails for good; the admin API and the console answer each by its kind. Refusals of the hub's own state (RSC not
turned on, no partner application) are plain :class:`~hirehub.errors.Conflict` and
:class:`~hirehub.errors.NotFound` where they are raised.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hirehub.errors import Conflict, Invalid, Unavailable


class LinkedInError(Invalid):
    """The input does not fit what LinkedIn RSC accepts (a width, an integration type, a credential)."""


class LinkedInUnavailable(Unavailable):
    """LinkedIn could not be reached or asked us to slow down (5xx, 408, 429, network): worth retrying later."""


class LinkedInRefused(Conflict):
    """LinkedIn refused a call for good, or answered with something the hub cannot use: retrying cannot help.

    ``linkedin_status`` is the status LinkedIn answered with, when there was one (a 401 means a token to renew).
    """

    def __init__(self, message: str = "", *, linkedin_status: int | None = None) -> None:
        super().__init__(message)
        self.linkedin_status = linkedin_status


@contextmanager
def calling_linkedin(what: str) -> Iterator[None]:
    """Say which operation LinkedIn refused or could not serve, keeping the kind, the wait and LinkedIn's words."""
    try:
        yield
    except LinkedInUnavailable as exc:
        raise LinkedInUnavailable(f"LinkedIn is unavailable for {what}; nothing was changed, retry later ({exc})",
                                  retry_after=exc.retry_after) from exc  # fmt: skip
    except LinkedInRefused as exc:
        raise LinkedInRefused(f"LinkedIn refused {what}: {exc}", linkedin_status=exc.linkedin_status) from exc
