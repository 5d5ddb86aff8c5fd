"""plyer's notifications: Windows and macOS, and Linux without jeepney.

plyer sends no actions and hands back no id, so these notifications have
no buttons, stack instead of replacing each other, and stay on screen
until they time out."""
from __future__ import annotations

import sys
from typing import Callable

from posture_assistant import APP_NAME
from posture_assistant.adapters.notify._base import Backend
from posture_assistant.files import asset_path


class PlyerNotifier(Backend):
    name = "plyer"  # not for users

    def __init__(self) -> None:
        self._icon = str(asset_path("app.ico" if sys.platform == "win32" else "app.png"))

    def show(self, title: str, body: str, timeout: int, slot: str | None,
             actions: tuple[tuple[str, str], ...]) -> None:
        from plyer import notification

        notification.notify(title=title, message=body, app_name=APP_NAME,
                            app_icon=self._icon, timeout=timeout)


def open(on_action: Callable[[str], None]) -> PlyerNotifier:
    return PlyerNotifier()
