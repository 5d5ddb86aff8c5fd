"""Linux and the BSDs: the colour scheme the desktop portal
(xdg-desktop-portal) publishes as org.freedesktop.appearance color-scheme,
which GNOME, KDE Plasma and others keep in step with their own setting."""
from __future__ import annotations

import os

from posture_assistant.adapters._util import first_line
from posture_assistant.adapters.appearance._base import AppearanceSource, Unusable
from posture_assistant.i18n import _

BUS_NAME = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
INTERFACE = "org.freedesktop.portal.Settings"
NAMESPACE = "org.freedesktop.appearance"
KEY = "color-scheme"
# Seconds. The portal is started on demand, which can take a moment; a
# window waits for this answer, so not for long.
TIMEOUT = 2.0


def dark_from_portal(value: int) -> bool | None:
    """The portal's color-scheme: 1 prefers dark, 2 prefers light, 0 (and
    any value added later) no preference."""
    return {1: True, 2: False}.get(int(value))


class PortalAppearance(AppearanceSource):
    name = "xdg-desktop-portal"  # not for users

    def __init__(self) -> None:
        # Without an address, libdbus would launch a bus of its own, which
        # outlives us; a desktop session always has one.
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            raise Unusable(_("no D-Bus session bus"))
        try:
            import dbus

            bus = dbus.SessionBus(private=True)
        except Exception as e:  # no dbus-python, a bus that does not answer, ...
            raise Unusable(_("cannot reach the session bus ({error})").format(
                error=first_line(e))) from None
        try:
            settings = dbus.Interface(bus.get_object(BUS_NAME, PATH, introspect=False),
                                      INTERFACE)
            value = settings.Read(NAMESPACE, KEY, timeout=TIMEOUT)
        except dbus.DBusException as e:  # no portal, or one too old to know the key
            raise Unusable(_("the desktop portal does not tell the colour scheme "
                             "({error})").format(error=first_line(e))) from None
        finally:
            bus.close()
        self._dark = dark_from_portal(value)

    def prefers_dark(self) -> bool | None:
        return self._dark


def open() -> PortalAppearance:
    return PortalAppearance()
