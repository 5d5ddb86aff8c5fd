"""macOS, best effort: the main display is captured, as fullscreen games and
some presentation apps do (CGDisplayIsCaptured). Ordinary fullscreen windows
in their own Space are not seen."""
from __future__ import annotations

from posture_assistant.adapters.fullscreen import FullscreenUnavailable


class DarwinFullscreen:
    name = "macOS (CGDisplayIsCaptured, best effort)"

    def __init__(self) -> None:
        try:
            import ctypes
            import ctypes.util

            cg = ctypes.cdll.LoadLibrary(ctypes.util.find_library("CoreGraphics")
                                         or ctypes.util.find_library("ApplicationServices"))
        except Exception as e:
            raise FullscreenUnavailable(f"cannot load CoreGraphics ({e})") from None
        cg.CGMainDisplayID.restype = ctypes.c_uint32
        cg.CGDisplayIsCaptured.argtypes = [ctypes.c_uint32]
        cg.CGDisplayIsCaptured.restype = ctypes.c_bool
        self._cg = cg

    def active(self) -> bool:
        return bool(self._cg.CGDisplayIsCaptured(self._cg.CGMainDisplayID()))


def open_source() -> DarwinFullscreen:
    return DarwinFullscreen()
