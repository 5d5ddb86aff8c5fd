"""Where the control channel's socket and key live: a 0700 folder of the
user's own, which no other user can make first or take over.

The runtime dir ($XDG_RUNTIME_DIR) when there is a usable one; else a
folder in the user's state dir; else, when that is too deep for a socket
path, a fresh random folder in the temp dir, whose name is kept on record
in the state dir. Never a fixed name in the shared temp dir: another user
could make it first (a folder, a file, a FIFO, a dangling link).
"""
from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
from pathlib import Path

from posture_assistant import APP_ID
from posture_assistant.i18n import _, clip


class ControlError(Exception):
    """str(e) is one line for the user."""



SOCKET_PATH_MAX = 100  # AF_UNIX paths are limited to 104 (macOS) or 108 (Linux) bytes
TAG_LEN = 16
SOCKET_NAME_LEN = len("/") + TAG_LEN + len(".sock")


def runtime_dir(create: bool = True) -> Path | None:
    """The folder for the socket and key. None: there is none yet, so no
    app is running (only when not `create`)."""
    if sys.platform in ("win32", "darwin"):
        import platformdirs

        return platformdirs.user_runtime_path(APP_ID)
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isabs(base) and _fits(Path(base) / APP_ID) and _ours(base, 0o022):
        return Path(base) / APP_ID
    return _fallback_dir(create)


def _fallback_dir(create: bool) -> Path | None:
    """No runtime dir (a root shell, a minimal session), one too deep for a
    socket path, or one that is not the user's own. Never a fixed name in
    the shared temp dir, which another user could make first: a folder in
    the user's own state dir, or, when that is too deep for a socket, a
    folder of a fresh random name in the temp dir, whose name is kept in a
    file in the user's state dir, where only they can write."""
    import platformdirs

    own = platformdirs.user_state_path(APP_ID) / "run"
    if _fits(own):
        return own
    if not _private(own, create):
        return None
    record = own / "socket-dir"
    recorded = _recorded(record)
    if recorded is not None or not create:
        return recorded
    base = tempfile.gettempdir()
    if not _fits(Path(base) / f"{APP_ID}-xxxxxxxx"):
        base = "/tmp"
    made = tempfile.mkdtemp(prefix=f"{APP_ID}-", dir=base)  # 0700, a name nobody had
    tmp = record.with_name(f"{record.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(made)
    try:
        # Another app (of another data dir) starting at the same moment may
        # have written it first: then both use its folder.
        os.link(tmp, record)
    except FileExistsError:
        recorded = _recorded(record)
        if recorded is not None:
            os.unlink(tmp)
            os.rmdir(made)
            return recorded
        os.replace(tmp, record)  # a stale one, from before a reboot
    else:
        os.unlink(tmp)
    return Path(made)


def _recorded(record: Path) -> Path | None:
    """The folder named in `record`, if it is still ours and private
    (after a reboot it is gone, and another user may have made one of the
    same name since)."""
    try:
        text = record.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    path = Path(text)
    if text and path.is_absolute() and _fits(path) and _ours(path, 0o077):
        return path
    return None


def _fits(folder: Path | str) -> bool:
    return len(os.fsencode(folder)) + SOCKET_NAME_LEN <= SOCKET_PATH_MAX


def _ours(path: Path | str, forbidden: int) -> bool:
    """A real directory (not a link) of ours, with none of the `forbidden`
    mode bits."""
    try:
        st = os.lstat(path)
    except (OSError, ValueError):
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & forbidden


def _private(path: Path, create: bool) -> bool:
    """Make `path` (0700) if asked; True if it is there and private, False
    if it is not there; ControlError if it is there but not right."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        path.mkdir(parents=True, exist_ok=True)
        return True
    if create:
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except FileExistsError:
            pass  # not a directory: said below
        except OSError as e:
            raise ControlError(_("cannot make the folder {path}: {error}").format(
                path=clip(str(path)), error=e.strerror or e)) from None
    try:
        path.lstat()
    except FileNotFoundError:
        return False
    except OSError as e:
        raise ControlError(_("cannot use the folder {path}: {error}").format(
            path=clip(str(path)), error=e.strerror or e)) from None
    if not _ours(path, 0o077):
        raise ControlError(
            _("{path} must be a directory owned by you with mode 0700; fix it "
              "with: chmod 700 {path} (or remove it)").format(path=clip(str(path))))
    return True


def _private_dir(create: bool = True) -> Path | None:
    path = runtime_dir(create)
    if path is None or not _private(path, create):
        return None
    return path


def channel(data_dir: Path, create: bool = True) -> tuple[str, Path, str] | None:
    """(address, key file, family) for the app that uses `data_dir`; None
    when there is no folder for them (so no app is running)."""
    tag = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:TAG_LEN]
    folder = _private_dir(create)
    if folder is None:
        return None
    key = folder / f"{tag}.key"
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return rf"\\.\pipe\{APP_ID}-{os.getlogin()}-{tag}", key, "AF_PIPE"
    # A short name: AF_UNIX paths are limited to about 100 bytes.
    return str(folder / f"{tag}.sock"), key, "AF_UNIX"
