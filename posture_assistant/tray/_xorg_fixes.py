"""Workarounds for pystray 0.19.5's xorg backend (see ../shared/harness.md §1).

Imported only when that backend is in use: it needs a display at import.
"""
from __future__ import annotations

import pystray
import Xlib.X


class Icon(pystray.Icon):
    def _create_window(self):
        # The icon window selects only Exposure|StructureNotify, so a click
        # never arrives and the default item can never run (pystray#151).
        window = super()._create_window()
        window.change_attributes(
            event_mask=Xlib.X.ExposureMask | Xlib.X.StructureNotifyMask | Xlib.X.ButtonPressMask)
        return window

    def _dock_window(self):
        # `visible = True` docks twice (_update_icon and _show); a tray that
        # re-embeds on the second request can lose the icon under load.
        # Ask only while not docked.
        if self._systray_manager is None:
            super()._dock_window()
