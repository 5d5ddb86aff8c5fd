"""Desktop notifications, and what happens when they fail.

On Linux and the BSDs the app speaks org.freedesktop.Notifications itself
(`_freedesktop`, on the app's one D-Bus connection): only that way can a
prompt carry Done / Snooze / Skip buttons, replace the previous prompt
instead of stacking, and be taken back once it is answered elsewhere.
plyer cannot do any of that (it sends no actions and returns no id). It
still shows them on Windows and macOS (`_plyer`), and on Linux where
jeepney is missing.

A notification is a courtesy: the prompt also lives in the tray icon, the
panel or `posture-assistant status`. So a failure never stops the app; it is
logged once, with where prompts still show, and once more when
notifications work again.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Callable, Sequence

from posture_assistant.adapters._util import Unusable, first_line
from posture_assistant.adapters.notify._base import Backend
from posture_assistant.i18n import _

__all__ = ["Notifier"]


def _backend_name() -> str:
    if sys.platform in ("win32", "darwin"):
        return "_plyer"
    # Without jeepney plyer runs `notify-send`: no buttons, and failures go
    # unseen, but a notification all the same.
    return "_freedesktop" if importlib.util.find_spec("jeepney") else "_plyer"


class Notifier:
    def __init__(self, enabled: bool, log: Callable[[str], None],
                 elsewhere: str | Callable[[], str],
                 on_action: Callable[[str], None] = lambda key: None) -> None:
        """`on_action(key)` runs when the user presses one of a notification's
        actions, on a thread of the backend's own: it must only hand over."""
        self.enabled = enabled
        # Where prompts still show, in words; asked when it is said, since a
        # tray may have come or gone since the start.
        self._elsewhere = elsewhere if callable(elsewhere) else lambda: elsewhere
        self._log = log
        self._on_action = on_action
        self._backend: Backend | None = None
        self.failing = False

    def show(self, title: str, message: str, timeout: float, *, slot: str | None = None,
             actions: Sequence[tuple[str, str]] = ()) -> bool:
        """Show one notification; True if the notification server took it.

        With a `slot`, it replaces the one shown last in that slot while
        that is still on screen. `actions` are (key, label) buttons, where
        the server can show them."""
        if not self.enabled:
            return False
        try:
            if self._backend is None or self._backend.broken:
                # Opened again after a failure: the bus may be back.
                self._backend = None
                self._backend = importlib.import_module(
                    f"{__name__}.{_backend_name()}").open(self._on_action)
            self._backend.show(title, message, max(1, round(timeout)), slot, tuple(actions))
        except Exception as e:  # whatever the bus, the server or plyer raise
            if not self.failing:
                self.failing = True
                self._log(_("notifications are not working ({why}); {elsewhere}").format(
                    why=_reason(e), elsewhere=self._elsewhere()))
            return False
        if self.failing:
            self.failing = False
            self._log(_("notifications work again"))
        return True

    def withdraw(self, slot: str) -> None:
        """Take the slot's notification off the screen, if it is still there
        (it was answered in the tray, the panel or on the command line)."""
        if self._backend is not None and not self._backend.broken:
            self._backend.withdraw(slot)


def _reason(error: Exception) -> str:
    first = first_line(error)
    if isinstance(error, (Unusable, TimeoutError)):  # already in words
        return first
    if getattr(error, "name", "").startswith("org.freedesktop.DBus.Error.Spawn."):
        return _("the notification server failed to start ({error})").format(error=first)
    if ("ServiceUnknown" in first or "NameHasNoOwner" in first
            or "org.freedesktop.Notifications" in first):
        return _("no notification server is running")
    if isinstance(error, NotImplementedError):
        return _("no notification backend for this system")
    return f"{type(error).__name__}: {first}"[:200]
