"""Seconds since the user last touched keyboard or mouse, per platform.

One module per backend; each imports its platform's libraries only when it
is opened, so this package imports anywhere. `open_source()` picks the first
that works, or says why none does.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Protocol


class IdleUnavailable(Exception):
    """str(e) is a short reason, e.g. "the X server has no MIT-SCREEN-SAVER"."""


class IdleSource(Protocol):
    name: str

    def seconds(self) -> float: ...


@dataclass(frozen=True)
class Unavailable:
    reason: str


def _candidates() -> list[str]:
    if sys.platform == "win32":
        return ["_win32"]
    if sys.platform == "darwin":
        return ["_darwin"]
    wayland = bool(os.environ.get("WAYLAND_DISPLAY"))
    gnome = "GNOME" in os.environ.get("XDG_CURRENT_DESKTOP", "").upper()
    # Under a Wayland compositor, XWayland's idle time only sees X clients'
    # input, so GNOME's own monitor comes first there.
    if wayland and (gnome or not os.environ.get("DISPLAY")):
        return ["_gnome", "_x11"]
    return ["_x11", "_gnome"]


def open_source() -> IdleSource | Unavailable:
    import importlib

    reasons = []
    for name in _candidates():
        module = importlib.import_module(f"{__name__}.{name}")
        try:
            return module.open_source()
        except IdleUnavailable as e:
            reasons.append(str(e))
        except Exception as e:  # a first sample that failed in a way we did not foresee
            reasons.append(f"{module.__name__.rsplit('._', 1)[-1]}: {type(e).__name__}: {e}")
    return Unavailable("; ".join(reasons))
