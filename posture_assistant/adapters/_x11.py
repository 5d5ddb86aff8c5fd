"""One way to open an X display connection of our own for the loop thread's
adapters (pystray's connection belongs to its own thread)."""
from __future__ import annotations

import os

from posture_assistant.adapters._util import Unusable
from posture_assistant.i18n import _


def open_display():
    if not os.environ.get("DISPLAY"):
        raise Unusable(_("no X display"))
    try:
        import Xlib.display

        return Xlib.display.Display()
    except Exception as e:
        raise Unusable(_("cannot connect to the X display ({error})").format(error=e)) from None
