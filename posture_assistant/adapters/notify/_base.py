"""The notification backends' contract. `show` raises whatever went wrong
(the Notifier says it once, in words); `withdraw` never raises."""
from __future__ import annotations

from posture_assistant.adapters._util import Unusable

__all__ = ["Backend", "Unusable"]


class Backend:
    name = ""

    @property
    def broken(self) -> bool:
        """True once this backend can never work again (its bus is gone):
        the Notifier then opens a new one."""
        return False

    def show(self, title: str, body: str, timeout: int, slot: str | None,
             actions: tuple[tuple[str, str], ...]) -> None:
        raise NotImplementedError

    def withdraw(self, slot: str) -> None:
        pass
