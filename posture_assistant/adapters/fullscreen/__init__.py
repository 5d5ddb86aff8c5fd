"""Is a fullscreen window in front (a presentation, a video, a game)?

One module per backend, platform libraries imported only when opened, as in
`idle`. Where nothing works, prompts are simply never deferred.
"""
from __future__ import annotations

import importlib
import sys
from typing import Protocol


class FullscreenUnavailable(Exception):
    """str(e) is a short reason."""


class FullscreenSource(Protocol):
    name: str

    def active(self) -> bool: ...


def open_source() -> FullscreenSource | None:
    name = {"win32": "_win32", "darwin": "_darwin"}.get(sys.platform, "_x11")
    module = importlib.import_module(f"{__name__}.{name}")
    try:
        source = module.open_source()
        source.active()
        return source
    except Exception:  # FullscreenUnavailable, or a first look that failed
        return None
