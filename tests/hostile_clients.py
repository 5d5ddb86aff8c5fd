"""Broken and hostile clients of the control socket, shared by the unit test
(tests/test_control.py) and the test against the real app
(tests/e2e/test_hostile_socket_e2e.py).

Each kind opens one connection and leaves it in its bad state; `Crowd`
keeps them all open until closed, the slow ones trickling a byte a second
from one thread of its own.
"""
from __future__ import annotations

import os
import pickle
import socket
import struct
import threading
from multiprocessing.connection import Connection, answer_challenge, deliver_challenge
from pathlib import Path


def frame(payload: bytes) -> bytes:
    return struct.pack("!i", len(payload)) + payload


def _plain(address: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Blocking, so a backlog the app has not drained yet (a loaded machine)
    # is waited for rather than failed at once, but not for ever.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 10, 0))
    sock.connect(address)
    sock.settimeout(10)
    return sock


def _authenticated(address: str, key: bytes) -> socket.socket:
    """Past the challenge both ways, as a real client of the app would be."""
    sock = _plain(address)
    sock.setblocking(True)  # multiprocessing's Connection reads the fd as it is,
    # so bound its reads the kernel's way: an app that never answers fails
    # the test rather than hangs it.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 5, 0))
    conn = Connection(os.dup(sock.fileno()))
    try:
        answer_challenge(conn, key)
        deliver_challenge(conn, key)
    finally:
        conn.close()
    sock.settimeout(10)
    return sock


# Where a pickle that runs code would leave its mark.
RAN = Path(f"/tmp/pa-hostile-pickle-ran-{os.getpid()}")


class _Boom:
    """Unpickling this would run a command: it must never be unpickled."""

    def __reduce__(self):
        return (os.system, (f"touch {RAN}",))


# A few bytes that make pickle's C unpickler allocate ~16 GiB (its memo
# grows to the index LONG_BINPUT names).
MEMO_BOMB = b"\x80\x02Nr\xff\xff\xff\x7f."

KINDS = {
    # before authentication
    "silent": lambda a, k: _plain(a),
    "garbage": lambda a, k: _send(_plain(a), os.urandom(997)),
    "oversized header": lambda a, k: _send(_plain(a), struct.pack("!i", 0x7FFFFFFF) + b"x"),
    "huge 64-bit header": lambda a, k: _send(_plain(a), struct.pack("!iQ", -1, 1 << 40)),
    "truncated frame": lambda a, k: _send(_plain(a), struct.pack("!i", 200) + b"0123456789"),
    "connect and close": lambda a, k: _plain(a).close(),
    "reset mid-frame": lambda a, k: _reset(_send(_plain(a), struct.pack("!i", 100) + b"abc")),
    "slow loris": lambda a, k: _plain(a),  # Crowd trickles into these
    # after authentication
    "authenticated, then silent": lambda a, k: _authenticated(a, k),
    "authenticated, oversized": lambda a, k: _send(_authenticated(a, k),
                                                   struct.pack("!i", 0x7FFFFFFF)),
    "authenticated, truncated": lambda a, k: _send(_authenticated(a, k),
                                                   struct.pack("!i", 50) + b"\x80\x04"),
    "authenticated, not a pickle": lambda a, k: _send(_authenticated(a, k), frame(b"{json?")),
    "authenticated, memo bomb": lambda a, k: _send(_authenticated(a, k), frame(MEMO_BOMB)),
    "authenticated, code in the pickle": lambda a, k: _send(
        _authenticated(a, k), frame(pickle.dumps({"cmd": "status", "args": {"x": _Boom()}}))),
    "authenticated, not a dict": lambda a, k: _send(_authenticated(a, k),
                                                    frame(pickle.dumps(["status"]))),
    "authenticated, wrong types": lambda a, k: _send(
        _authenticated(a, k), frame(pickle.dumps({"cmd": 5, "args": "seconds"}))),
    "authenticated, abandoned": lambda a, k: _send(
        _authenticated(a, k), frame(pickle.dumps({"cmd": "status", "args": {}}))),
    "wrong key": lambda a, k: _wrong_key(a),
}
SLOW = "slow loris"
# The kinds that get an answer from a sound app: one line saying the
# request was bad.
MALFORMED = ("authenticated, not a pickle", "authenticated, memo bomb",
             "authenticated, code in the pickle", "authenticated, not a dict",
             "authenticated, wrong types")


def _send(sock: socket.socket, data: bytes) -> socket.socket:
    sock.sendall(data)
    return sock


def _reset(sock: socket.socket) -> None:
    # SO_LINGER 0: close() sends a reset rather than an orderly end.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _wrong_key(address: str) -> socket.socket | None:
    try:
        return _authenticated(address, b"not the key" * 3)
    except Exception:
        return None


class Crowd:
    """`count` connections, the kinds taken in turn; all held until close()."""

    def __init__(self, address: str, key_path: Path, count: int, kinds=tuple(KINDS)) -> None:
        key = key_path.read_bytes()
        self.held: list[socket.socket] = []
        self.kinds: list[str] = []  # the kind of each of `held`
        self.slow: list[socket.socket] = []
        self.failures: list[str] = []  # the app refused us outright (it must not)
        for i in range(count):
            kind = kinds[i % len(kinds)]
            try:
                sock = KINDS[kind](address, key)
            except OSError as e:
                self.failures.append(f"{kind}: {e!r}")
                continue
            if sock is None:
                continue
            if kind == SLOW:
                self.slow.append(sock)
            else:
                self.held.append(sock)
                self.kinds.append(kind)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()

    def _trickle(self) -> None:
        # A valid-looking header, then a byte a second: never a whole frame.
        data = struct.pack("!i", 60) + b"x" * 60
        i = 0
        while not self._stop.wait(1.0):
            for sock in list(self.slow):
                try:
                    sock.send(data[i % len(data):i % len(data) + 1])
                except OSError:
                    self.slow.remove(sock)
            i += 1

    def reply(self, sock: socket.socket, timeout: float = 5) -> object:
        """The one frame the app answered on `sock` (for MALFORMED kinds)."""
        sock.settimeout(timeout)
        head = _read(sock, 4)
        (size,) = struct.unpack("!i", head)
        return pickle.loads(_read(sock, size))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for sock in self.held + self.slow:
            sock.close()


def _read(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("the app closed the connection")
        data += chunk
    return data
