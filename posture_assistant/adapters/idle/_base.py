"""The idle backends' contract: seconds since the last keyboard or mouse
input. Each backend subclasses `IdleSource`; `Unavailable` stands in where
none works."""
from __future__ import annotations

from posture_assistant.adapters._util import Unavailable, Unusable

__all__ = ["IdleSource", "Unavailable", "Unusable"]


class IdleSource:
    name = ""
    available = True

    def seconds(self) -> float:
        raise NotImplementedError
