"""The local channel between the CLI and the windows (clients) and the
running app (server).

The wire is multiprocessing.connection's (see control_wire): frames with a
4-byte length, an HMAC challenge both ways on connect, and pickled dicts,
so that an app and a CLI of different versions understand each other (after
an upgrade the app still running is the old one). The socket and its key
live in a 0700 folder of the user's own (see control_folder), and the key
file is 0600, so only the same user can talk to the app. One channel per
data directory, matching the instance lock.

A request is one connection: one message, one reply. A window that shows
the app's state sends `watch` instead and keeps the connection: the reply
is the status, and every later change comes down the same connection when
the app publishes it, until the app closes it on quitting. The window never
asks again, so an open window costs the app no wake-up of its own.

No client can hold up another, or the app: one thread reads every
connection as its bytes arrive (a selector, which sleeps while nothing is
in flight), frames are at most MAX_REQUEST bytes, a connection must have
authenticated and sent its whole request within CONNECTION_TIME, and only
plain data is unpickled. A request that is not a command gets a one-line
answer saying so. Clients keep their own
time limit (control_client.CLIENT_TIME), connecting included; the clients'
end is in control_client.py.
"""
from __future__ import annotations

import errno
import os
import secrets
import selectors
import socket
import struct
import threading
import time
import traceback
from multiprocessing.connection import (
    Listener, answer_challenge, deliver_challenge,
)
from pathlib import Path
from typing import Any, Callable

from posture_assistant import APP_ID
from posture_assistant.core.events import Command
from posture_assistant.i18n import _
from posture_assistant.storage import control_wire as wire
from posture_assistant.storage.control_folder import ControlError, channel

__all__ = ["ControlError", "Server"]

# From accepting a connection to having its whole request: what a client
# that stalls, trickles or vanishes costs at most (it costs no thread).
CONNECTION_TIME = 3.0
MAX_REQUEST = 64 * 1024  # a request is a few dozen bytes
MAX_CONNECTING = 512  # at most this many at once; past it the oldest goes
MAX_ANSWERING = 16  # requests waiting for the app's loop at once; past it: busy
MAX_WATCHERS = 32  # open windows are one or two; past it the oldest is let go
BACKLOG = 256


# ---- the server --------------------------------------------------------------------------


class Server:
    """Accepts requests and hands each to `handle`, in a thread of its own.

    `handle` must return the reply dict; the app makes it post to its own
    queue and wait, so all state stays in the loop. A `watch` request is
    answered the same way, and its connection then stays open for
    `publish()`.
    """

    def __init__(self, data_dir: Path, handle: Callable[[dict], dict]) -> None:
        self._handle = handle
        address, key_path, family = channel(data_dir)  # type: ignore[misc]
        self._key = secrets.token_bytes(32)
        tmp = key_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(self._key)
        os.replace(tmp, key_path)
        if family == "AF_UNIX" and os.path.lexists(address):
            # Left by a crashed instance; we hold the instance lock, so it is
            # not anybody's live socket.
            os.unlink(address)
        self._address, self._key_path = address, key_path
        # Requests being answered: close() lets their replies go out before
        # the process ends (the answer to `quit`, above all).
        self._answering = 0
        self._answered = threading.Condition()
        self._closing = False
        # The watchers, shared by the answering threads (which add them) and
        # the app's loop (which publishes): every send to a watcher happens
        # under this lock, so a watcher's messages arrive in the order made.
        self._lock = threading.Lock()
        self._watchers: list[_Peer] = []
        self._joining = 0  # watch requests on their way through `handle`
        self._published = 0  # how many messages publish() was given
        self._last: Any = None  # the latest of them
        self._closed = False
        if family == "AF_UNIX":
            self._transport: _Selector | _Threads = _Selector(self, address)
        else:  # pragma: no cover - Windows only
            self._transport = _Threads(self, address, family)

    # ---- called from the transport's thread: must never block it ----------

    def _dispatch(self, peer: _Peer, data: bytes) -> None:
        try:
            request = wire.command_of(data)
        except ValueError:
            peer.refuse(_("bad request: this is not a command of {prog}").format(prog=APP_ID))
            return
        with self._answered:
            busy = self._answering >= MAX_ANSWERING
            if not (busy or self._closing):
                self._answering += 1
        if self._closing:
            peer.close()
            return
        if busy:
            peer.refuse(_("the app is busy; try again"))
            return
        try:
            threading.Thread(target=self._answer, args=(peer, request), name="control-answer",
                             daemon=True).start()
        except RuntimeError:  # no thread to be had
            self._done_answering()
            peer.refuse(_("the app is busy; try again"))

    # ---- the answering threads ---------------------------------------------

    def _answer(self, peer: _Peer, request: dict) -> None:
        kept = False
        try:
            peer.settle()
            if request["cmd"] == Command.WATCH.value:
                kept = self._watch(peer, request)
            else:
                peer.send_bytes(wire.dumps(self._handle(request)))
        except OSError:
            pass  # the client went away, or stopped reading
        except Exception:
            # A bug in answering: said in the app's log, and to the client
            # in one line; the channel carries on.
            traceback.print_exc()
            peer.refuse(_("internal error while answering; see the app's output"))
        finally:
            if not kept:
                peer.close()
            self._done_answering()

    def _done_answering(self) -> None:
        with self._answered:
            self._answering -= 1
            self._answered.notify_all()

    def _watch(self, peer: _Peer, request: dict) -> bool:
        # Counted as watching from now on, so the app publishes what changes
        # while its reply is on the way; that reply is made in the app's loop,
        # and a change on a later wake-up may be published before we get here.
        with self._lock:
            self._joining += 1
            published = self._published
        try:
            reply = self._handle(request)
        finally:
            with self._lock:
                self._joining -= 1
        with self._lock:
            peer.never_block()  # from here on, as the lock is held
            peer.send_bytes(wire.dumps(reply))
            if not reply.get("ok") or self._closed:
                return False
            if self._published != published and self._last != reply:
                # The app publishes every change while anybody watches, so
                # the latest message is its latest word, maybe newer than
                # the reply (and not sent twice when it says the same).
                peer.send_bytes(wire.dumps(self._last))
            if len(self._watchers) >= MAX_WATCHERS:
                self._watchers.pop(0).close()  # its window reads the end, and closes
            self._watchers.append(peer)
        return True

    # ---- called from the app's loop ----------------------------------------

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
        data = wire.dumps(message)
        with self._lock:
            self._published += 1
            self._last = message
            for peer in list(self._watchers):
                try:
                    peer.send_bytes(data)
                except OSError:  # EPIPE, or EAGAIN from a full socket
                    self._watchers.remove(peer)
                    peer.close()

    def close(self, wait: float = 2.0) -> None:
        """Stop listening, once the requests being answered (if any) have
        had their replies sent, or after `wait` seconds. Watchers are
        closed: they read the end of the stream and know the app is gone."""
        with self._answered:
            self._closing = True
            self._answered.wait_for(lambda: self._answering == 0, timeout=wait)
        for path in (self._address, self._key_path):
            try:
                os.unlink(path)
            except OSError:
                pass
        self._transport.close()
        with self._lock:
            self._closed = True
            for peer in self._watchers:
                peer.close()
            self._watchers.clear()


class _Peer:
    """The app's end of one authenticated connection."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def settle(self) -> None:
        """For an answering thread: it may wait, though not for ever, for a
        client that reads slowly."""
        self._sock.settimeout(CONNECTION_TIME)

    def never_block(self) -> None:
        """A send to a watcher fails at once, rather than waits, when the
        window stopped reading and its socket buffer filled up: the sender
        holds the lock the app's loop publishes under, and the loop must
        never hang on a window."""
        self._sock.setblocking(False)

    def send_bytes(self, data: bytes) -> None:
        self._sock.sendall(wire.frame(data))

    def refuse(self, message: str) -> None:
        """A one-line answer, then the end. Never waits: the transport's
        thread calls it, and a few hundred bytes fit any socket buffer."""
        try:
            self._sock.setblocking(False)
            self._sock.send(wire.frame(wire.dumps({"ok": False, "message": message})))
        except OSError:
            pass
        self.close()

    def close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass


class _Connecting:
    """A connection on its way: the challenges, then the request."""

    __slots__ = ("sock", "deadline", "challenge", "step", "buffer")

    def __init__(self, sock: socket.socket, deadline: float, challenge: bytes) -> None:
        self.sock, self.deadline, self.challenge = sock, deadline, challenge
        self.step = 0  # 0 their response, 1 their challenge, 2 their welcome, 3 the request
        self.buffer = bytearray()


_LISTENER, _WAKE = "listener", "wake"  # not for users


class _Selector:
    """One thread reads every connection until it has sent its request;
    it waits for nothing but the next byte, and wakes for no timer while
    no connection is on its way."""

    def __init__(self, server: Server, address: str) -> None:
        self._server = server
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._listener.bind(address)
            self._listener.listen(BACKLOG)
            self._listener.setblocking(False)
        except BaseException:
            self._listener.close()
            raise
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ, _LISTENER)
        self._selector.register(self._wake_r, selectors.EVENT_READ, _WAKE)
        # Oldest first, so also soonest deadline first.
        self._connecting: dict[_Connecting, None] = {}
        self._paused_until: float | None = None  # out of file descriptors
        self._stop = False
        self._thread = threading.Thread(target=self._serve, name="control", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop = True
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        if threading.current_thread() is not self._thread:
            self._thread.join(2.0)

    def _serve(self) -> None:
        try:
            while not self._stop:
                try:
                    self._turn()
                except Exception:
                    # Whatever it was, it must not end the channel: start
                    # afresh with the connections on their way dropped.
                    for c in list(self._connecting):
                        self._drop(c)
                    time.sleep(0.1)  # not spinning, should it recur
        finally:
            for c in list(self._connecting):
                self._drop(c)
            for sock in (self._listener, self._wake_r, self._wake_w):
                sock.close()
            self._selector.close()

    def _turn(self) -> None:
        events = self._selector.select(self._timeout())
        for key, _mask in events:
            if key.data is _LISTENER:
                self._accept()
            elif key.data is _WAKE:
                try:
                    self._wake_r.recv(64)
                except OSError:
                    pass
            elif key.data in self._connecting:
                self._read(key.data)
        now = time.monotonic()
        while self._connecting:
            oldest = next(iter(self._connecting))
            if oldest.deadline > now:
                break
            self._drop(oldest)
        if self._paused_until is not None and self._paused_until <= now:
            self._paused_until = None
            self._selector.register(self._listener, selectors.EVENT_READ, _LISTENER)

    def _timeout(self) -> float | None:
        """Until the next deadline; None (sleep until a byte comes) if none."""
        deadlines = [next(iter(self._connecting)).deadline] if self._connecting else []
        if self._paused_until is not None:
            deadlines.append(self._paused_until)
        return max(0.0, min(deadlines) - time.monotonic()) if deadlines else None

    def _accept(self) -> None:
        for _i in range(64):  # a burst at a time: the others get read too
            try:
                sock, _addr = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                if e.errno not in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    continue  # that client is gone already
                if self._connecting:  # make room: the oldest has had longest
                    self._drop(next(iter(self._connecting)))
                    continue
                # Out of descriptors with none of ours to free: listen
                # again in a second rather than spin on a full table.
                self._selector.unregister(self._listener)
                self._paused_until = time.monotonic() + 1.0
                return
            self._open(sock)

    def _open(self, sock: socket.socket) -> None:
        if len(self._connecting) >= MAX_CONNECTING:
            self._drop(next(iter(self._connecting)))
        challenge = b"{sha256}" + os.urandom(40)
        c = _Connecting(sock, time.monotonic() + CONNECTION_TIME, challenge)
        try:
            sock.setblocking(False)
            self._send(c, wire.CHALLENGE + challenge)
            self._selector.register(sock, selectors.EVENT_READ, c)
        except (OSError, ValueError):
            sock.close()
            return
        self._connecting[c] = None

    def _read(self, c: _Connecting) -> None:
        try:
            data = c.sock.recv(MAX_REQUEST + 4)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(c)
            return
        if not data:
            self._drop(c)
            return
        c.buffer += data
        try:
            while len(c.buffer) >= 4:
                (size,) = struct.unpack_from("!i", c.buffer)
                if not 0 <= size <= (MAX_REQUEST if c.step == 3 else wire.HANDSHAKE_MAX):
                    self._drop(c)  # before reading it, however long it says it is
                    return
                if len(c.buffer) < 4 + size:
                    return
                message = bytes(c.buffer[4:4 + size])
                del c.buffer[:4 + size]
                if not self._step(c, message):
                    return
        except OSError:
            self._drop(c)

    def _step(self, c: _Connecting, message: bytes) -> bool:
        """Take one frame; False once `c` is dropped or handed on."""
        key = self._server._key
        if c.step == 0:  # their answer to our challenge
            ok = wire.verify(key, c.challenge, message)
            self._send(c, wire.WELCOME if ok else wire.FAILURE)
            if not ok:
                self._drop(c)
                return False
        elif c.step == 1:  # their challenge to us
            response = wire.respond(key, message)
            if response is None:
                self._drop(c)
                return False
            self._send(c, response)
        elif c.step == 2:  # our answer was right
            if message != wire.WELCOME:
                self._drop(c)
                return False
        else:
            self._forget(c)
            self._server._dispatch(_Peer(c.sock), message)
            return False
        c.step += 1
        return True

    @staticmethod
    def _send(c: _Connecting, payload: bytes) -> None:
        """Handshake frames are tens of bytes, and the client reads each
        before it sends more: they always fit, or the client is gone."""
        data = wire.frame(payload)
        if c.sock.send(data) != len(data):
            raise BrokenPipeError(errno.EPIPE, "short write")  # not for users

    def _forget(self, c: _Connecting) -> None:
        self._connecting.pop(c, None)
        try:
            self._selector.unregister(c.sock)
        except (KeyError, ValueError):
            pass

    def _drop(self, c: _Connecting) -> None:
        self._forget(c)
        try:
            c.sock.close()
        except OSError:
            pass


class _Threads:  # pragma: no cover - Windows only (tested on Linux over AF_UNIX)
    """Named pipes (Windows), which a selector cannot wait on: a thread per
    connection, at most MAX_ANSWERING at once. multiprocessing gives pipes
    no time limit, so a client that stalls holds its thread until it goes."""

    def __init__(self, server: Server, address: str, family: str) -> None:
        self._server = server
        self._listener = Listener(address, family=family)  # no key: each thread checks it
        self._slots = threading.BoundedSemaphore(MAX_ANSWERING)
        self._stop = False
        threading.Thread(target=self._serve, name="control", daemon=True).start()

    def close(self) -> None:
        self._stop = True
        try:
            self._listener.close()
        except OSError:
            pass

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn = self._listener.accept()
            except Exception:
                if self._stop:
                    return
                time.sleep(0.1)  # not spinning, should it recur
                continue
            if not self._slots.acquire(blocking=False):
                conn.close()
                continue
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: Any) -> None:
        try:
            deliver_challenge(conn, self._server._key)
            answer_challenge(conn, self._server._key)
            data = conn.recv_bytes(MAX_REQUEST)
        except Exception:
            conn.close()
            return
        finally:
            self._slots.release()
        self._server._dispatch(_PipePeer(conn), data)


class _PipePeer(_Peer):  # pragma: no cover - Windows only
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def settle(self) -> None:
        pass

    def never_block(self) -> None:
        pass  # a pipe has no such switch: a window that stops reading can hold a send

    def send_bytes(self, data: bytes) -> None:
        self._conn.send_bytes(data)

    def refuse(self, message: str) -> None:
        try:
            self._conn.send_bytes(wire.dumps({"ok": False, "message": message}))
        except Exception:
            pass
        self.close()

    def close(self) -> None:
        self._conn.close()
