"""Wayland compositors other than GNOME's: the idle notification protocols
ext-idle-notify-v1 (Plasma 6, sway 1.8+, Hyprland, labwc, ...) and KDE's
older org_kde_kwin_idle (Plasma 5, sway 1.7), spoken over the compositor's
socket with the pure-Python wire format of `_wayland_wire`.

Wayland has no "seconds since the last input" request. Instead we ask the
compositor to tell us when the seat has been idle for TIMEOUT, and when
input comes again: one daemon thread blocks on the socket and notes those
moments, and `seconds()` answers from them without a round trip.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from typing import Callable, Mapping

from posture_assistant.adapters._util import first_line
from posture_assistant.adapters.idle._base import IdleSource, Unusable
from posture_assistant.adapters.idle._wayland_wire import (
    Message, ProtocolError, Wire, decode, encode,
)
from posture_assistant.i18n import _

# The granularity: seconds() says 0 until the compositor says the seat has
# been idle this long, and exact idle time from then on. The core only asks
# "idle for break_duration (3 min by default) yet?", and it wakes for that at
# the last input it saw plus break_duration, so at worst it notices an
# absence TIMEOUT late: 10 s of 3 min. Shorter would only add an idle and a
# resumed event (and a wake of our thread) for every pause in typing.
TIMEOUT = 10.0
# open() runs at start-up: a compositor that does not answer must not hang it.
ANSWER_WITHIN = 5.0

EXT = "ext_idle_notifier_v1"
KDE = "org_kde_kwin_idle"

DISPLAY = 1  # wl_display, the one object that exists from the start
# Our object ids, in the order we create them; never reused, so the
# compositor's delete_id for a finished wl_callback needs no bookkeeping.
REGISTRY, FIRST_SYNC, SEAT, NOTIFIER, NOTIFICATION, SECOND_SYNC = range(2, 8)


class WaylandIdle(IdleSource):
    name = "Wayland"  # not for users; the protocol in use is added when known

    def __init__(self, sock: socket.socket, *, timeout: float = TIMEOUT,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._wire = Wire(sock)
        self._timeout = timeout
        self._clock = clock
        self._idle_since: float | None = None
        self._lost: str | None = None
        self._globals: dict[str, tuple[int, int]] = {}  # interface: (name, version)
        self._bound: set[int] = set()  # registry names of the seat and the notifier
        self._synced: set[int] = set()
        sock.settimeout(ANSWER_WITHIN)
        try:
            self._start()
        except BaseException:
            sock.close()
            raise
        sock.settimeout(None)
        threading.Thread(target=self._listen, name="wayland-idle", daemon=True).start()

    def _start(self) -> None:
        self._wire.send(encode(DISPLAY, 1, "n", REGISTRY),  # wl_display.get_registry
                        encode(DISPLAY, 0, "n", FIRST_SYNC))  # wl_display.sync
        self._round_trip(FIRST_SYNC)
        protocol = EXT if EXT in self._globals else KDE if KDE in self._globals else None
        if protocol is None:
            raise Unusable(_("the Wayland compositor offers no idle protocol "
                             "(neither ext-idle-notify-v1 nor org_kde_kwin_idle)"))
        if "wl_seat" not in self._globals:
            raise Unusable(_("the Wayland compositor has no seat (wl_seat)"))
        # The first seat is the one at the keyboard: multi-seat compositors are rare.
        seat, notifier = self._globals["wl_seat"][0], self._globals[protocol][0]
        self._bound = {seat, notifier}
        ms = round(self._timeout * 1000)
        if protocol == EXT:
            # Like X11's counter, this one stays at zero while a client (a
            # video player) inhibits idleness: someone watching is still there.
            watch = encode(NOTIFIER, 1, "nuo", NOTIFICATION, ms, SEAT)  # get_idle_notification
        else:
            watch = encode(NOTIFIER, 0, "nou", NOTIFICATION, SEAT, ms)  # get_idle_timeout
        self.name = f"Wayland ({protocol})"
        self._wire.send(encode(REGISTRY, 0, "usun", seat, "wl_seat", 1, SEAT),  # bind
                        encode(REGISTRY, 0, "usun", notifier, protocol, 1, NOTIFIER),
                        watch, encode(DISPLAY, 0, "n", SECOND_SYNC))
        self._round_trip(SECOND_SYNC)  # so that a refusal shows here, not later

    def _round_trip(self, callback: int) -> None:
        try:
            while callback not in self._synced:
                for message in self._wire.read():
                    self._handle(message)
                if self._lost:
                    raise Unusable(self._lost)
        except TimeoutError:
            raise Unusable(_("the Wayland compositor did not answer within {seconds:g} s")
                           .format(seconds=ANSWER_WITHIN)) from None
        except EOFError:
            raise Unusable(_("the Wayland compositor closed the connection")) from None
        except (OSError, ProtocolError) as e:
            raise Unusable(_("cannot talk to the Wayland compositor ({error})")
                           .format(error=first_line(e))) from None

    def _listen(self) -> None:
        try:
            while not self._lost:
                for message in self._wire.read():
                    self._handle(message)
        except EOFError:
            self._lose(_("the Wayland compositor closed the connection"))
        except (OSError, ProtocolError) as e:
            self._lose(_("cannot talk to the Wayland compositor ({error})")
                       .format(error=first_line(e)))
        finally:
            self._wire.sock.close()

    def _handle(self, message: Message) -> None:
        at = (message.object, message.opcode)
        if at == (NOTIFICATION, 0):  # idled / idle: the timeout began at the last input
            self._idle_since = self._clock() - self._timeout
        elif at == (NOTIFICATION, 1):  # resumed
            self._idle_since = None
        elif at == (DISPLAY, 0):  # wl_display.error, always the last word
            _object, _code, text = decode("ous", message.payload)
            self._lose(_("the Wayland compositor reported an error: {message}")
                       .format(message=text))
        elif at == (REGISTRY, 0):  # wl_registry.global
            name, interface, version = decode("usu", message.payload)
            self._globals.setdefault(str(interface), (int(name), int(version)))
        elif at == (REGISTRY, 1):  # wl_registry.global_remove
            if decode("u", message.payload)[0] in self._bound:
                self._lose(_("the Wayland seat or idle protocol went away"))
        elif message.object in (FIRST_SYNC, SECOND_SYNC):  # wl_callback.done
            self._synced.add(message.object)
        # Anything else (wl_display.delete_id, wl_seat's capabilities) says
        # nothing about idleness.

    def _lose(self, reason: str) -> None:
        if not self._lost:  # the first reason is the real one; hang-up follows an error
            self._lost = reason

    def seconds(self) -> float:
        if self._lost:
            raise ConnectionError(self._lost)
        since = self._idle_since
        return 0.0 if since is None else max(0.0, self._clock() - since)

    def close(self) -> None:
        """Ends the listening thread (it sees a hang-up)."""
        self._lose("closed")  # not for users
        try:
            self._wire.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def connect(env: Mapping[str, str]) -> socket.socket:
    """The compositor's socket, found the way libwayland finds it."""
    inherited = env.get("WAYLAND_SOCKET")
    if inherited and inherited.isdigit():
        # A connection the compositor handed to us at launch; one client may
        # use it. os.environ's copy goes, as libwayland removes it, so that
        # nothing else tries it too.
        os.environ.pop("WAYLAND_SOCKET", None)
        try:
            sock = socket.socket(fileno=int(inherited))
            sock.set_inheritable(False)
            return sock
        except OSError as e:
            raise Unusable(_("WAYLAND_SOCKET is not a usable socket ({error})")
                           .format(error=e.strerror or e)) from None
    name = env.get("WAYLAND_DISPLAY")
    if not name:
        raise Unusable(_("not a Wayland session (no WAYLAND_DISPLAY)"))
    if os.path.isabs(name):
        path = name
    elif env.get("XDG_RUNTIME_DIR"):
        path = os.path.join(env["XDG_RUNTIME_DIR"], name)
    else:
        raise Unusable(_("cannot find the Wayland socket: XDG_RUNTIME_DIR is not set"))
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    try:
        sock.connect(path)
    except OSError as e:
        sock.close()
        raise Unusable(_("cannot connect to the Wayland compositor at {path} ({error})")
                       .format(path=path, error=e.strerror or e)) from None
    return sock


def open(*, timeout: float = TIMEOUT, clock: Callable[[], float] = time.monotonic,
         env: Mapping[str, str] | None = None) -> WaylandIdle:
    return WaylandIdle(connect(os.environ if env is None else env), timeout=timeout, clock=clock)
