"""Windows: GetLastInputInfo and GetTickCount through ctypes."""
from __future__ import annotations

from posture_assistant.adapters.idle._base import IdleSource, Unusable
from posture_assistant.i18n import _

TICK_WRAP = 1 << 32  # GetTickCount is a 32-bit millisecond counter: it wraps every 49.7 days


def idle_ms(now_tick: int, last_input_tick: int) -> int:
    """Milliseconds between two 32-bit tick readings, across a wrap."""
    return (now_tick - last_input_tick) % TICK_WRAP


class Win32Idle(IdleSource):
    name = "Windows (GetLastInputInfo)"

    def __init__(self) -> None:
        try:
            import ctypes
            from ctypes import wintypes

            class LastInputInfo(ctypes.Structure):
                _fields_ = [("cbSize", wintypes.UINT), ("dwTime", wintypes.DWORD)]

            self._user32 = ctypes.windll.user32
            self._kernel32 = ctypes.windll.kernel32
            self._info = LastInputInfo(cbSize=ctypes.sizeof(LastInputInfo))
            self._byref = ctypes.byref
        except Exception as e:
            raise Unusable(_("cannot load user32 ({error})").format(error=e)) from None

    def seconds(self) -> float:
        if not self._user32.GetLastInputInfo(self._byref(self._info)):
            raise OSError(_("GetLastInputInfo failed"))
        return idle_ms(self._kernel32.GetTickCount(), self._info.dwTime) / 1000.0


def open() -> Win32Idle:
    return Win32Idle()
