"""Linux and the BSDs: the colour scheme the desktop portal
(xdg-desktop-portal) publishes as org.freedesktop.appearance color-scheme,
which GNOME, KDE Plasma and others keep in step with their own setting."""
from __future__ import annotations

from posture_assistant.adapters import _dbus
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


def unwrap(value):
    """A D-Bus variant's value: jeepney gives a variant as (signature,
    value), and xdg-desktop-portal answers Read with the value inside a
    second variant (ReadOne, newer, with one)."""
    while isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        value = value[1]
    return value


class PortalAppearance(AppearanceSource):
    name = "xdg-desktop-portal"  # not for users

    def __init__(self) -> None:
        bus = _dbus.session()  # Unusable, with the reason, without a bus
        try:
            (value,) = bus.call(BUS_NAME, PATH, INTERFACE, "Read", "ss", (NAMESPACE, KEY),
                                timeout=TIMEOUT)
        except (_dbus.DBusError, TimeoutError) as e:  # no portal, or one without the key
            raise Unusable(_("the desktop portal does not tell the colour scheme "
                             "({error})").format(error=first_line(e))) from None
        self._dark = dark_from_portal(unwrap(value))

    def prefers_dark(self) -> bool | None:
        return self._dark


def open() -> PortalAppearance:
    return PortalAppearance()
