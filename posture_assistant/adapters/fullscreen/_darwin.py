"""macOS, best effort: the main display is captured, as fullscreen games and
some presentation apps do (CGDisplayIsCaptured). Ordinary fullscreen windows
in their own Space are not seen."""
from __future__ import annotations

from posture_assistant.adapters.fullscreen._base import FullscreenSource, Unusable
from posture_assistant.i18n import _


class DarwinFullscreen(FullscreenSource):
    name = "macOS (CGDisplayIsCaptured, best effort)"  # not for users

    def __init__(self) -> None:
        try:
            import ctypes
            import ctypes.util

            cg = ctypes.cdll.LoadLibrary(ctypes.util.find_library("CoreGraphics")
                                         or ctypes.util.find_library("ApplicationServices"))
        except Exception as e:
            raise Unusable(_("cannot load CoreGraphics ({error})").format(error=e)) from None
        cg.CGMainDisplayID.restype = ctypes.c_uint32
        cg.CGDisplayIsCaptured.argtypes = [ctypes.c_uint32]
        cg.CGDisplayIsCaptured.restype = ctypes.c_bool
        self._cg = cg

    def active(self) -> bool:
        return bool(self._cg.CGDisplayIsCaptured(self._cg.CGMainDisplayID()))


def open() -> DarwinFullscreen:
    return DarwinFullscreen()
