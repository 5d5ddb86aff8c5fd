"""Dock pystray's xorg icon whenever an XEmbed tray is there, and know whether it is.

pystray 0.19.5 asks for a dock once, when the icon is shown; with no tray yet
it logs `Failed to dock icon` with an AssertionError traceback and asks again
only when the picture next changes. So a tray that starts after the app (at
login) or restarts (a panel crash) shows nothing for up to an hour.

The System Tray Protocol has a new tray announce itself with a MANAGER
ClientMessage to the root window. A dying tray hands the icon's window back
to the root window (trayer, xfce4-panel: their save-set) or destroys it with
its own (tint2). All of these arrive as events in pystray's own X loop: no
thread, no timer. The same events say whether the icon is embedded and how
big it is, so asking costs no round trip.

pystray connects to the display when it is imported, so the class is made
on demand and this module imports anywhere.
"""
from __future__ import annotations


def docking(base):
    """`base` (pystray's xorg Icon) docking into every tray that appears."""
    import Xlib.X

    class Docking(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            display = self._display
            self._root = display.screen().root
            self._manager = display.intern_atom("MANAGER")
            self._wanted = False  # between _show and _hide: the app wants it seen
            self._stopping = False
            self._parent = self._root.id
            self._mapped = False
            self._size = (1, 1)
            self._embedded: tuple[int, int] | None = None
            # The spec sends MANAGER with StructureNotifyMask. On the root
            # window that mask brings nothing else but a screen resize, so an
            # idle app wakes no more often. It is on the server before the
            # first selection-owner query (a round trip), so a tray that comes
            # in between is not missed.
            self._root.change_attributes(event_mask=Xlib.X.StructureNotifyMask)
            handlers = self._message_handlers
            pystray_message = handlers[Xlib.X.ClientMessage]
            pystray_configure = handlers[Xlib.X.ConfigureNotify]

            def on_client_message(event):
                if (event.client_type == self._manager
                        and event.data[1][1] == self._net_system_tray_sx):
                    self._on_manager(event.data[1][2])
                else:
                    pystray_message(event)

            def on_configure(event):
                if event.window.id == self._window.id:
                    self._size = (event.width, event.height)
                    self._note()
                pystray_configure(event)

            handlers.update({
                Xlib.X.ClientMessage: on_client_message,
                Xlib.X.ConfigureNotify: on_configure,
                Xlib.X.ReparentNotify: self._on_reparent,
                Xlib.X.MapNotify: self._on_map,
                Xlib.X.UnmapNotify: self._on_map,
            })

        def embedded(self) -> tuple[int, int] | None:
            """(width, height) while embedded in a tray and mapped, else None.
            Kept up to date from X events, so any thread may ask, cheaply."""
            return self._embedded

        # ---- pystray's implementation methods (run in its loop thread) ----

        def _show(self):
            self._wanted = True
            super()._show()

        def _hide(self):
            self._wanted = False
            super()._hide()

        def _stop(self):
            self._stopping = True
            super()._stop()

        def _events(self):
            # pystray's loop ends when the icon's window is destroyed, as its
            # own _stop does; a tray that dies can do it too (tint2).
            for event in super()._events():
                if (event.type == Xlib.X.DestroyNotify and event.window.id == self._window.id
                        and not self._stopping):
                    self._new_window()
                else:
                    yield event

        def _assert_docked(self):
            # No tray yet is normal at login: wait for its MANAGER message
            # instead of raising (which pystray logs as a traceback).
            if self._wanted:
                self._dock_window()

        def _on_destroy_notify(self, event):
            # pystray's own fails with AttributeError, ending its loop, when
            # no tray is recorded; and with no tray it logs a traceback.
            manager = self._systray_manager
            if manager is not None and event.window.id == manager.id:
                self._tray_lost()

        # ---- tray arrival and departure --------------------------------

        def _on_manager(self, window_id: int) -> None:
            manager = self._systray_manager
            if self._wanted and (manager is None or manager.id != window_id):
                self._systray_manager = None  # a new tray: ask it (see _dock_window)
                self._dock_window()

        def _on_reparent(self, event) -> None:
            if event.window.id != self._window.id:
                return
            self._parent = event.parent.id
            self._note()
            if self._parent == self._root.id and self._systray_manager is not None:
                self._tray_lost()
            elif self._parent != self._root.id and not self._wanted and not self._stopping:
                # A dock request that crossed our withdrawal (the app chose
                # the StatusNotifierItem meanwhile): the tray embedded the
                # icon after we had let go, so let go again.
                self._systray_manager = self._systray_manager or self._get_systray_manager()
                if self._systray_manager is not None:
                    self._undock_window()

        def _on_map(self, event) -> None:
            if event.window.id != self._window.id:
                return
            self._mapped = event.type == Xlib.X.MapNotify
            self._note()

        def _tray_lost(self) -> None:
            """Our tray died or let go: dock with whoever owns the tray
            selection now, or wait for the next MANAGER message."""
            owner = self._get_systray_manager()
            manager = self._systray_manager
            if owner is None:
                self._systray_manager = None
            elif manager is None or owner.id != manager.id:
                self._systray_manager = None
                if self._wanted:
                    self._dock_window()
            # Else the tray that let go still owns the selection: it is
            # closing, and its DestroyNotify brings us back here.

        def _new_window(self) -> None:
            self._window = self._create_window()
            self._gc = self._window.create_gc()
            self._icon_data = None  # drawn afresh at the size the next tray gives
            self._parent, self._mapped, self._size = self._root.id, False, (1, 1)
            self._note()
            self._systray_manager = None  # the new window is in no tray yet
            self._tray_lost()

        def _note(self) -> None:
            embedded = self._mapped and self._parent != self._root.id
            self._embedded = self._size if embedded else None

    return Docking
