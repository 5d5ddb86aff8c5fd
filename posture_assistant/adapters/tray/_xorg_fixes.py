"""Workarounds for pystray 0.19.5's xorg backend, each named below with its pystray issue;
docking into a tray that comes after the icon, or comes back, is in _xorg_docking.

pystray connects to the display when it is imported, so the subclass is made
on demand (icon_class()) and this module imports anywhere.
"""
from __future__ import annotations

import functools
import threading
import types


def icon_class():
    """pystray's xorg Icon with the workarounds; needs a display."""
    import pystray
    import Xlib.display
    import Xlib.protocol.event
    import Xlib.X

    from posture_assistant.adapters.tray._xorg_docking import docking

    class Icon(docking(pystray.Icon)):
        def _create_window(self):
            # The icon window selects only Exposure|StructureNotify, so a click
            # never arrives and the default item can never run (pystray#151).
            window = super()._create_window()
            window.change_attributes(event_mask=Xlib.X.ExposureMask
                                     | Xlib.X.StructureNotifyMask | Xlib.X.ButtonPressMask)
            return window

        def _on_button_press(self, event):
            # pystray answers only the left button. This backend has no menu,
            # so a right click (what XFCE and tint2 users try first) runs the
            # default item too, rather than nothing.
            if event.detail in (1, 3):
                self()

        def _draw(self):
            # pystray sends the new picture only at its next read of X events,
            # after the thread that changed it has been told it is done; flush
            # so that what the app reports is on screen by then.
            super()._draw()
            self._display.flush()

        def _dock_window(self):
            # `visible = True` docks twice (_update_icon and _show); a tray that
            # re-embeds on the second request can lose the icon under load.
            # Ask only while not docked.
            if self._systray_manager is None:
                super()._dock_window()

        def _run(self):
            # pystray marks itself ready before recording its loop thread, so a
            # setup callback that is quick enough finds no `_thread` at all.
            self._thread = threading.current_thread()
            super()._run()

        def _rewrite_implementation(self, *methods):
            # pystray runs a call from another thread (a new tooltip, a new
            # picture) by sending a ClientMessage on the icon's own X connection
            # while its loop thread reads from that same connection. python-xlib
            # can then lose a reply and both threads wait forever (seen about
            # once in 25 starts here: the loop stuck in get_geometry). So other
            # threads knock on a connection of their own, and only the loop
            # thread ever uses the icon's.
            super()._rewrite_implementation(*methods)
            knocker = Xlib.display.Display(self._display.get_display_name())
            # Knock on a window of our own that lives as long as the icon:
            # a tray can destroy the icon's window (tint2 does when it dies),
            # and a knock on a window that is gone is lost, its caller
            # waiting for ever. Sent with no event mask, the message goes
            # to the window's creator whatever it selected.
            mailbox = self._display.screen().root.create_window(
                0, 0, 1, 1, 0, 0, window_class=Xlib.X.InputOnly)
            window = knocker.create_resource_object("window", mailbox.id)
            one_at_a_time = threading.Lock()  # the replies share one queue

            def dispatcher(original, atom):
                @functools.wraps(original)
                def inner(icon):
                    if threading.current_thread() is getattr(icon, "_thread", None):
                        return original()
                    with one_at_a_time:
                        window.send_event(Xlib.protocol.event.ClientMessage(
                            window=window, client_type=atom,
                            data=(32, (Xlib.X.CurrentTime, 0, 0, 0, 0))),
                            event_mask=Xlib.X.NoEventMask)
                        knocker.flush()
                        result = icon._queue.get()
                    if result is not True:
                        raise result[1].with_traceback(result[2])

                return types.MethodType(inner, self)

            for original in methods:
                atom = self._display.intern_atom(f"_PYSTRAY_{original.__name__.upper()}")
                setattr(self, original.__name__, dispatcher(original, atom))

    return Icon
