"""Windows 10 and 11: "Choose your default app mode", kept in the registry as
AppsUseLightTheme (0 dark, 1 light)."""
from __future__ import annotations

from posture_assistant.adapters.appearance._base import AppearanceSource, Unusable
from posture_assistant.i18n import _

KEY = r"Software\Microsoft\Windows\CurrentVersion\Themes\Personalize"
VALUE = "AppsUseLightTheme"


def dark_from_registry(apps_use_light_theme: int | None) -> bool | None:
    """None where the value is missing: Windows before 10 (1809) has no dark
    mode for apps."""
    if apps_use_light_theme is None:
        return None
    return apps_use_light_theme == 0


class Win32Appearance(AppearanceSource):
    name = "Windows (AppsUseLightTheme)"  # not for users

    def __init__(self) -> None:
        try:
            import winreg
        except ImportError:
            raise Unusable(_("no Windows registry here")) from None
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, KEY) as key:
                value, _kind = winreg.QueryValueEx(key, VALUE)
        except OSError:
            value = None
        self._dark = dark_from_registry(value)

    def prefers_dark(self) -> bool | None:
        return self._dark


def open() -> Win32Appearance:
    return Win32Appearance()
