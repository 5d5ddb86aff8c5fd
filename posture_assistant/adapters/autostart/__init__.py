"""Starting the app when the user logs in, and its entry in the desktop's
app menu.

One module per platform behind `_base.Entry`: `_xdg` (Linux, BSD),
`_win32` (the HKCU Run key, winreg imported when opened), `_darwin` (a
LaunchAgent); `_launcher` is the XDG app-menu entry with its hicolor icons,
and `_desktop_entry` the file format those two share. Each refuses to touch
an entry it did not write (`NotOurs`). The caller passes the command to run:
which command starts this installed app is the CLI's to know.
"""
from __future__ import annotations

import sys

from posture_assistant.adapters._util import open_first
from posture_assistant.adapters.autostart._base import (
    DISABLED, NOT_OURS, OFF, ON, STALE, NotOurs, Entry, Status, Unavailable,
)
from posture_assistant.i18n import _

__all__ = ["DISABLED", "NOT_OURS", "OFF", "ON", "STALE", "NotOurs", "Entry", "Status",
           "Unavailable", "open_autostart", "open_launcher"]


def open_autostart() -> Entry | Unavailable:
    name = {"win32": "_win32", "darwin": "_darwin"}.get(sys.platform, "_xdg")
    return open_first(__name__, [name], lambda backend: None)


def open_launcher() -> Entry | Unavailable:
    if sys.platform in ("win32", "darwin"):
        return Unavailable(_("the app-menu entry is for Linux and BSD desktops; on Windows "
                             "and macOS start the app from a terminal or turn on autostart"))
    return open_first(__name__, ["_launcher"], lambda backend: None)
