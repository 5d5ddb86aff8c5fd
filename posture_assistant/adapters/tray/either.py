"""Either kind of tray, for a session with no tray running yet.

At login the app may start before the panel, and until the panel is up
nothing tells which kind of tray it will bring: a StatusNotifierItem
watcher (KDE, XFCE, waybar...) or an XEmbed tray (tint2, trayer, i3bar).
So both wait, each told by its own protocol when a tray arrives (the
watcher's D-Bus name; the tray selection's MANAGER message), and the
StatusNotifierItem wins where a panel offers both (XFCE does): the XEmbed
icon withdraws while the item is shown, and comes back if it goes.
"""
from __future__ import annotations

from posture_assistant.adapters.tray._sni import SniTray
from posture_assistant.adapters.tray.icon import Tray
from posture_assistant.adapters.tray.view import TrayView


class EitherTray:
    available = True

    def __init__(self, post) -> None:
        self._xorg = Tray("xorg", post)  # imports pystray: needs the X display
        self._sni = SniTray(post, on_change=self._choose)

    @property
    def backend(self) -> str:
        return "xorg" if self._xorg.shown() and not self._sni.shown() else "sni"

    def run(self, on_ready) -> None:
        def ready() -> None:
            self._choose()
            on_ready()

        self._xorg.run(ready)

    def show(self, view: TrayView) -> None:
        self._sni.show(view)
        self._xorg.show(view)

    def shown(self) -> str | None:
        return self._sni.shown() or self._xorg.shown()

    def _choose(self) -> None:
        # Runs on the bus thread when the item's fate changes; pystray's
        # xorg icon carries the change over to its own thread.
        self._xorg.set_visible(not self._sni.shown())
