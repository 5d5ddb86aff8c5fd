"""The appearance backends' contract: does the desktop ask apps for dark
windows? Each backend subclasses `AppearanceSource` and reads the answer
once, when opened (our windows live for a minute, not a session);
`Unavailable` stands in where none can tell, and then windows are light."""
from __future__ import annotations

from posture_assistant.adapters._util import Unavailable, Unusable

__all__ = ["AppearanceSource", "Unavailable", "Unusable"]


class AppearanceSource:
    name = ""
    available = True

    def prefers_dark(self) -> bool | None:
        """True for dark, False for light, None if the user chose neither."""
        raise NotImplementedError
