"""The fullscreen backends' contract: is a fullscreen window (a
presentation, a video, a game) in front? Each backend subclasses
`FullscreenSource`; `Unavailable` stands in where none works, and then
prompts are simply never deferred."""
from __future__ import annotations

from posture_assistant.adapters._util import Unavailable, Unusable

__all__ = ["FullscreenSource", "Unavailable", "Unusable"]


class FullscreenSource:
    name = ""
    available = True

    def active(self) -> bool:
        raise NotImplementedError
