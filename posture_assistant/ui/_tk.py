"""Starting Tk for our windows: everything they share, in one place.

`open_root()` gives every window the same start: tkinter (or the one
message that says how to get it), our WM class, the app icon, sizes that
follow a high-DPI screen, the light or dark theme, the keys every window
answers, and, for a window the app opened, an end when the app ends. The
tray process imports this too, without loading Tk, so a user sees the same
words wherever it fails.
High DPI is in `_dpi.py`, the theme in `_theme.py`.
"""
from __future__ import annotations

import importlib.util
import os
import threading
from typing import Any, Callable

from posture_assistant import APP_ID
from posture_assistant.files import asset_path
from posture_assistant.i18n import N_, _
from posture_assistant.ui._dpi import dpi_aware, follow_desktop_dpi
from posture_assistant.ui._theme import DARK, LIGHT, apply_theme

TK_MISSING = N_("this Python has no tkinter, so no window can open; install it "
                "(Debian/Ubuntu: sudo apt install python3-tk; Fedora: python3-tkinter; "
                "Arch: tk; Homebrew: python-tk)")


# Set by the app in the windows it opens (app/windows.py): their stdin is a
# pipe the app holds and never writes to. The OS closes it when the app
# ends, however it ends (quit, crash, kill -9), so the window reads the end
# of it and closes: no orphan, on Linux, macOS and Windows alike, and no
# timer. A window the user opens from a terminal has no such pipe.
APP_PIPE_ENV = "POSTURE_APP_PIPE"  # not for users
# The virtual event that tells Tk's thread the app has gone.
APP_GONE = "<<PostureAppGone>>"  # not for users


class NoWindow(Exception):
    """str(e) is one line for the user; `code` the exit status to use."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def tk_missing() -> str | None:
    """Why no window can open, found without loading Tk; None if it can.

    Debian ships tkinter apart (python3-tk); other builds lack _tkinter.
    """
    try:
        found = all(importlib.util.find_spec(name) for name in ("tkinter", "_tkinter"))
    except ImportError:
        found = False
    return None if found else _(TK_MISSING)


def open_root(title: str, *, dark: bool = False) -> tuple[Any, Any]:
    """(the tkinter module, a themed Tk root titled `title`), or NoWindow
    saying why not. Escape and the close button destroy the window until the
    window hands `on_close()` a callback of its own."""
    try:
        import tkinter as tk
    except ImportError:
        raise NoWindow(_(TK_MISSING), 1) from None
    dpi_aware()
    try:
        root = tk.Tk(className=APP_ID)
    except tk.TclError as e:
        raise NoWindow(_("cannot open a window ({e})").format(e=e), 3) from None
    root.title(title)
    root.resizable(False, False)
    _set_icon(tk, root)
    follow_desktop_dpi(root)
    apply_theme(root, DARK if dark else LIGHT)
    _bind_keys(root)
    on_close(root, root.destroy)
    if os.environ.get(APP_PIPE_ENV):
        close_with_app(root, root.destroy)
    return tk, root


def close_with_app(root: Any, close: Callable[[], object], fd: int = 0) -> None:
    """Call `close` in Tk's thread once `fd` (the app's pipe) reaches its end.

    A thread waits in read(); at the end it puts a virtual event at the tail
    of Tk's queue (tkinter passes the call to Tk's thread), so whatever Tk
    is doing, saving a checklist run above all, finishes first. The thread
    starts from inside the main loop: only then may a thread call into Tk.
    """
    from tkinter import TclError

    root.bind(APP_GONE, lambda event: close())

    def wait() -> None:
        try:
            while os.read(fd, 512):
                pass  # the app writes nothing; read on until the end
        except OSError:
            pass  # a broken pipe is the app gone too
        try:
            root.event_generate(APP_GONE, when="tail")
        except (RuntimeError, TclError):
            pass  # the window closed meanwhile

    root.after_idle(lambda: threading.Thread(target=wait, name="app-pipe",
                                             daemon=True).start())


def on_close(root: Any, close: Callable[[], object]) -> None:
    """Escape and the window manager's close button both go through
    `close`, so a window can ask before it throws answers away."""
    root.protocol("WM_DELETE_WINDOW", close)
    root.bind("<Escape>", lambda e: close())


# ---- start-up pieces -------------------------------------------------------


def _set_icon(tk: Any, root: Any) -> None:
    try:
        icon = tk.PhotoImage(master=root, file=str(asset_path("app.png")))
    except tk.TclError:
        return  # an icon is nice to have; the window works without it
    root.iconphoto(True, icon)  # True: the dialogs it opens get it too
    root._posture_icon = icon  # Tk forgets an image Python no longer holds


# Tcl, as the buttons of Tk's own dialogs have no Python object for a
# callback to use. "break" keeps a window's own Return (the checklist's
# "next page") from firing as well.
PRESS = "event generate %W <<Invoke>>; break"  # not for users


def _bind_keys(root: Any) -> None:
    # ttk buttons answer only Space; people press Return too.
    for widget_class in ("TButton", "TMenubutton"):
        for key in ("<Return>", "<KP_Enter>"):
            root.bind_class(widget_class, key, PRESS)
