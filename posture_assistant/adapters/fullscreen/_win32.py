"""Windows: SHQueryUserNotificationState says when not to disturb."""
from __future__ import annotations

from posture_assistant.adapters.fullscreen._base import FullscreenSource, Unusable
from posture_assistant.i18n import _

# QUERY_USER_NOTIFICATION_STATE values that mean "someone is presenting or
# playing fullscreen": busy (a fullscreen app), Direct3D fullscreen, and
# presentation mode.
QUNS_BUSY, QUNS_RUNNING_D3D_FULL_SCREEN, QUNS_PRESENTATION_MODE = 2, 3, 4
FULLSCREEN_STATES = {QUNS_BUSY, QUNS_RUNNING_D3D_FULL_SCREEN, QUNS_PRESENTATION_MODE}


def is_fullscreen(state: int) -> bool:
    return state in FULLSCREEN_STATES


class Win32Fullscreen(FullscreenSource):
    name = "Windows (SHQueryUserNotificationState)"

    def __init__(self) -> None:
        try:
            import ctypes

            self._shell32 = ctypes.windll.shell32
            self._ctypes = ctypes
        except Exception as e:
            raise Unusable(_("cannot load shell32 ({error})").format(error=e)) from None

    def active(self) -> bool:
        state = self._ctypes.c_int()
        if self._shell32.SHQueryUserNotificationState(self._ctypes.byref(state)) != 0:
            return False
        return is_fullscreen(state.value)


def open() -> Win32Fullscreen:
    return Win32Fullscreen()
