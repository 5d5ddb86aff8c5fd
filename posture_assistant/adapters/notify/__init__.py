"""Desktop notifications through plyer, and what happens when they fail.

A notification is a courtesy: the prompt also lives in the tray icon, the
panel or `posture-assistant status`. So a failure never stops the app; it is
logged once, with where prompts still show, and once more when
notifications work again.
"""
from __future__ import annotations

import sys
from typing import Callable

from posture_assistant import APP_NAME
from posture_assistant.adapters._util import first_line
from posture_assistant.files import asset_path
from posture_assistant.i18n import _


class Notifier:
    def __init__(self, enabled: bool, log: Callable[[str], None], elsewhere: str) -> None:
        self.enabled = enabled
        self._elsewhere = elsewhere  # where prompts still show, in words
        self._log = log
        self.failing = False
        self._icon = str(asset_path("app.ico" if sys.platform == "win32" else "app.png"))

    def show(self, title: str, message: str, timeout: float) -> bool:
        """Show one notification; True if the notification server took it."""
        if not self.enabled:
            return False
        try:
            from plyer import notification

            notification.notify(title=title, message=message, app_name=APP_NAME,
                                app_icon=self._icon, timeout=max(1, round(timeout)))
        except Exception as e:  # plyer raises whatever its backend raises
            if not self.failing:
                self.failing = True
                self._log(_("notifications are not working ({why}); {elsewhere}").format(
                    why=_reason(e), elsewhere=self._elsewhere))
            return False
        if self.failing:
            self.failing = False
            self._log(_("notifications work again"))
        return True


def _reason(error: Exception) -> str:
    first = first_line(error)
    if "ServiceUnknown" in first or "org.freedesktop.Notifications" in first:
        return _("no notification server is running")
    if isinstance(error, NotImplementedError):
        return _("no notification backend for this system")
    return f"{type(error).__name__}: {first}"[:200]
