"""The Wayland idle backend against a fake compositor on a real Unix socket.

The fake replays protocol bytes and checks, byte for byte, what our client
sends. Two sources:
- org_kde_kwin_idle: tests/wayland_recording.py, recorded from a real sway
  1.7 by tests/wayland_record.py (the globals, idle, resumed, an error);
- ext-idle-notify-v1: no compositor here speaks it (Debian 12's sway 1.7
  predates it), so those bytes are built below by the wire rules and the
  protocol's XML (ext-idle-notify-v1.xml: get_idle_notification is request
  1 of ext_idle_notifier_v1; idled and resumed are events 0 and 1).
tests/e2e/test_wayland_idle_e2e.py runs the backend against sway itself.
"""
from __future__ import annotations

import os
import socket
import struct
import sys
import threading

import pytest

from posture_assistant.adapters.idle import _candidates, _wayland, open_source
from posture_assistant.adapters.idle._base import Unavailable, Unusable
from tests import wayland_recording as sway
from tests.desktop import wait_for

pytestmark = pytest.mark.skipif(sys.byteorder != "little",
                                reason="the bytes were recorded on a little-endian machine")


def msg(obj: int, opcode: int, *args: int | str) -> bytes:
    """One message by the wire rules, written apart from the module's own
    encoder so that a mistake there shows."""
    body = b""
    for a in args:
        if isinstance(a, str):
            s = a.encode() + b"\0"
            body += struct.pack("<I", len(s)) + s + b"\0" * (-len(s) % 4)
        else:
            body += struct.pack("<I", a)
    return struct.pack("<II", obj, (8 + len(body)) << 16 | opcode) + body


def test_the_builder_matches_the_recorded_bytes():
    assert sway.HANDSHAKE[0][1] == msg(1, 1, 2) + msg(1, 0, 3)  # get_registry(2), sync(3)


def registry(*globals_: tuple[int, str, int]) -> bytes:
    """A compositor's answer to get_registry + sync(3): its globals, done."""
    return (b"".join(msg(2, 0, *g) for g in globals_) + msg(3, 0, 1) + msg(1, 1, 3))


EXT_HANDSHAKE = [
    ("client", msg(1, 1, 2) + msg(1, 0, 3)),
    # As sway 1.8 does, both protocols: the newer one wins.
    ("compositor", registry((1, "wl_compositor", 6), (2, "org_kde_kwin_idle", 1),
                            (3, "wl_seat", 9), (4, "ext_idle_notifier_v1", 1))),
    ("client", msg(2, 0, 3, "wl_seat", 1, 4) + msg(2, 0, 4, "ext_idle_notifier_v1", 1, 5)
     + msg(5, 1, 6, 10_000, 4) + msg(1, 0, 7)),
    ("compositor", msg(4, 0, 3) + msg(7, 0, 2) + msg(1, 1, 7)),  # capabilities, done
]
EXT_IDLED, EXT_RESUMED = msg(6, 0), msg(6, 1)


class Fake:
    """The compositor's end of one connection: plays `script` in a thread."""

    def __init__(self, script: list[tuple[str, bytes]], listener: socket.socket | None = None,
                 sock: socket.socket | None = None) -> None:
        self.sock = sock
        self.mismatch: str | None = None
        self._thread = threading.Thread(target=self._play, args=(script, listener))
        self._thread.start()

    def _play(self, script, listener) -> None:
        if listener is not None:
            self.sock, _ = listener.accept()
        for who, data in script:
            if who == "compositor":
                self.sock.sendall(data)
                continue
            got = b""
            while len(got) < len(data):
                chunk = self.sock.recv(len(data) - len(got))
                if not chunk:
                    break
                got += chunk
            if got != data:
                self.mismatch = f"expected {data.hex()}, got {got.hex()}"
                self.sock.close()
                return

    def played(self) -> None:
        self._thread.join(10)
        assert self.mismatch is None

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)


def stopped(source) -> bool:
    """Whether the source says it stopped working, as app/sensors.py sees it."""
    try:
        source.seconds()
        return False
    except ConnectionError:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def compositor(tmp_path):
    """Serves one connection on a real socket in a runtime dir of its own;
    returns the fake and the environment that leads our client to it."""
    listeners = []

    def serve(script: list[tuple[str, bytes]]) -> tuple[Fake, dict[str, str]]:
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(str(tmp_path / "wayland-7"))
        listener.listen(1)
        listeners.append(listener)
        return Fake(script, listener), {"WAYLAND_DISPLAY": "wayland-7",
                                        "XDG_RUNTIME_DIR": str(tmp_path)}

    yield serve
    for listener in listeners:
        listener.close()


def test_kde_idle_as_sway_17_says_it(compositor):
    fake, env = compositor(sway.HANDSHAKE)
    clock = Clock()
    source = _wayland.open(timeout=sway.TIMEOUT, clock=clock, env=env)
    fake.played()
    assert source.name == "Wayland (org_kde_kwin_idle)"
    assert source.seconds() == 0.0  # nothing said yet: active
    for _who, data in sway.IDLE:
        fake.send(data)
    # Idle since the timeout before the event came: 1 s at once, then the clock's.
    wait_for(lambda: source.seconds() == 1.0, 5, what="the idle event")
    clock.now += 30
    assert source.seconds() == 31.0
    for _who, data in sway.RESUMED:  # with sway's capabilities events around it
        fake.send(data)
    wait_for(lambda: source.seconds() == 0.0, 5, what="the resumed event")
    clock.now += 500
    assert source.seconds() == 0.0
    source.close()


def test_ext_idle_notify_is_preferred_and_read(compositor):
    fake, env = compositor(EXT_HANDSHAKE)
    clock = Clock()
    source = _wayland.open(clock=clock, env=env)  # the default 10 s timeout is in the bytes
    fake.played()
    assert source.name == "Wayland (ext_idle_notifier_v1)"
    clock.now = 2000.0
    fake.send(EXT_IDLED)
    wait_for(lambda: source.seconds() == 10.0, 5, what="the idled event")
    clock.now = 2125.5
    assert source.seconds() == 135.5
    fake.send(EXT_RESUMED + EXT_IDLED[:4])  # half a message waits for the rest
    wait_for(lambda: source.seconds() == 0.0, 5, what="the resumed event")
    clock.now = 3000.0
    fake.send(EXT_IDLED[4:])
    wait_for(lambda: source.seconds() == 10.0, 5, what="the second idled event")
    source.close()


def test_a_compositor_without_either_protocol_is_named(compositor):
    fake, env = compositor([("client", msg(1, 1, 2) + msg(1, 0, 3)),
                            ("compositor", registry((1, "wl_compositor", 6), (2, "wl_seat", 9)))])
    with pytest.raises(Unusable) as e:
        _wayland.open(env=env)
    fake.played()
    assert str(e.value) == ("the Wayland compositor offers no idle protocol "
                            "(neither ext-idle-notify-v1 nor org_kde_kwin_idle)")


def test_a_compositor_without_a_seat_is_named(compositor):
    fake, env = compositor([("client", msg(1, 1, 2) + msg(1, 0, 3)),
                            ("compositor", registry((1, "ext_idle_notifier_v1", 1)))])
    with pytest.raises(Unusable, match=r"no seat \(wl_seat\)"):
        _wayland.open(env=env)
    fake.played()


def test_a_refusal_during_start_up_is_the_reason(compositor):
    # sway's recorded error in place of its answer to our second sync
    fake, env = compositor([*sway.HANDSHAKE[:3], ("compositor", sway.ERROR)])
    with pytest.raises(Unusable) as e:
        _wayland.open(timeout=sway.TIMEOUT, env=env)
    fake.played()
    assert str(e.value) == ("the Wayland compositor reported an error: "
                            "invalid global wl_seat (9999)")


def test_an_error_later_makes_the_source_stop(compositor):
    fake, env = compositor(sway.HANDSHAKE)
    source = _wayland.open(timeout=sway.TIMEOUT, env=env)
    fake.played()
    fake.send(sway.ERROR)
    fake.sock.close()  # as a compositor does after an error: the error stays the reason
    wait_for(lambda: stopped(source), 5, what="the error to be read")
    with pytest.raises(ConnectionError, match=r"reported an error: invalid global"):
        source.seconds()


def test_a_hang_up_while_idle_is_not_activity_and_not_idleness(compositor):
    """The compositor went away: say the source stopped, once, and let the
    app run on without it (app/sensors.py's null object)."""
    from posture_assistant.app.sensors import Sensors

    fake, env = compositor(sway.HANDSHAKE)
    clock = Clock()
    source = _wayland.open(timeout=sway.TIMEOUT, clock=clock, env=env)
    fake.played()
    fake.send(sway.IDLE[0][1])
    wait_for(lambda: source.seconds() > 0, 5, what="the idle event")
    fake.sock.close()
    wait_for(lambda: stopped(source), 5, what="the hang-up to be seen")
    logged: list[str] = []
    sensors = Sensors(working_hours=None, idle=source, fullscreen=Unavailable("none"),
                      log=logged.append)
    assert sensors.first(0.0, core=None) == []
    assert sensors.sample(1.0, core=None) == []
    assert logged == ["activity detection unavailable: Wayland (org_kde_kwin_idle) stopped "
                      "working (the Wayland compositor closed the connection)"]
    assert not sensors.idle.available


def test_bytes_that_are_not_wayland_stop_the_source(compositor):
    fake, env = compositor(EXT_HANDSHAKE)
    source = _wayland.open(env=env)
    fake.played()
    fake.send(struct.pack("<II", 6, 4 << 16))  # a message shorter than its header
    wait_for(lambda: stopped(source), 5, what="the bad message to be read")
    with pytest.raises(ConnectionError, match="cannot talk to the Wayland compositor"):
        source.seconds()


def test_a_silent_compositor_does_not_hang_start_up(compositor, monkeypatch):
    monkeypatch.setattr(_wayland, "ANSWER_WITHIN", 0.2)
    fake, env = compositor([("client", msg(1, 1, 2) + msg(1, 0, 3))])
    with pytest.raises(Unusable, match="did not answer within 0.2 s"):
        _wayland.open(env=env)
    fake.played()


def test_a_socket_handed_over_in_wayland_socket(monkeypatch):
    ours, theirs = socket.socketpair()
    monkeypatch.setenv("WAYLAND_SOCKET", str(ours.detach()))
    fake = Fake(EXT_HANDSHAKE, sock=theirs)
    source = _wayland.open(env=dict(os.environ), clock=Clock())
    fake.played()
    assert "WAYLAND_SOCKET" not in os.environ  # one client only, as libwayland does
    fake.send(EXT_IDLED)
    wait_for(lambda: source.seconds() == 10.0, 5, what="the idled event")
    source.close()
    theirs.close()


@pytest.mark.parametrize("env, reason", [
    ({}, "not a Wayland session (no WAYLAND_DISPLAY)"),
    ({"WAYLAND_DISPLAY": "wayland-0"},
     "cannot find the Wayland socket: XDG_RUNTIME_DIR is not set"),
    ({"WAYLAND_DISPLAY": "/nonexistent/wayland-0"},
     "cannot connect to the Wayland compositor at /nonexistent/wayland-0 "
     "(No such file or directory)"),
    ({"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": "/nonexistent"},
     "cannot connect to the Wayland compositor at /nonexistent/wayland-9 "
     "(No such file or directory)"),
])
def test_why_no_compositor_can_be_reached(env, reason):
    with pytest.raises(Unusable) as e:
        _wayland.open(env=env)
    assert str(e.value) == reason


def test_wayland_comes_first_on_a_wayland_session(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("DISPLAY", ":0")  # XWayland's
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "sway")
    assert _candidates() == ["_wayland", "_gnome", "_x11"]
    monkeypatch.delenv("WAYLAND_DISPLAY")
    assert _candidates() == ["_x11", "_gnome"]


def test_when_nothing_works_on_wayland_every_reason_is_told(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("WAYLAND_DISPLAY", str(tmp_path / "wayland-0"))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/none")
    found = open_source()
    assert isinstance(found, Unavailable)
    wayland, gnome, x11 = found.reason.split("; ")
    assert wayland.startswith("cannot connect to the Wayland compositor at ")
    assert "GNOME" in gnome and "no X display" in x11
