"""X11: the MIT-SCREEN-SAVER extension's idle counter, through python-xlib."""
from __future__ import annotations

from posture_assistant.adapters._x11 import open_display
from posture_assistant.adapters.idle._base import IdleSource, Unusable
from posture_assistant.i18n import _


class X11Idle(IdleSource):
    name = "X11 (XScreenSaver)"

    def __init__(self) -> None:
        self._display = open_display()
        from Xlib.ext import screensaver  # noqa: F401  (registers the request)

        if not self._display.has_extension("MIT-SCREEN-SAVER"):
            self._display.close()
            raise Unusable(_("the X server has no MIT-SCREEN-SAVER extension"))
        self._root = self._display.screen().root

    def seconds(self) -> float:
        return self._root.screensaver_query_info().idle / 1000.0


def open() -> X11Idle:
    return X11Idle()
