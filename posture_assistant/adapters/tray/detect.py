"""Which tray backend will be seen here, decided before any is started.

On Linux and the BSDs there are two kinds of tray: StatusNotifierItem (a
D-Bus watcher collects items, panels draw them: KDE Plasma, GNOME with the
AppIndicator extension, XFCE, waybar, LXQt...) and XEmbed (an X window that
swallows ours: tint2, trayer, i3bar, older panels, and KDE's xembedsniproxy,
which only relays to StatusNotifierItem and draws a pystray icon empty).
So a watcher wins over an XEmbed tray, and our own `sni` backend serves it.
"""
from __future__ import annotations

import os
import sys

from posture_assistant.adapters._util import Unavailable, Unusable, first_line
from posture_assistant.i18n import N_, _

GTK_HINT = N_("install your distribution's python3-gi or "
              "pip install 'posture-assistant[gtk]'")
WATCHERS = ("org.kde.StatusNotifierWatcher", "org.freedesktop.StatusNotifierWatcher")


class NoDisplay(Exception):
    """str(e) is one line: why there is no display."""


def check_display() -> None:
    """Raise NoDisplay unless a graphical session can be reached (Linux/BSD)."""
    if sys.platform in ("win32", "darwin"):
        return
    display = os.environ.get("DISPLAY")
    if not display:
        if os.environ.get("WAYLAND_DISPLAY"):
            return  # Wayland without XWayland: notifications and SNI still work
        raise NoDisplay(_("no display: neither DISPLAY nor WAYLAND_DISPLAY is set"))
    try:
        import Xlib.display

        Xlib.display.Display(display).close()
    except Exception as e:  # DisplayNameError, DisplayConnectionError, ...
        raise NoDisplay(_("cannot connect to display {display!r} ({error})").format(
            display=display, error=first_line(e))) from None


def choose(setting: str) -> str | Unavailable:
    """The backend for the `tray_backend` setting, or why none can show."""
    if setting == "none":
        return Unavailable(_("the tray is turned off"), name="off")
    if sys.platform in ("win32", "darwin"):
        return sys.platform
    if setting == "sni":
        return "sni" if _bus() else Unavailable(
            _("tray_backend=sni needs a D-Bus session bus, and none is reachable"))
    if setting == "xorg":
        return "xorg" if os.environ.get("DISPLAY") else Unavailable(
            _("tray_backend=xorg needs an X display (XWayland); DISPLAY is not set"))
    if setting in ("gtk", "appindicator"):
        return _gtk(setting)
    # auto: a watcher if there is one, then an XEmbed tray. With neither,
    # the panel may simply start later (at login): wait for whichever comes.
    if _watcher():
        return "sni"
    if _xembed_tray():
        return "xorg"
    bus, display = _bus(), bool(os.environ.get("DISPLAY"))
    if bus and display:
        return "either"
    if bus:
        return "sni"
    if display:
        return "xorg"
    return Unavailable(_("no system tray can show here (no D-Bus session bus and no X "
                         "display)"))


def _gtk(setting: str) -> str | Unavailable:
    missing = _missing_gi()
    if missing:
        return Unavailable(_("tray_backend={setting} needs PyGObject ({missing}); {hint}")
                           .format(setting=setting, missing=missing, hint=_(GTK_HINT)))
    if setting == "gtk" and (os.environ.get("WAYLAND_DISPLAY") or not os.environ.get("DISPLAY")):
        # Under Wayland the icon would live on XWayland, where no panel
        # shows it (or, with KDE's proxy, shows it empty).
        return Unavailable(_("tray_backend=gtk draws an XEmbed icon, which Wayland cannot show; "
                             "use tray_backend=auto"))
    if setting == "gtk" and not _xembed_tray():
        return Unavailable(_("tray_backend=gtk needs an XEmbed system tray, and none runs on "
                             "this display; use tray_backend=auto"))
    if setting == "appindicator" and not _watcher():
        return Unavailable(_("tray_backend=appindicator needs a StatusNotifierItem watcher (a "
                             "panel with a status tray), and none is running; use "
                             "tray_backend=auto"))
    return setting


def missing_tray_hint() -> str:
    """What to do about no tray showing, for this desktop: the GNOME
    extension only where GNOME runs."""
    if "GNOME" in os.environ.get("XDG_CURRENT_DESKTOP", "").upper():
        return _("GNOME shows tray icons only with the AppIndicator extension "
                 "(gnome-shell-extension-appindicator)")
    return _("the icon appears by itself when your panel's tray (status notifier or system "
             "tray) starts")


def _bus() -> bool:
    from posture_assistant.adapters import _dbus

    try:
        _dbus.session()
        return True
    except Unusable:
        return False


def _watcher() -> str:
    """The StatusNotifierWatcher's name if one runs, else ""."""
    from posture_assistant.adapters import _dbus

    try:
        bus = _dbus.session()
        return next((w for w in WATCHERS if bus.has_owner(w)), "")
    except (Unusable, _dbus.DBusError, TimeoutError):
        return ""


def _xembed_tray() -> bool:
    if not os.environ.get("DISPLAY"):
        return False
    try:
        from posture_assistant.adapters._x11 import open_display

        display = open_display()
        try:
            atom = display.intern_atom(f"_NET_SYSTEM_TRAY_S{display.get_default_screen()}")
            return bool(display.get_selection_owner(atom))
        finally:
            display.close()
    except Exception:
        return False


def _missing_gi() -> str:
    try:
        import gi

        gi.require_version("Gtk", "3.0")
        return ""
    except Exception as e:
        return first_line(e)
