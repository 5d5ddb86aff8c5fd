"""Seconds since the user last touched keyboard or mouse, per platform.

One module per backend, each behind `_base.IdleSource`; each imports its
platform's libraries only when opened, so this package imports anywhere.
`open_source()` picks the first that works, or says why none does.
"""
from __future__ import annotations

import os
import sys

from posture_assistant.adapters._util import open_first
from posture_assistant.adapters.idle._base import IdleSource, Unavailable

__all__ = ["IdleSource", "Unavailable", "open_source"]


def _candidates() -> list[str]:
    if sys.platform == "win32":
        return ["_win32"]
    if sys.platform == "darwin":
        return ["_darwin"]
    # On a Wayland session the compositor's idle protocols come first, then
    # GNOME's monitor (Mutter speaks neither); XWayland's idle time is the
    # last resort, as it only sees X clients' input.
    if os.environ.get("WAYLAND_DISPLAY") or os.environ.get("WAYLAND_SOCKET"):
        return ["_wayland", "_gnome", "_x11"]
    return ["_x11", "_gnome"]


def open_source() -> IdleSource | Unavailable:
    return open_first(__name__, _candidates(), lambda source: source.seconds())
