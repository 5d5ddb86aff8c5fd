"""GNOME (Wayland or X11): Mutter's IdleMonitor, on the app's one D-Bus
connection (`adapters._dbus`)."""
from __future__ import annotations

from posture_assistant.adapters import _dbus
from posture_assistant.adapters._util import first_line
from posture_assistant.adapters.idle._base import IdleSource, Unusable
from posture_assistant.i18n import _

BUS_NAME = "org.gnome.Mutter.IdleMonitor"
PATH = "/org/gnome/Mutter/IdleMonitor/Core"
# Seconds. Asked on the app's loop thread at each wake-up: a shell that
# does not answer by then is hung, and the wake-up must go on.
TIMEOUT = 1.0


class GnomeIdle(IdleSource):
    name = "GNOME (Mutter IdleMonitor)"  # not for users

    def __init__(self) -> None:
        try:
            self._bus = _dbus.session()
            there = self._bus.has_owner(BUS_NAME)
        except Exception as e:  # no bus, or one that does not answer
            raise Unusable(_("cannot reach the GNOME idle monitor ({error})").format(
                error=first_line(e))) from None
        if not there:
            raise Unusable(_("no GNOME idle monitor on the session bus"))

    def seconds(self) -> float:
        (ms,) = self._bus.call(BUS_NAME, PATH, BUS_NAME, "GetIdletime", timeout=TIMEOUT)
        return ms / 1000.0


def open() -> GnomeIdle:
    return GnomeIdle()
