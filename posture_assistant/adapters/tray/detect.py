"""Which tray backend can work here, decided before pystray is imported.

pystray picks its backend once, at import, and its xorg backend fails for
good if no tray owns the XEmbed selection at that moment. So we look first:
is there a display, an XEmbed tray, a StatusNotifierItem host, PyGObject?
"""
from __future__ import annotations

import os
import sys

from posture_assistant.adapters._util import Unavailable, first_line
from posture_assistant.i18n import N_, _

GTK_HINT = N_("install your distribution's python3-gi or "
            "pip install 'posture-assistant[gtk]'")


class NoDisplay(Exception):
    """str(e) is one line: why there is no display."""


def check_display() -> None:
    """Raise NoDisplay unless a graphical session can be reached (Linux/BSD)."""
    if sys.platform in ("win32", "darwin"):
        return
    display = os.environ.get("DISPLAY")
    if not display:
        if os.environ.get("WAYLAND_DISPLAY"):
            return  # Wayland without XWayland: notifications and SNI may still work
        raise NoDisplay(_("no display: neither DISPLAY nor WAYLAND_DISPLAY is set"))
    try:
        import Xlib.display

        Xlib.display.Display(display).close()
    except Exception as e:  # DisplayNameError, DisplayConnectionError, ...
        raise NoDisplay(_("cannot connect to display {display!r} ({error})").format(
            display=display, error=first_line(e))) from None


def choose(setting: str) -> str | Unavailable:
    """The pystray backend for the `tray_backend` setting, or why none."""
    if setting == "none":
        return Unavailable(_("the tray is turned off"))
    if sys.platform in ("win32", "darwin"):
        return sys.platform
    if setting == "xorg":
        return _xorg() or Unavailable(_("no system tray (XEmbed) was found on this display"))
    if setting in ("gtk", "appindicator"):
        missing = _missing_gi()
        if missing:
            return Unavailable(_("tray_backend={setting} needs PyGObject ({missing}); {hint}")
                               .format(setting=setting, missing=missing, hint=_(GTK_HINT)))
        return setting
    # auto: the light xorg backend where an XEmbed tray exists; otherwise a
    # StatusNotifierItem host (KDE, GNOME with the AppIndicator extension).
    found = _xorg()
    if found:
        return found
    if _has_sni_host():
        if not _missing_gi():
            return "appindicator"
        return Unavailable(_("this desktop's tray needs PyGObject for its icons; {hint}")
                           .format(hint=_(GTK_HINT)))
    return Unavailable(_("no system tray was found (on GNOME, install the AppIndicator "
                         "extension)"))


def _xorg() -> str | None:
    if not os.environ.get("DISPLAY"):
        return None
    try:
        import Xlib.display

        display = Xlib.display.Display()
        try:
            atom = display.intern_atom(f"_NET_SYSTEM_TRAY_S{display.get_default_screen()}")
            owner = display.get_selection_owner(atom)
        finally:
            display.close()
    except Exception:
        return None
    return "xorg" if owner else None


def _has_sni_host() -> bool:
    try:
        import dbus

        bus = dbus.SessionBus(private=True)
        try:
            return bool(bus.name_has_owner("org.kde.StatusNotifierWatcher"))
        finally:
            bus.close()
    except Exception:
        return False


def _missing_gi() -> str:
    try:
        import gi

        gi.require_version("Gtk", "3.0")
        return ""
    except Exception as e:
        return first_line(e)

