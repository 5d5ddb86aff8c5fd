"""The local channel between the CLI (client) and the running app (server).

multiprocessing.connection gives framing and an HMAC challenge on connect.
The socket and its key live in a 0700 directory of the user's runtime dir,
and the key file is 0600, so only the same user can talk to the app. One
channel per data directory, matching the instance lock.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import stat
import sys
import tempfile
import threading
from multiprocessing.connection import Client, Listener
from pathlib import Path
from typing import Any, Callable

from posture_assistant import APP_ID
from posture_assistant.i18n import _

REPLY_TIMEOUT = 10.0


class ControlError(Exception):
    """str(e) is one line for the user."""


SOCKET_PATH_MAX = 100  # AF_UNIX paths are limited to 104 (macOS) or 108 (Linux) bytes
SOCKET_NAME_LEN = len(f"/{APP_ID}/") + 16 + len(".sock")


def runtime_dir() -> Path:
    if sys.platform in ("win32", "darwin"):
        import platformdirs

        return platformdirs.user_runtime_path(APP_ID)
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isdir(base) and len(base) + SOCKET_NAME_LEN <= SOCKET_PATH_MAX:
        return Path(base) / APP_ID
    # No runtime dir (a root shell, a minimal session), or one too deep for a
    # socket path: a per-user directory in the temp dir, checked for
    # ownership and mode before use.
    return Path(tempfile.gettempdir()) / f"{APP_ID}-{os.getuid()}"


def _private_dir() -> Path:
    path = runtime_dir()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if sys.platform != "win32":
        st = path.lstat()
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
            raise ControlError(
                _("{path} must be a directory owned by you with mode 0700; fix it "
                  "with: chmod 700 {path} (or remove it)").format(path=path))
    return path


def _names(data_dir: Path) -> tuple[str, Path, str]:
    """(address, key file, family) for the app that uses `data_dir`."""
    tag = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    folder = _private_dir()
    key = folder / f"{tag}.key"
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return rf"\\.\pipe\{APP_ID}-{os.getlogin()}-{tag}", key, "AF_PIPE"
    # A short name: AF_UNIX paths are limited to about 100 bytes.
    return str(folder / f"{tag}.sock"), key, "AF_UNIX"


class Server:
    """Accepts requests in a daemon thread and hands each to `handle`.

    `handle` runs in the accept thread and must return the reply dict; the app
    makes it post to its own queue and wait, so all state stays in the loop.
    """

    def __init__(self, data_dir: Path, handle: Callable[[dict], dict]) -> None:
        self._handle = handle
        address, key_path, family = _names(data_dir)
        self._key = secrets.token_bytes(32)
        tmp = key_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(self._key)
        os.replace(tmp, key_path)
        if family == "AF_UNIX" and os.path.exists(address):
            # Left by a crashed instance; we hold the instance lock, so it is
            # not anybody's live socket.
            os.unlink(address)
        self._address, self._key_path = address, key_path
        # Held while a request is answered, so close() can let the reply
        # go out before the process ends (the answer to `quit`, above all).
        self._answering = threading.Lock()
        self._listener = Listener(address, family=family, authkey=self._key)
        threading.Thread(target=self._serve, name="control", daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn = self._listener.accept()
            except OSError:
                return  # listener closed
            except Exception:
                continue  # a client with the wrong key, or one that hung up
            with conn:
                try:
                    if not conn.poll(REPLY_TIMEOUT):
                        continue
                    request = conn.recv()
                    with self._answering:
                        reply = self._handle(request) if isinstance(request, dict) else {
                            "ok": False, "message": _("bad request")}
                        conn.send(reply)
                except (EOFError, OSError):
                    continue

    def close(self, wait: float = 2.0) -> None:
        """Stop listening, once the request being answered (if any) has had
        its reply sent, or after `wait` seconds."""
        answered = self._answering.acquire(timeout=wait)
        for path in (self._address, self._key_path):
            try:
                os.unlink(path)
            except OSError:
                pass
        try:
            self._listener.close()
        except OSError:
            pass
        if answered:
            self._answering.release()


def request(data_dir: Path, message: dict[str, Any]) -> dict | None:
    """Send one request to the running app; None if no app is running."""
    address, key_path, family = _names(data_dir)
    try:
        key = key_path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ControlError(_("cannot read {path}: {error}").format(
            path=key_path, error=e.strerror)) from None
    try:
        conn = Client(address, family=family, authkey=key)
    except (FileNotFoundError, ConnectionRefusedError):
        return None  # a crashed app left its files behind
    except Exception as e:  # AuthenticationError, EOFError, ...
        raise ControlError(_("cannot talk to the running app: {error}").format(
            error=f"{type(e).__name__}: {e}")) from None
    with conn:
        try:
            conn.send(message)
            if not conn.poll(REPLY_TIMEOUT):
                raise ControlError(_("the running app did not answer within {seconds:.0f} s")
                                   .format(seconds=REPLY_TIMEOUT))
            return conn.recv()
        except (EOFError, OSError):
            raise ControlError(_("the running app closed the connection without answering; it "
                                 "may have stopped: check with `{prog} status`").format(
                prog=APP_ID)) from None
