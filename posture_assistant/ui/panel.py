"""Our own small window with the tray menu's actions.

It runs in a short-lived child process (`posture-assistant panel`) so the
tray process never loads Tk, and it talks to the app over the same control
channel as the CLI. It works fully from the keyboard: the focused button
answers Return and Space, Tab moves, Escape closes, and each action has a
letter (see `texts.menu`: d, s, k, b, r, p, c). Its words and its actions
are the tray menu's, from the same function.
"""
from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from posture_assistant import APP_NAME
from posture_assistant.app import texts
from posture_assistant.core.events import Command, State
from posture_assistant.i18n import _
from posture_assistant.storage.control import ControlError, request
from posture_assistant.ui._theme import DIM, HEADLINE, PRIMARY, SMALL
from posture_assistant.ui._tk import NoWindow, open_root

# Only while the window is open. The countdown shows whole minutes; a prompt
# answered elsewhere (tray, CLI) should close its window soon after.
REFRESH_MS = 5000
PROMPT_REFRESH_MS = 1500
CLOSE_AFTER_MS = 1500
# Sizes in points ("p"), so the window grows with the screen's DPI.
WRAP = "285p"


def run_panel(data_dir: Path, dark: bool = False) -> int:
    try:
        first = request(data_dir, {"cmd": Command.STATUS.value})
    except ControlError as e:
        return _fail(str(e))
    if first is None:
        return _fail(texts.not_running())
    try:
        tk, root = open_root(APP_NAME, dark=dark)
    except NoWindow as e:
        return _fail(str(e), e.code)
    from tkinter import ttk

    # Plain strings on the wire: the app may be another version of us.
    Panel(root, tk, ttk, lambda cmd, **a: request(data_dir, {"cmd": str(Command(cmd).value),
                                                             "args": a}),
          first["status"])
    root.mainloop()
    return 0


def _fail(message: str, code: int = 1) -> int:
    print(f"posture-assistant: {message}", file=sys.stderr)
    return code


def situation(status: dict[str, Any]) -> texts.Situation:
    """The app's status report, as the texts read it."""
    now = time.time()
    seconds = status["seconds_to_next_break"]
    until = status["paused_until"]
    return texts.Situation(
        state=State(status["state"]), now=now,
        next_break_at=None if seconds is None else now + seconds,
        paused_until=None if until is None else datetime.fromisoformat(until).timestamp(),
        snoozes_left=status["snoozes_left"],
        snooze_options=tuple(status.get("snooze_options") or ()),
        done_today=status["today"]["done"])


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
        self.show(status)
        root.after(self._refresh_ms, self.refresh)
        root.lift()
        # Take the keyboard focus, on the first button, so Return answers the
        # prompt without reaching for the mouse.
        self._first.focus_force()

    # ---- state ---------------------------------------------------------

    def refresh(self) -> None:
        try:
            reply = self.ask(Command.STATUS.value)
        except ControlError:
            reply = None
        if reply is None:
            self.root.destroy()  # the app has quit; nothing left to control
            return
        if self._for_prompt and not texts.answering(reply["status"]["state"]):
            self.root.destroy()
            return
        self.show(reply["status"])
        self.root.after(self._refresh_ms, self.refresh)

    @property
    def _refresh_ms(self) -> int:
        return PROMPT_REFRESH_MS if self._for_prompt else REFRESH_MS

    def show(self, status: dict[str, Any]) -> None:
        s = situation(status)
        self.headline.configure(text=texts.headline(s))
        self.detail.configure(text=texts.panel_detail(s, status.get("suggestion")))
        if s.state is State.PENDING:
            self.root.attributes("-topmost", True)
        today = status["today"]
        self.today.configure(text=texts.panel_today(today))
        menu = texts.menu(s, panel=True)
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
            for child in self.buttons.winfo_children():
                child.state(["disabled"])
            self.root.after(CLOSE_AFTER_MS, self.root.destroy)
