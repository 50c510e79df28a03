"""What can go wrong on the LinkedIn side, as the hub's callers and its job queue need to tell it apart."""

from __future__ import annotations


class LinkedInError(ValueError):
    """A request the hub refuses (bad input, a state that does not allow it); nothing was changed.

    ``status`` is the HTTP status the admin API answers with (400 bad input, 404 absent, 409 state).
    """

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class LinkedInUnavailable(Exception):
    """LinkedIn could not be reached or asked us to slow down (5xx, 429, network): worth retrying later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LinkedInRefused(Exception):
    """LinkedIn refused a call for good (a 4xx other than 408/429): retrying the same call cannot help."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status
