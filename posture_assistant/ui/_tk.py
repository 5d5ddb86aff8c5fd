"""Starting Tk for our windows, and saying in one place why it cannot start.

Both the tray process (which never loads Tk) and the window processes use
this, so a user sees the same words and the same fix wherever it fails.
"""
from __future__ import annotations

import importlib.util
from typing import Any

from posture_assistant import APP_ID
from posture_assistant.i18n import N_, _

TK_MISSING = N_("this Python has no tkinter, so no window can open; install it "
              "(Debian/Ubuntu: sudo apt install python3-tk; Fedora: python3-tkinter; "
              "Arch: tk; Homebrew: python-tk)")


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


def open_root() -> tuple[Any, Any]:
    """(the tkinter module, a new Tk root), or NoWindow saying why not."""
    try:
        import tkinter as tk
    except ImportError:
        raise NoWindow(_(TK_MISSING), 1) from None
    try:
        return tk, tk.Tk(className=APP_ID)
    except tk.TclError as e:
        raise NoWindow(_("cannot open a window ({e})").format(e=e), 3) from None
