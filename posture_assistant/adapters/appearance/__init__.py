"""Light or dark: what the desktop asks apps for, so our windows match it.

One module per backend behind `_base.AppearanceSource`, platform libraries
imported only when opened, as in `idle`. `dark_mode()` is what the window
commands ask: POSTURE_THEME=light or dark decides outright (for users whose
desktop says nothing, and for screenshots); otherwise the first backend
with a preference; otherwise light.
"""
from __future__ import annotations

import os
import sys

from posture_assistant.adapters._util import open_first
from posture_assistant.adapters.appearance._base import AppearanceSource, Unavailable, Unusable
from posture_assistant.i18n import _

__all__ = ["AppearanceSource", "Unavailable", "dark_mode", "forced", "open_source"]

ENV = "POSTURE_THEME"


def _candidates() -> list[str]:
    if sys.platform == "win32":
        return ["_win32"]
    if sys.platform == "darwin":
        return ["_darwin"]
    # The portal answers for GNOME, KDE and others alike; gsettings is for
    # GNOME set-ups without one, and for a dark GTK theme chosen by name.
    return ["_portal", "_gsettings"]


def open_source() -> AppearanceSource | Unavailable:
    """The first backend that knows the user's choice, else Unavailable
    with every backend's reason."""
    return open_first(__name__, _candidates(), _has_preference)


def _has_preference(source: AppearanceSource) -> None:
    # "No preference" from one place may still be a choice in the next one
    # (a portal that says "default" while the GTK theme is Adwaita-dark).
    if source.prefers_dark() is None:
        raise Unusable(_("{source}: no preference").format(source=source.name))


def forced(value: str | None) -> bool | None:
    """POSTURE_THEME's answer: True for dark, False for light, None to
    follow the desktop (unset, "auto", or anything else)."""
    return {"dark": True, "light": False}.get((value or "").strip().lower())


def dark_mode() -> bool:
    """Whether our windows should be dark."""
    chosen = forced(os.environ.get(ENV))
    if chosen is not None:
        return chosen
    source = open_source()
    return bool(source.available and source.prefers_dark())
