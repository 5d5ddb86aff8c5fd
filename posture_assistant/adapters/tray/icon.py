"""The tray icon: its picture, tooltip and menu, on whichever pystray backend.

The tray only shows what the app tells it and posts what the user clicked;
it holds no state of its own.
"""
from __future__ import annotations

import os
from typing import Callable

from posture_assistant import APP_ID, APP_NAME
from posture_assistant.adapters.tray.images import icon_image
from posture_assistant.adapters.tray.view import MenuEntry, TrayView
from posture_assistant.i18n import _

Post = Callable[..., None]  # post(command, **args), e.g. post("snooze", seconds=300)


def _import_pystray(backend: str):
    # pystray reads its backend from the environment once, at import.
    os.environ["PYSTRAY_BACKEND"] = backend
    import pystray

    if backend == "xorg":
        from posture_assistant.adapters.tray._xorg_fixes import icon_class

        Icon = icon_class()
    else:
        Icon = pystray.Icon
    if backend in ("gtk", "appindicator"):
        # pystray's GTK backends open a proxy to the notification server as
        # the icon starts, which D-Bus-activates one, and a server that fails
        # to start raised out of the tray's loop and took the icon with it.
        # Our notifications go their own way (adapters/notify), so pystray's
        # never runs.
        from pystray._util import notify_dbus

        notify_dbus.Notifier = _NoNotifier
    return pystray, Icon


class _NoNotifier:
    def notify(self, *args) -> None:
        pass

    def hide(self) -> None:
        pass


class Tray:
    def __init__(self, backend: str, post: Post) -> None:
        self.backend = backend
        self._post = post
        self._pystray, icon_class = _import_pystray(backend)
        self._view = TrayView("counting", APP_NAME, ())
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

    available = True

    def set_visible(self, visible: bool) -> None:
        """Offer the icon to trays, or withdraw it (any thread)."""
        if self._icon.visible != visible:
            self._icon.visible = visible

    def shown(self) -> str | None:
        """What the tray really shows, in a few words; None when nothing."""
        if self.backend != "xorg":
            return self.backend  # GTK's StatusIcon cannot be asked from our thread
        size = self._icon.embedded()
        if size is None:
            return None
        return _("XEmbed icon, {width}×{height}").format(width=size[0], height=size[1])

    def show(self, view: TrayView) -> None:
        old, self._view = self._view, view
        if view.art != old.art:
            self._icon.icon = icon_image(view.art, opaque=self._opaque)
        if view.tooltip != old.tooltip:
            self._icon.title = view.tooltip
        if view != old:
            self._icon.update_menu()

    def _menu(self):
        pystray = self._pystray

        def action(entry: MenuEntry):
            # pystray passes (icon, item) to actions that take arguments, so
            # the entry is bound here rather than as a lambda default.
            return lambda: self._post(entry.command, **entry.args)

        def item(entry: MenuEntry):
            if entry.children:
                return pystray.MenuItem(entry.label, pystray.Menu(*map(item, entry.children)))
            return pystray.MenuItem(entry.label, action(entry), default=entry.default)

        def items():
            view = self._view
            out = [pystray.MenuItem(view.tooltip, None, enabled=False), pystray.Menu.SEPARATOR]
            for entry in view.menu:
                if entry.separated:
                    out.append(pystray.Menu.SEPARATOR)
                out.append(item(entry))
            return tuple(out)

        return pystray.Menu(items)
