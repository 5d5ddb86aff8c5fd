"""One running app per data directory.

An OS file lock, not a pid file: the kernel drops it when the process dies,
even by kill -9, so a crash never leaves a stale "already running".
"""
from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

LOCK_NAME = "app.lock"


class InstanceLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> bool:
        """True if we now hold the lock; False if another process does."""
        fd = self._open()
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            return False
        try:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
        except OSError:
            pass  # a full or read-only disk: the pid is only for messages
        self._fd = fd
        return True

    def _open(self) -> int:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as e:
            # A full or read-only disk must not stop the app (it keeps its
            # answers in memory, see storage/diskfaults.py). A lock taken on
            # a read-only descriptor holds all the same; where the file
            # cannot be made, the folder itself is locked, as every app
            # starting on that same disk does.
            if e.errno not in (errno.EROFS, errno.ENOSPC, getattr(errno, "EDQUOT", 0)):
                raise
            for fallback in (self.path, self.path.parent):
                try:
                    return os.open(fallback, os.O_RDONLY)
                except OSError:
                    pass
            raise

    def holder_pid(self) -> int | None:
        try:
            return int(self.path.read_text().strip() or 0) or None
        except (OSError, ValueError):
            return None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
