"""GNOME (Wayland or X11): Mutter's IdleMonitor over the session D-Bus."""
from __future__ import annotations

from posture_assistant.adapters.idle import IdleUnavailable

BUS_NAME = "org.gnome.Mutter.IdleMonitor"
PATH = "/org/gnome/Mutter/IdleMonitor/Core"


class GnomeIdle:
    name = "GNOME (Mutter IdleMonitor)"

    def __init__(self) -> None:
        try:
            import dbus

            self._bus = dbus.SessionBus(private=True)
            if not self._bus.name_has_owner(BUS_NAME):
                self._bus.close()
                raise IdleUnavailable("no GNOME idle monitor on the session bus")
            self._monitor = dbus.Interface(self._bus.get_object(BUS_NAME, PATH), BUS_NAME)
        except IdleUnavailable:
            raise
        except Exception as e:  # no dbus-python, no session bus, ...
            raise IdleUnavailable(f"cannot reach the GNOME idle monitor ({_first_line(e)})"
                                  ) from None

    def seconds(self) -> float:
        return int(self._monitor.GetIdletime()) / 1000.0


def open_source() -> GnomeIdle:
    source = GnomeIdle()
    source.seconds()
    return source


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
