"""The local channel between the CLI and the windows (clients) and the
running app (server).

multiprocessing.connection gives framing and an HMAC challenge on connect.
The socket and its key live in a 0700 directory of the user's runtime dir,
and the key file is 0600, so only the same user can talk to the app. One
channel per data directory, matching the instance lock.

A request is one connection: one message, one reply. A window that shows
the app's state sends `watch` instead and keeps the connection: the reply
is the status, and every later change comes down the same connection when
the app publishes it, until the app closes it on quitting. The window never
asks again, so an open window costs the app no wake-up of its own.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import stat
import sys
import tempfile
import threading
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any, Callable

from posture_assistant import APP_ID
from posture_assistant.core.events import Command
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
    A `watch` request is answered the same way, and its connection then stays
    open for `publish()`.
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
        # The watchers, shared by the accept thread (which adds them) and the
        # app's loop (which publishes): every send to a watcher happens under
        # this lock, so a watcher's messages arrive in the order they were made.
        self._lock = threading.Lock()
        self._watchers: list[Connection] = []
        self._joining = 0  # watch requests on their way through `handle`
        self._published = 0  # how many messages publish() was given
        self._last: Any = None  # the latest of them
        self._closed = False
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
            kept = False
            try:
                if conn.poll(REPLY_TIMEOUT):
                    kept = self._answer(conn, conn.recv())
            except (EOFError, OSError):
                pass
            finally:
                if not kept:
                    conn.close()

    def _answer(self, conn: Connection, request: Any) -> bool:
        """Reply to one request; True if `conn` stays open as a watcher."""
        with self._answering:
            if not isinstance(request, dict):
                conn.send({"ok": False, "message": _("bad request")})
            elif request.get("cmd") == Command.WATCH.value:
                return self._watch(conn, request)
            else:
                conn.send(self._handle(request))
            return False

    def _watch(self, conn: Connection, request: dict) -> bool:
        # Counted as watching from now on, so the app publishes what changes
        # while its reply is on the way; that reply is made in the app's loop,
        # and a change on a later wake-up may be published before we get here.
        with self._lock:
            self._joining += 1
            published = self._published
        try:
            reply = self._handle(request)
        except BaseException:
            with self._lock:
                self._joining -= 1
            raise
        with self._lock:
            self._joining -= 1
            _never_block(conn)  # from here on, as the lock is held
            conn.send(reply)
            if not reply.get("ok") or self._closed:
                return False
            if self._published != published and self._last != reply:
                # The app publishes every change while anybody watches, so
                # the latest message is its latest word, maybe newer than
                # the reply (and not sent twice when it says the same).
                conn.send(self._last)
            self._watchers.append(conn)
        return True

    @property
    def watched(self) -> bool:
        """Whether anybody watches (or is about to): only then is there
        anything to publish."""
        with self._lock:
            return bool(self._watchers or self._joining)

    def publish(self, message: Any) -> None:
        """Send `message` to every watcher. One that has gone, or stopped
        reading until its socket is full, is dropped: the app never waits
        for a window. Called from the app's loop thread."""
        with self._lock:
            self._published += 1
            self._last = message
            for conn in list(self._watchers):
                try:
                    conn.send(message)
                except OSError:  # EPIPE, or EAGAIN from a full socket
                    self._watchers.remove(conn)
                    conn.close()

    def close(self, wait: float = 2.0) -> None:
        """Stop listening, once the request being answered (if any) has had
        its reply sent, or after `wait` seconds. Watchers are closed: they
        read the end of the stream and know the app is gone."""
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
        with self._lock:
            self._closed = True
            for conn in self._watchers:
                conn.close()
            self._watchers.clear()
        if answered:
            self._answering.release()


def _never_block(conn: Connection) -> None:
    """A send to a watcher fails at once, rather than waits, when the
    window stopped reading and its socket buffer filled up: the sender holds
    the lock the app's loop publishes under, and the loop must never hang on
    a window. A named pipe on Windows has no such switch: there a window
    that stopped reading for a pipe's worth of changes (minutes of them)
    would hold the loop up until it reads again or closes."""
    if sys.platform != "win32":
        os.set_blocking(conn.fileno(), False)


def request(data_dir: Path, message: dict[str, Any]) -> dict | None:
    """Send one request to the running app; None if no app is running."""
    conn = _connect(data_dir)
    if conn is None:
        return None
    with conn:
        return _exchange(conn, message)


class Watch:
    """A window's line to the app: `first` is the app's reply to `watch`
    (with the status), `next()` waits for each later message."""

    def __init__(self, conn: Connection, first: dict) -> None:
        self._conn, self.first = conn, first

    def next(self, timeout: float | None = None) -> dict | None:
        """The next message the app publishes; None once the app has gone
        (it quit, or crashed) or the watch was closed. Waits for ever, or
        raises TimeoutError after `timeout` seconds."""
        try:
            if timeout is None or self._conn.poll(timeout):
                return self._conn.recv()
        except (EOFError, OSError):
            return None
        raise TimeoutError(f"nothing published in {timeout} s")  # not for users

    def close(self) -> None:
        self._conn.close()


def watch(data_dir: Path) -> Watch | None:
    """Start watching the running app; None if no app is running. When
    `first` is not ok (the app was busy), the app will not publish to it."""
    conn = _connect(data_dir)
    if conn is None:
        return None
    try:
        return Watch(conn, _exchange(conn, {"cmd": Command.WATCH.value}))
    except BaseException:
        conn.close()
        raise


def _connect(data_dir: Path) -> Connection | None:
    """A connection to the running app; None if no app is running."""
    address, key_path, family = _names(data_dir)
    try:
        key = key_path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ControlError(_("cannot read {path}: {error}").format(
            path=key_path, error=e.strerror)) from None
    try:
        return Client(address, family=family, authkey=key)
    except (FileNotFoundError, ConnectionRefusedError):
        return None  # a crashed app left its files behind
    except Exception as e:  # AuthenticationError, EOFError, ...
        raise ControlError(_("cannot talk to the running app: {error}").format(
            error=f"{type(e).__name__}: {e}")) from None


def _exchange(conn: Connection, message: dict[str, Any]) -> dict:
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
