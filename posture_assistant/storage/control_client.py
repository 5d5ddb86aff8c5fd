"""The clients' end of the control channel (see control.py for the
channel): the CLI's one-shot `request`, and a window's `watch`.

Every step keeps to CLIENT_TIME, connecting included, so a command gives up
in one line however the app (or whatever holds its socket) behaves.
"""
from __future__ import annotations

import socket
import struct
import time
from multiprocessing.connection import (
    AuthenticationError, Client, answer_challenge, deliver_challenge,
)
from pathlib import Path
from typing import Any

from posture_assistant.core.events import Command
from posture_assistant.i18n import _, clip
from posture_assistant.storage import control_wire as wire
from posture_assistant.storage.control_folder import ControlError, channel

# A client's whole conversation: connecting, the challenge, the request
# and the app's answer (which waits for the app's loop, up to app/loop.py's
# REPLY_WAIT, below this).
CLIENT_TIME = 5.0
MAX_REPLY = 1024 * 1024  # the status is a few kilobytes


class AppStopped(ControlError):
    """The connection ended before the app answered: it died, or quit
    meanwhile. `sent_at` is the wall-clock time the request went out (None
    if it never did): whatever the command would have recorded is at or
    after it in the database, if it was done at all."""

    def __init__(self, sent_at: float | None) -> None:
        super().__init__(_("the app stopped while answering"))
        self.sent_at = sent_at


# ---- the clients ---------------------------------------------------------------------------


class _Line:
    """The client's end: multiprocessing's framing over a socket, every step
    within the deadline (monotonic; None: no limit)."""

    def __init__(self, sock: socket.socket, deadline: float | None) -> None:
        self._sock, self.deadline = sock, deadline

    def _limit(self) -> None:
        if self.deadline is None:
            self._sock.settimeout(None)
            return
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self._sock.settimeout(left)

    def send_bytes(self, data: bytes) -> None:
        self._limit()
        self._sock.sendall(wire.frame(data))

    def recv_bytes(self, maxlength: int | None = None) -> bytes:
        (size,) = struct.unpack("!i", self._read(4))
        if size == -1:
            (size,) = struct.unpack("!Q", self._read(8))
        if size < 0 or (maxlength is not None and size > maxlength):
            raise ValueError("bad message length")  # not for users
        return self._read(size)

    def _read(self, n: int) -> bytes:
        data = bytearray()
        while len(data) < n:
            self._limit()
            chunk = self._sock.recv(min(n - len(data), 1 << 16))
            if not chunk:
                raise EOFError
            data += chunk
        return bytes(data)

    def poll(self, timeout: float | None = None) -> bool:
        import select

        return bool(select.select([self._sock], [], [], timeout)[0])

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> "_Line":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def request(data_dir: Path, message: dict[str, Any]) -> dict | None:
    """Send one request to the running app; None if no app is running.
    ControlError if it does not answer within CLIENT_TIME; AppStopped if
    the connection ends first."""
    deadline = time.monotonic() + CLIENT_TIME
    conn = _connect(data_dir, deadline)
    if conn is None:
        return None
    with conn:
        return _exchange(conn, message, data_dir)


def running(data_dir: Path) -> bool:
    """Whether an app answers on the channel (or at least accepts)."""
    try:
        conn = _connect(data_dir, time.monotonic() + 2.0)
    except AppStopped:
        return False
    except ControlError:
        return True  # there, though not answering
    if conn is None:
        return False
    conn.close()
    return True


class Watch:
    """A window's line to the app: `first` is the app's reply to `watch`
    (with the status), `next()` waits for each later message."""

    def __init__(self, conn: Any, first: dict) -> None:
        self._conn, self.first = conn, first
        if isinstance(conn, _Line):
            conn.deadline = None

    def next(self, timeout: float | None = None) -> dict | None:
        """The next message the app publishes; None once the app has gone
        (it quit, or crashed) or the watch was closed. Waits for ever, or
        raises TimeoutError after `timeout` seconds."""
        try:
            if timeout is None or self._conn.poll(timeout):
                return wire.loads(self._conn.recv_bytes(MAX_REPLY))
        except (EOFError, OSError, ValueError):
            return None
        raise TimeoutError(f"nothing published in {timeout} s")  # not for users

    def close(self) -> None:
        self._conn.close()


def watch(data_dir: Path) -> Watch | None:
    """Start watching the running app; None if no app is running. When
    `first` is not ok (the app was busy), the app will not publish to it."""
    conn = _connect(data_dir, time.monotonic() + CLIENT_TIME)
    if conn is None:
        return None
    try:
        return Watch(conn, _exchange(conn, {"cmd": Command.WATCH.value}, data_dir))
    except BaseException:
        conn.close()
        raise


def _connect(data_dir: Path, deadline: float) -> Any:
    """A connection to the running app, past the challenges; None if no app
    is running."""
    names = channel(data_dir, create=False)
    if names is None:
        return None
    address, key_path, family = names
    try:
        key = key_path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ControlError(_("cannot read {path}: {error}").format(
            path=clip(str(key_path)), error=e.strerror)) from None
    if family != "AF_UNIX":  # pragma: no cover - Windows only
        try:
            return Client(address, family=family, authkey=key)
        except FileNotFoundError:
            return None
        except Exception as e:
            raise ControlError(_("cannot talk to the running app: {error}").format(
                error=clip(f"{type(e).__name__}: {e}"))) from None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    line = _Line(sock, deadline)
    try:
        _connect_within(sock, address, deadline)
        answer_challenge(line, key)
        deliver_challenge(line, key)
        return line
    except (FileNotFoundError, ConnectionRefusedError):
        line.close()
        return None  # a crashed app left its files behind
    except (TimeoutError, BlockingIOError):
        line.close()
        raise _no_answer(data_dir) from None
    except AuthenticationError:
        line.close()
        raise ControlError(_("the running app did not accept the key in {path}; restart "
                             "the app").format(path=clip(str(key_path)))) from None
    except (EOFError, OSError):
        line.close()
        raise AppStopped(None) from None
    except Exception as e:  # not our app at the other end
        line.close()
        raise ControlError(_("cannot talk to the running app: {error}").format(
            error=clip(f"{type(e).__name__}: {e}"))) from None


def _connect_within(sock: socket.socket, address: str, deadline: float) -> None:
    """connect(), waiting at most until `deadline` when the app's backlog
    is full. A socket with a Python timeout would fail at once (EAGAIN) on a
    full backlog; a blocking one with SO_SNDTIMEO waits that long (Linux)."""
    left = max(0.001, deadline - time.monotonic())
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO,
                        struct.pack("ll", int(left), int(left % 1 * 1e6)))
    except OSError:
        pass
    sock.connect(address)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 0, 0))
    except OSError:
        pass


def _exchange(conn: Any, message: dict[str, Any], data_dir: Path) -> dict:
    sent_at = time.time()
    try:
        conn.send_bytes(wire.dumps(message))
    except TimeoutError:
        raise _no_answer(data_dir) from None
    except (EOFError, OSError):
        raise AppStopped(None) from None  # it never got there
    try:
        reply = wire.loads(conn.recv_bytes(MAX_REPLY))
    except TimeoutError:
        raise _no_answer(data_dir) from None
    except (EOFError, OSError):
        raise AppStopped(sent_at) from None
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        raise ControlError(_("the running app sent an answer this version cannot read; "
                             "restart the app")) from None
    return reply


def _no_answer(data_dir: Path) -> ControlError:
    from posture_assistant.storage.lock import InstanceLock

    pid = InstanceLock(data_dir).holder_pid()
    if pid:
        return ControlError(_("the app did not answer in {seconds:g} s; try again, and if it "
                              "stays silent, end process {pid} and start the app again").format(
            seconds=CLIENT_TIME, pid=pid))
    return ControlError(_("the app did not answer in {seconds:g} s; try again, and if it stays "
                          "silent, end it and start it again").format(seconds=CLIENT_TIME))
