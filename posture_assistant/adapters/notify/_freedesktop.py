"""Linux and the BSDs: org.freedesktop.Notifications, on the app's one D-Bus
connection (`adapters._dbus`).

What plyer cannot do, this does: actions (buttons) where the server
advertises them, whose ActionInvoked signal comes back to the app as a
command; `replaces_id`, so a reminder takes the previous prompt's place
instead of stacking under it; and CloseNotification, so a prompt answered in
the tray, the panel or the terminal does not linger on screen.

Signals arrive on the bus thread: they only update our bookkeeping and hand
the key to `on_action`, never wait for a reply.
"""
from __future__ import annotations

import html
import threading
from typing import Callable

from posture_assistant import APP_NAME
from posture_assistant.adapters import _dbus
from posture_assistant.adapters.notify._base import Backend
from posture_assistant.files import asset_path

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = NAME


class FreedesktopNotifier(Backend):
    name = NAME

    def __init__(self, bus: _dbus.Bus, on_action: Callable[[str], None]) -> None:
        self._bus = bus
        self._on_action = on_action
        self._icon = str(asset_path("app.png"))
        self._lock = threading.Lock()
        self._caps: frozenset[str] | None = None  # asked once per server
        self._slots: dict[str, int] = {}  # slot -> the id on screen in it
        self._keys: dict[int, frozenset[str]] = {}  # id on screen -> its action keys
        bus.subscribe(self._invoked, interface=INTERFACE, member="ActionInvoked", path=PATH)
        bus.subscribe(self._closed, interface=INTERFACE, member="NotificationClosed", path=PATH)
        bus.watch_name(NAME, self._new_server)

    @property
    def broken(self) -> bool:
        return self._bus.closed

    def capabilities(self) -> frozenset[str]:
        caps = self._caps
        if caps is None:
            caps = frozenset(self._bus.call(NAME, PATH, INTERFACE, "GetCapabilities")[0])
            self._caps = caps
        return caps

    def show(self, title: str, body: str, timeout: int, slot: str | None,
             actions: tuple[tuple[str, str], ...]) -> None:
        caps = self.capabilities()
        if "actions" not in caps:
            actions = ()
        if "body-markup" in caps:
            body = html.escape(body, quote=False)
        with self._lock:
            replaces = self._slots.get(slot, 0) if slot else 0
        flat = [part for action in actions for part in action]
        (id,) = self._bus.call(NAME, PATH, INTERFACE, "Notify", "susssasa{sv}i", (
            APP_NAME, replaces, self._icon, title, body, flat, {}, timeout * 1000))
        with self._lock:
            self._keys.pop(replaces, None)
            if slot:
                self._slots[slot] = id
            if actions:
                self._keys[id] = frozenset(key for key, _label in actions)

    def withdraw(self, slot: str) -> None:
        with self._lock:
            id = self._slots.pop(slot, None)
            self._keys.pop(id, None)
        if id is not None:
            # No reply wanted: one that is already gone is just as good.
            self._bus.call_soon(NAME, PATH, INTERFACE, "CloseNotification", "u", (id,))

    # ---- on the bus thread -------------------------------------------------

    def _invoked(self, message) -> None:
        id, key = message.body if len(message.body) == 2 else (None, None)
        with self._lock:
            # Only a key we offered, on a notification still ours: a late
            # click on a prompt answered elsewhere does nothing.
            ours = key in self._keys.get(id, ())
        if ours:
            self._on_action(key)

    def _closed(self, message) -> None:
        id = message.body[0]
        with self._lock:
            self._keys.pop(id, None)
            for slot, shown in list(self._slots.items()):
                if shown == id:
                    del self._slots[slot]

    def _new_server(self, owner: str) -> None:
        # Another server (or none): it knows other capabilities, and none
        # of our ids.
        with self._lock:
            self._caps = None
            self._slots.clear()
            self._keys.clear()


def open(on_action: Callable[[str], None], bus: _dbus.Bus | None = None) -> FreedesktopNotifier:
    """On the app's shared connection, or on `bus`; Unusable without one."""
    return FreedesktopNotifier(bus or _dbus.session(), on_action)
