"""Development-only time travel: a shift of the hub's clock that every process of a development group shares.

A person trying the hub wants to watch a future start or a last day take effect without waiting for it. The
shift lives in a small JSON file in the data directory, so the API, every job runner and every command of the
group read the same "now" without talking to each other; :func:`hirehub.db.base.utcnow` adds it. Only a
development hub follows the file (:func:`follow`, called by the composition root), so production's clock is the
wall clock, always.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

OFFSET_FILE_NAME = "clock-offset.json"
"""The file under the data directory that holds the shift, as ``{"offset_seconds": <float>}``."""

RECHECK_SECONDS = 0.5
"""How stale a process's view of the shift may be: the file's modification time is looked at no more often."""

_NO_SHIFT = timedelta(0)


def offset_file(data_dir: Path) -> Path:
    """Where the shift of the hub whose data directory is ``data_dir`` is kept."""
    return data_dir / OFFSET_FILE_NAME


def read_offset(path: Path) -> timedelta:
    """The shift kept in ``path``; none when the file is missing. A file that is not a shift is an error: a
    development clock that silently reads as unshifted would make time travel look broken."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _NO_SHIFT
    seconds = json.loads(text)["offset_seconds"]
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        raise ValueError(f"{path}: offset_seconds must be a number")
    return timedelta(seconds=seconds)


def write_offset(path: Path, offset: timedelta) -> None:
    """Keep ``offset`` in ``path``, replacing the file at once so that no reader sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".clock-offset.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump({"offset_seconds": offset.total_seconds()}, out)
    os.replace(temporary, path)


class OffsetFollower:
    """The shift in one file as this process sees it: re-read when the file changes, looked at every
    :data:`RECHECK_SECONDS` at most, so the clock costs a stat now and then rather than a read per call."""

    def __init__(self, path: Path, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self._monotonic = monotonic
        self._checked_at: float | None = None
        self._stamp: tuple[int, int] | None = None
        self._offset = _NO_SHIFT

    def offset(self) -> timedelta:
        now = self._monotonic()
        if self._checked_at is not None and now - self._checked_at < RECHECK_SECONDS:
            return self._offset
        self._checked_at = now
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._offset = None, _NO_SHIFT
            return self._offset
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            self._offset, self._stamp = read_offset(self.path), stamp
        return self._offset


_follower: OffsetFollower | None = None


def follow(path: Path | None) -> None:
    """Shift this process's clock by the offset kept in ``path`` from now on (``None``: stop following)."""
    global _follower
    _follower = None if path is None else OffsetFollower(path)


def current_offset() -> timedelta:
    """The shift this process's clock runs with: none unless a development hub follows an offset file."""
    return _NO_SHIFT if _follower is None else _follower.offset()
