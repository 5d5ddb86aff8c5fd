"""X11: the MIT-SCREEN-SAVER extension's idle counter, through python-xlib."""
from __future__ import annotations

import os

from posture_assistant.adapters.idle import IdleUnavailable


class X11Idle:
    name = "X11 (XScreenSaver)"

    def __init__(self) -> None:
        if not os.environ.get("DISPLAY"):
            raise IdleUnavailable("no X display")
        try:
            import Xlib.display
            from Xlib.ext import screensaver  # noqa: F401  (registers the request)

            # A connection of our own: pystray's belongs to its own thread.
            self._display = Xlib.display.Display()
        except Exception as e:
            raise IdleUnavailable(f"cannot connect to the X display ({e})") from None
        if not self._display.has_extension("MIT-SCREEN-SAVER"):
            self._display.close()
            raise IdleUnavailable("the X server has no MIT-SCREEN-SAVER extension")
        self._root = self._display.screen().root

    def seconds(self) -> float:
        return self._root.screensaver_query_info().idle / 1000.0


def open_source() -> X11Idle:
    source = X11Idle()
    source.seconds()
    return source
