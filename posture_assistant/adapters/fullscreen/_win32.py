"""Windows: SHQueryUserNotificationState says when not to disturb."""
from __future__ import annotations

from posture_assistant.adapters.fullscreen import FullscreenUnavailable

# QUERY_USER_NOTIFICATION_STATE values that mean "someone is presenting or
# playing fullscreen": busy (a fullscreen app), Direct3D fullscreen, and
# presentation mode.
QUNS_BUSY, QUNS_RUNNING_D3D_FULL_SCREEN, QUNS_PRESENTATION_MODE = 2, 3, 4
FULLSCREEN_STATES = {QUNS_BUSY, QUNS_RUNNING_D3D_FULL_SCREEN, QUNS_PRESENTATION_MODE}


def is_fullscreen(state: int) -> bool:
    return state in FULLSCREEN_STATES


class Win32Fullscreen:
    name = "Windows (SHQueryUserNotificationState)"

    def __init__(self) -> None:
        try:
            import ctypes

            self._shell32 = ctypes.windll.shell32
            self._ctypes = ctypes
        except Exception as e:
            raise FullscreenUnavailable(f"cannot load shell32 ({e})") from None

    def active(self) -> bool:
        state = self._ctypes.c_int()
        if self._shell32.SHQueryUserNotificationState(self._ctypes.byref(state)) != 0:
            return False
        return is_fullscreen(state.value)


def open_source() -> Win32Fullscreen:
    return Win32Fullscreen()
