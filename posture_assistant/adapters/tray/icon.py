"""The tray icon: its picture, tooltip and menu, on whichever pystray backend.

The tray only shows what the app tells it and posts what the user clicked;
it holds no state of its own.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

from posture_assistant import APP_ID, APP_NAME
from posture_assistant.app.commands import PAUSES
from posture_assistant.adapters.tray.images import icon_image

Post = Callable[..., None]  # post(command, **args), e.g. post("snooze", seconds=300)


@dataclass(frozen=True)
class TrayView:
    state: str  # counting | pending | snoozed
    tooltip: str
    pending: bool
    snoozes: tuple[tuple[str, float], ...]  # (label, seconds) offered right now
    paused: bool = False


def _import_pystray(backend: str):
    # pystray reads its backend from the environment once, at import.
    os.environ["PYSTRAY_BACKEND"] = backend
    import pystray

    if backend == "xorg":
        from posture_assistant.adapters.tray._xorg_fixes import icon_class

        Icon = icon_class()
    else:
        Icon = pystray.Icon
    return pystray, Icon


class Tray:
    def __init__(self, backend: str, post: Post) -> None:
        self.backend = backend
        self._post = post
        self._pystray, icon_class = _import_pystray(backend)
        self._view = TrayView("counting", APP_NAME, False, ())
        self._icon = icon_class(APP_ID, icon_image("counting", opaque=self._opaque),
                                APP_NAME, self._menu())

    @property
    def _opaque(self) -> bool:
        # The xorg backend copies the image without its alpha channel, which
        # paints every transparent pixel black.
        return self.backend == "xorg"

    def run(self, on_ready: Callable[[], None]) -> None:
        """Block in the tray's own loop; `on_ready` runs in another thread."""

        def setup(icon) -> None:
            icon.visible = True
            on_ready()

        self._icon.run(setup=setup)

    def show(self, view: TrayView) -> None:
        old, self._view = self._view, view
        if view.state != old.state:
            # Away and off hours look like paused: nothing is counting.
            art = "paused" if view.state in ("away", "off_hours") else view.state
            self._icon.icon = icon_image(art, opaque=self._opaque)
        if view.tooltip != old.tooltip:
            self._icon.title = view.tooltip
        if (view.pending, view.snoozes, view.paused) != (old.pending, old.snoozes, old.paused) \
                or view.tooltip != old.tooltip:
            self._icon.update_menu()

    def stop(self) -> None:
        self._icon.stop()

    def _menu(self):
        pystray = self._pystray
        Item, post = pystray.MenuItem, self._post

        def pause(args: dict):
            return lambda: post("pause", **args)

        def snooze(seconds: float):
            # pystray passes (icon, item) to actions that take arguments, so
            # the length is bound here rather than as a lambda default.
            return lambda: post("snooze", seconds=seconds)

        def items():
            v = self._view
            entries = [Item(v.tooltip, None, enabled=False), pystray.Menu.SEPARATOR]
            if v.paused:
                entries.append(Item("Resume", lambda: post("resume")))
            elif v.pending:
                entries.append(Item("Done: I took my break", lambda: post("done")))
                entries += [Item(label, snooze(seconds)) for label, seconds in v.snoozes]
                entries.append(Item("Skip this break", lambda: post("skip")))
            else:
                entries.append(Item("Take a break now", lambda: post("break")))
            if not v.paused:
                entries.append(Item("Pause", pystray.Menu(
                    *(Item(label, pause(args)) for label, args in PAUSES))))
            return (*entries, pystray.Menu.SEPARATOR,
                    Item(f"Open {APP_NAME}…", lambda: post("panel"), default=True),
                    Item("Check my workspace…", lambda: post("checklist")),
                    Item("Quit", lambda: post("quit")))

        return pystray.Menu(items)
