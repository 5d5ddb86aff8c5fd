"""GNOME (Wayland or X11): Mutter's IdleMonitor over the session D-Bus."""
from __future__ import annotations

from posture_assistant.adapters._util import first_line
from posture_assistant.adapters.idle._base import IdleSource, Unusable
from posture_assistant.i18n import _

BUS_NAME = "org.gnome.Mutter.IdleMonitor"
PATH = "/org/gnome/Mutter/IdleMonitor/Core"


class GnomeIdle(IdleSource):
    name = "GNOME (Mutter IdleMonitor)"  # not for users

    def __init__(self) -> None:
        try:
            import dbus

            self._bus = dbus.SessionBus(private=True)
            if not self._bus.name_has_owner(BUS_NAME):
                self._bus.close()
                raise Unusable(_("no GNOME idle monitor on the session bus"))
            self._monitor = dbus.Interface(self._bus.get_object(BUS_NAME, PATH), BUS_NAME)
        except Unusable:
            raise
        except Exception as e:  # no dbus-python, no session bus, ...
            raise Unusable(_("cannot reach the GNOME idle monitor ({error})").format(
                error=first_line(e))) from None

    def seconds(self) -> float:
        return int(self._monitor.GetIdletime()) / 1000.0


def open() -> GnomeIdle:
    return GnomeIdle()

