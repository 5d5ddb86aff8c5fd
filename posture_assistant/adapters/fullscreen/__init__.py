"""Is a fullscreen window in front (a presentation, a video, a game)?

One module per backend behind `_base.FullscreenSource`, platform libraries
imported only when opened, as in `idle`. Where nothing works, prompts are
simply never deferred, and `status` says why.
"""
from __future__ import annotations

import sys

from posture_assistant.adapters._util import open_first
from posture_assistant.adapters.fullscreen._base import FullscreenSource, Unavailable

__all__ = ["FullscreenSource", "Unavailable", "open_source"]


def open_source() -> FullscreenSource | Unavailable:
    name = {"win32": "_win32", "darwin": "_darwin"}.get(sys.platform, "_x11")
    return open_first(__name__, [name], lambda source: source.active())
