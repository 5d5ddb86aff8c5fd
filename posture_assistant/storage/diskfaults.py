"""What is wrong when the break database cannot be written, in one line
that names the problem, where it is, and the fix.

The running app keeps going through every one of these (see
storage/pending.py and Store.open_for_app): a full disk, a read-only disk, a
data folder deleted or unmounted under it, a database locked by another
program or an I/O error are all conditions of the surroundings that the
user can put right while the app runs, and refusing to start or crashing
would only lose the answers given meanwhile. Refused at start, with one
line, are only the user's own mistakes, which no waiting fixes: data_dir
names a file or a folder they may not use (permission denied), or a
read-only place where no database exists yet (nothing to read, nothing
will ever be written: set data_dir), or a database from a newer version.

A vanished data folder is re-created, and a new database started in it, only
on the file system that held it: when the user deleted the folder, the
nearest folder above it is still on that file system, and the answers go to
a new file (nothing is there to overwrite). When the disk that held it was
unmounted, the nearest folder above it is on another file system (the mount
point's parent, say /media/usb on the root disk): creating the folder there
would scatter the history over a mount point, hidden again once the disk
comes back, so the app waits for the disk instead and says so.
"""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from posture_assistant.i18n import _, clip

FULL, READ_ONLY, GONE, BUSY, OTHER = "full", "read-only", "gone", "busy", "other"

# SQLite's primary result codes (sqlite3.h).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 11, 13, 14
_SQLITE_NOTADB = 26
# Those that say the surroundings failed, not our SQL: the write is kept
# and tried again. (Python 3.10 has no codes; its messages are matched.)
DISK_CODES = frozenset({_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY,
                        _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN})
_DISK_WORDS = ("disk", "readonly", "unable to open", "locked", "busy")  # not for users
_EDQUOT = getattr(errno, "EDQUOT", errno.ENOSPC)  # a quota; Windows has none
_DISK_ERRNOS = frozenset({errno.ENOSPC, _EDQUOT, errno.EROFS, errno.EIO, errno.ENODEV,
                          errno.ENXIO, getattr(errno, "ESTALE", errno.EIO)})


@dataclass(frozen=True)
class Trouble:
    kind: str  # FULL, READ_ONLY, GONE, BUSY or OTHER: said again only when it changes
    line: str  # for the user: the problem, where, and the fix


def sqlite_code(error: BaseException) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)  # Python 3.11+
    return None if code is None else code & 0xFF  # extended code -> primary


def is_damage(error: BaseException) -> bool:
    """The file is not a sound SQLite database: a problem of the file, not
    of the surroundings, and no waiting fixes it."""
    code = sqlite_code(error)
    if code is not None:
        return code in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(error)  # Python 3.10: only the message to go on
    return "file is not a database" in text or "malformed" in text  # not for users


def is_busy(error: BaseException) -> bool:
    """Another connection holds the lock."""
    code = sqlite_code(error)
    if code is not None:
        return code in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return "locked" in str(error)


def is_disk_condition(error: BaseException) -> bool:
    """A failure of the surroundings that may pass, as opposed to a user's
    mistake or a bug: the write is worth keeping and trying again."""
    if isinstance(error, OSError):
        return error.errno in _DISK_ERRNOS
    code = sqlite_code(error)
    if code is not None:
        return code in DISK_CODES
    return any(word in str(error) for word in _DISK_WORDS)


def nearest_existing(folder: Path) -> Path:
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    return folder


def device_of(folder: Path) -> int | None:
    """The file system the folder is on (that of the nearest existing folder
    above it, where it does not exist yet)."""
    try:
        return os.stat(nearest_existing(folder)).st_dev
    except OSError:
        return None


def may_create(folder: Path, device: int | None) -> bool:
    """Whether a missing database may be (re)created in `folder`: only on the
    file system it was on (see the module's docstring)."""
    return device is None or device_of(folder) == device


def mount_point(path: Path) -> Path:
    """The top folder of the file system that holds `path`."""
    path = nearest_existing(path.absolute())
    try:
        device = os.stat(path).st_dev
        while path != path.parent and os.stat(path.parent).st_dev == device:
            path = path.parent
    except OSError:
        pass
    return path


def diagnose(path: Path, error: BaseException, device: int | None) -> Trouble:
    """Why the database at `path` could not be written; `device` is the file
    system it was on."""
    folder = path.parent
    where = dict(path=clip(path), folder=clip(folder))
    if not os.path.lexists(path) and not may_create(folder, device):
        return Trouble(GONE, _(
            "cannot write to the break database {path}: it is gone, and {base} is on another "
            "disk than it was (unmounted?); mount the disk that held it again").format(
                base=clip(nearest_existing(folder)), **where))
    code, number = sqlite_code(error), getattr(error, "errno", None)
    try:
        fs = os.statvfs(nearest_existing(folder))
        read_only, no_space = bool(fs.f_flag & os.ST_RDONLY), fs.f_bavail == 0
    except (OSError, AttributeError):  # AttributeError: Windows has no statvfs
        read_only, no_space = False, False
    text = str(error)
    if read_only or number == errno.EROFS:
        return Trouble(READ_ONLY, _(
            "cannot write to the break database {path}: {mount} is mounted read-only; mount "
            "it read-write again, or set data_dir to a folder elsewhere").format(
                mount=clip(mount_point(folder)), **where))
    if (code == _SQLITE_FULL or number in (errno.ENOSPC, _EDQUOT) or no_space
            or (code is None and "full" in text)):  # not for users
        return Trouble(FULL, _(
            "cannot write to the break database {path}: the disk is full; free some space "
            "on {mount}").format(mount=clip(mount_point(folder)), **where))
    if is_busy(error):
        return Trouble(BUSY, _(
            "cannot write to the break database {path}: another program is using it "
            "({error}); close that program").format(error=clip(text), **where))
    if code in (_SQLITE_READONLY, _SQLITE_PERM) or number in (errno.EACCES, errno.EPERM):
        return Trouble(OTHER, _(
            "cannot write to the break database {path}: {error}; check the permissions of "
            "{path} and {folder}").format(error=clip(text), **where))
    if is_damage(error):
        return Trouble(OTHER, damaged(path))
    return Trouble(OTHER, _(
        "cannot write to the break database {path}: {error}; check the disk that holds "
        "{folder}").format(error=clip(text or type(error).__name__), **where))


def damaged(path: Path) -> str:
    return _("cannot write to the break database {path}: it is damaged; restart Posture "
             "Assistant to move it aside and start a new one").format(path=clip(path))
