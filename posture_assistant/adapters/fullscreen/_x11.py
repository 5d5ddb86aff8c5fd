"""X11: the active window (_NET_ACTIVE_WINDOW) has _NET_WM_STATE_FULLSCREEN."""
from __future__ import annotations

from posture_assistant.adapters._x11 import open_display
from posture_assistant.adapters.fullscreen._base import FullscreenSource


class X11Fullscreen(FullscreenSource):
    name = "X11 (_NET_WM_STATE_FULLSCREEN)"

    def __init__(self) -> None:
        self._display = open_display()
        self._root = self._display.screen().root
        atom = self._display.intern_atom
        self._active, self._state = atom("_NET_ACTIVE_WINDOW"), atom("_NET_WM_STATE")
        self._full = atom("_NET_WM_STATE_FULLSCREEN")

    def active(self) -> bool:
        import Xlib.error
        import Xlib.X

        try:
            active = self._root.get_full_property(self._active, Xlib.X.AnyPropertyType)
            if not active or not active.value or not active.value[0]:
                return False  # no window manager, or nothing focused
            window = self._display.create_resource_object("window", active.value[0])
            state = window.get_full_property(self._state, Xlib.X.AnyPropertyType)
        except (Xlib.error.BadWindow, Xlib.error.BadValue):
            return False  # the window went away meanwhile
        return bool(state) and self._full in state.value


def open() -> X11Fullscreen:
    return X11Fullscreen()
