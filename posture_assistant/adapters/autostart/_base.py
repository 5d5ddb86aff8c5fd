"""The contract of the autostart and launcher backends, and what they share: the
answer `status()` gives, the refusal to touch an entry someone else wrote,
and writing a file so a crash never leaves half of it."""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from posture_assistant.adapters._util import Unavailable, Unusable

__all__ = ["ON", "OFF", "DISABLED", "STALE", "NOT_OURS", "NotOurs", "Entry", "Status",
           "Unavailable", "Unusable", "missing_program", "write_file"]

# The states, the same words in `--json` on every platform.
ON = "on"  # not for users: a JSON value
OFF = "off"  # not for users
DISABLED = "disabled"  # not for users: ours, but turned off in the desktop's settings
STALE = "stale"  # not for users: ours, but the program it runs is gone
NOT_OURS = "not_ours"  # not for users: something we did not write is in our place


@dataclass(frozen=True)
class Status:
    state: str
    where: str  # the file or registry value, as a user would look for it
    command: tuple[str, ...] = ()  # what the entry runs, as an argv
    command_text: str = ""  # the same as the entry spells it
    reason: str = ""  # for users: why disabled or stale, if the state alone does not say


class NotOurs(Exception):
    """Our place holds an entry we did not write (no marker, someone
    else's command): we leave it alone. str(e) is the place."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


class Entry:
    """A place the system reads to start the app: at login (one per
    platform) or from the app menu. `enable` and `disable` return (before,
    after) so the caller can say what changed; both raise NotOurs rather
    than touch an entry they did not write."""

    name = ""
    available = True
    # For users, after `on`: what has to happen before it works.
    takes_effect = ""

    def status(self) -> Status:
        raise NotImplementedError

    def enable(self, argv: Sequence[str]) -> tuple[Status, Status]:
        raise NotImplementedError

    def _ours(self) -> Status:
        """The status now, before a change; NotOurs if what stands there was
        written by someone else, which on and off never touch."""
        before = self.status()
        if before.state == NOT_OURS:
            raise NotOurs(before.where)
        return before

    def disable(self) -> tuple[Status, Status]:
        raise NotImplementedError


def missing_program(argv: Sequence[str]) -> str | None:
    """The program an entry runs if it is not there (an uninstalled or
    moved app), else None."""
    if not argv:
        return ""
    program = argv[0]
    found = program if os.path.isabs(program) else shutil.which(program)
    ok = bool(found) and os.path.isfile(found) and os.access(found, os.X_OK)
    return None if ok else program


def write_file(path: Path, data: bytes, mode: int = 0o644) -> bool:
    """Put `data` in `path` whole or not at all; False if it already held
    exactly that (so a repeated `on` changes no file times)."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp makes 0600 files; launchd and desktops want them readable,
        # and launchd refuses group- or world-writable ones.
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
