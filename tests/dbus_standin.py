"""Stand-ins for desktop services that cannot run here (GNOME's idle
monitor, the desktop portal, a notification server with recorded answers),
served on a real D-Bus bus by the app's own `adapters._dbus`, on a
connection of their own: the client's calls, signals and replies all cross
a real dbus-daemon.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from posture_assistant.adapters import _dbus

# (signature, body) of a reply, or a DBusError to answer with.
Reply = tuple[str | None, tuple] | _dbus.DBusError
Method = Callable[..., Reply]


def connect(address: str) -> _dbus.Bus:
    from jeepney.io.threading import open_dbus_connection

    return _dbus.Bus(open_dbus_connection(address))


class StandIn:
    """Owns `name` on the bus at `address` and answers the calls to `path`:
    methods maps a member name to a function of the call's arguments."""

    def __init__(self, address: str, name: str, path: str, methods: dict[str, Method]):
        self.bus = connect(address)
        self.name, self.path, self.methods = name, path, methods
        self.calls: list[tuple[str, tuple]] = []
        self.called = threading.Condition()
        self.bus.export(path, self._handle)
        (result,) = self.bus.call(_dbus.BUS, _dbus.BUS_PATH, _dbus.BUS, "RequestName", "su",
                                  (name, 4))  # DO_NOT_QUEUE: 1 = we own it now
        assert result == 1, f"{name} is taken"

    def _handle(self, message) -> Any:
        from jeepney import HeaderFields

        member = message.header.fields.get(HeaderFields.member)
        with self.called:
            self.calls.append((member, message.body))
            self.called.notify_all()
        method = self.methods.get(member)
        if method is None:
            return _dbus.error(message, "org.freedesktop.DBus.Error.UnknownMethod", member)
        reply = method(*message.body)
        if isinstance(reply, _dbus.DBusError):
            return _dbus.error(message, reply.name, str(reply))
        return _dbus.answer(message, *reply)

    def wait_call(self, member: str, count: int = 1, timeout: float = 10) -> list[tuple]:
        """The bodies of the first `count` calls of `member`, once they came."""
        def bodies():
            return [body for name, body in self.calls if name == member]

        with self.called:
            if not self.called.wait_for(lambda: len(bodies()) >= count, timeout):
                raise TimeoutError(f"{member} was called {len(bodies())} times, not {count}")
            return bodies()

    def emit(self, interface: str, member: str, signature: str, body: tuple) -> None:
        self.bus.emit(self.path, interface, member, signature, body)

    def close(self) -> None:
        """Leave the bus: the name goes with the connection."""
        self.bus.close()


class NotificationServer(StandIn):
    """org.freedesktop.Notifications as the spec has it, with the
    capabilities asked for: ids count up, replaces_id keeps its id,
    CloseNotification says NotificationClosed(id, 3)."""

    NAME = "org.freedesktop.Notifications"
    PATH = "/org/freedesktop/Notifications"

    def __init__(self, address: str, caps: tuple[str, ...] = ("actions", "body")):
        self.caps = list(caps)
        self.shown: set[int] = set()
        self._next = 0
        super().__init__(address, self.NAME, self.PATH, {
            "GetCapabilities": lambda: ("as", (self.caps,)),
            "GetServerInformation": lambda: ("ssss", ("stand-in", "tests", "1", "1.2")),
            "Notify": self._notify,
            "CloseNotification": self._close,
        })

    def _notify(self, app, replaces, icon, summary, body, actions, hints, timeout) -> Reply:
        if replaces in self.shown:
            id = replaces
        else:
            self._next += 1
            id = self._next
        self.shown.add(id)
        return "u", (id,)

    def _close(self, id) -> Reply:
        if id in self.shown:
            self.closed(id, 3)
        return None, ()

    def closed(self, id: int, reason: int) -> None:
        """The notification goes: 1 expired, 2 dismissed by the user, 3 closed by a call."""
        self.shown.discard(id)
        self.emit(self.NAME, "NotificationClosed", "uu", (id, reason))

    def press(self, id: int, key: str) -> None:
        """The user pressed the action `key`."""
        self.emit(self.NAME, "ActionInvoked", "us", (id, key))

    def notifies(self, count: int = 1) -> list[dict]:
        names = ("app_name", "replaces_id", "app_icon", "summary", "body", "actions", "hints",
                 "expire_timeout")
        return [dict(zip(names, body)) for body in self.wait_call("Notify", count)]
