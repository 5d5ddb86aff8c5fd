"""Our own small window with the tray menu's actions.

It runs in a short-lived child process (`posture-assistant panel`) so the
tray process never loads Tk, and it talks to the app over the same control
channel as the CLI. It works fully from the keyboard: the focused button
answers Return and Space, Tab moves, Escape closes, and each action has a
letter (see `texts.menu`: d, s, k, b, r, p, c). Its words and its actions
are the tray menu's, from the same function.

It never asks the app how things stand: it watches (see storage/control),
and the app sends the status whenever what the window shows changes. So a
prompt answered elsewhere (tray, CLI, notification) closes its window at
once, the window closes when the app quits, and neither process wakes
while nothing happens.
"""
from __future__ import annotations

import queue
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from posture_assistant import APP_NAME
from posture_assistant.app import texts
from posture_assistant.core.events import Command
from posture_assistant.i18n import _
from posture_assistant.storage.control_client import ControlError, Watch, request, watch
from posture_assistant.ui._theme import DIM, HEADLINE, PRIMARY, SMALL
from posture_assistant.ui._tk import NoWindow, open_root

CLOSE_AFTER_MS = 1500
# The virtual event that tells Tk's thread a message from the app is waiting.
PUBLISHED = "<<PostureStatus>>"  # not for users
# Sizes in points ("p"), so the window grows with the screen's DPI.
WRAP = "285p"


def run_panel(data_dir: Path, dark: bool = False) -> int:
    try:
        watching = watch(data_dir)
    except ControlError as e:
        return _fail(str(e))
    if watching is None:
        return _fail(texts.not_running())
    first = watching.first
    if "status" not in first:  # the app was too busy to answer
        watching.close()
        return _fail(first.get("message") or texts.busy())
    try:
        tk, root = open_root(APP_NAME, dark=dark)
    except NoWindow as e:
        watching.close()
        return _fail(str(e), e.code)
    from tkinter import ttk

    # Plain strings on the wire: the app may be another version of us.
    panel = Panel(root, tk, ttk, lambda cmd, **a: request(
        data_dir, {"cmd": str(Command(cmd).value), "args": a}), first["status"])
    if first.get("ok"):
        # Started from inside the main loop: a thread may call into Tk only
        # while the main loop runs (tkinter waits at most a second for it).
        root.after_idle(lambda: listen(root, watching, panel.published))
    # Else an app started before an upgrade, which does not know `watch`
    # (every reply has the status): the window works, without updates.
    root.mainloop()
    return 0


def listen(root, watching: Watch, on_message: Callable[[dict | None], None]) -> None:
    """Read what the app publishes in a thread of its own, and hand each
    message to Tk's thread: into a queue, with a virtual event at the tail
    of Tk's event queue to say so (tkinter passes the call to Tk's thread;
    Tcl is built with threads everywhere we run). None: the app is gone.
    Nothing runs until a message comes: no timer in either process."""
    from tkinter import TclError

    inbox: queue.Queue[dict | None] = queue.Queue()
    root.bind(PUBLISHED, lambda event: on_message(inbox.get_nowait()))

    def read() -> None:
        while True:
            message = watching.next()
            inbox.put(message)
            try:
                root.event_generate(PUBLISHED, when="tail")
            except (RuntimeError, TclError):
                return  # the window has closed meanwhile
            if message is None:
                return

    threading.Thread(target=read, name="watch", daemon=True).start()


def _fail(message: str, code: int = 1) -> int:
    print(f"posture-assistant: {message}", file=sys.stderr)
    return code


class Panel:
    def __init__(self, root, tk, ttk, ask: Callable[..., dict | None], status: dict[str, Any]):
        self.root, self.ttk, self.ask, self._tk = root, ttk, ask, tk
        # Opened for a prompt: once the prompt is answered anywhere (tray,
        # CLI), the window has done its job and closes.
        self._for_prompt = texts.answering(status["state"])
        frame = ttk.Frame(root, padding="12p")
        frame.grid(sticky="nsew")
        self.headline = ttk.Label(frame, style=HEADLINE)
        self.headline.grid(row=0, column=0, sticky="w")
        self.detail = ttk.Label(frame, wraplength=WRAP, justify="left")
        self.detail.grid(row=1, column=0, sticky="w", pady=("4.5p", 0))
        self.buttons = ttk.Frame(frame)
        self.buttons.grid(row=2, column=0, sticky="ew", pady=("9p", 0))
        self.today = ttk.Label(frame, style=DIM)
        self.today.grid(row=3, column=0, sticky="w", pady=("9p", 0))
        ttk.Label(frame, text=_(texts.DISCLAIMER), wraplength=WRAP, justify="left",
                  style=SMALL).grid(row=4, column=0, sticky="w", pady=("6p", 0))
        self._shape: tuple | None = None
        self._keys: list[str] = []
        self._closing = False  # an action of ours succeeded: its answer shows, then we go
        self.show(status)
        root.lift()
        # Take the keyboard focus, on the first button, so Return answers the
        # prompt without reaching for the mouse.
        self._first.focus_force()

    # ---- state ---------------------------------------------------------

    def published(self, message: dict | None) -> None:
        """What the app sent: its status, or None when it has gone."""
        if self._closing:
            return
        if message is None:
            self.root.destroy()  # the app has quit; nothing left to control
        elif self._for_prompt and not texts.answering(message["status"]["state"]):
            self.root.destroy()  # answered elsewhere: this window's job is done
        else:
            self.show(message["status"])

    def show(self, status: dict[str, Any]) -> None:
        view = texts.panel_view(status, time.time())
        self.headline.configure(text=view.headline)
        self.detail.configure(text=view.detail)
        if view.on_top:
            self.root.attributes("-topmost", True)
        self.today.configure(text=view.today)
        menu = view.menu
        if menu != self._shape:
            self._shape = menu
            self._build_buttons(menu)

    def _build_buttons(self, menu) -> None:
        for child in self.buttons.winfo_children():
            child.destroy()
        for key in self._keys:
            self.root.unbind(f"<Key-{key}>")
        self._keys = [entry.key for entry in menu if entry.key]
        # The first action is the one the focus starts on: it looks it.
        buttons = [self._button(entry, PRIMARY if i == 0 else "TButton")
                   for i, entry in enumerate(menu)]
        close = self.ttk.Button(self.buttons, text=_("Close"), command=self.root.destroy)
        for column, button in enumerate([*buttons, close]):
            button.grid(row=column // 3, column=column % 3, sticky="ew", padx="1.5p",
                        pady="1.5p")
        buttons[0].focus_set()
        self._first = buttons[0]

    def _button(self, entry, style: str):
        """A button for an action, or a menu button for a choice of them
        (its key opens the menu)."""
        if entry.children:
            button = self.ttk.Menubutton(self.buttons, text=entry.label + "…")
            menu = self._tk.Menu(button, tearoff=False)
            for child in entry.children:
                menu.add_command(label=child.label,
                                 command=lambda c=child: self.act(c.command, **c.args))
            button["menu"] = menu
            # Its key posts the menu as Space and Return do.
            action = lambda: button.event_generate("<<Invoke>>")  # noqa: E731
        else:
            button = self.ttk.Button(self.buttons, text=entry.label, style=style,
                                     command=lambda: self.act(entry.command, **entry.args))
            action = button.invoke
        if entry.key:
            self.root.bind(f"<Key-{entry.key}>", lambda e: action())
        return button

    # ---- actions -------------------------------------------------------

    def act(self, cmd: str, **args: Any) -> None:
        try:
            reply = self.ask(cmd, **args)
        except ControlError as e:
            reply = {"ok": False, "message": str(e)}
        if reply is None:
            reply = {"ok": False, "message": texts.not_running()}
        self.detail.configure(text=reply.get("message", ""))
        if reply.get("ok"):
            self._closing = True
            for child in self.buttons.winfo_children():
                child.state(["disabled"])
            self.root.after(CLOSE_AFTER_MS, self.root.destroy)
