"""Our own small window with the tray menu's actions.

It runs in a short-lived child process (`posture-assistant panel`) so the
tray process never loads Tk, and it talks to the app over the same control
channel as the CLI. It works fully from the keyboard: the focused button
answers Return and Space, Tab moves, Escape closes, and each action has a
letter (d, s, k, b).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

from posture_assistant import APP_NAME
from posture_assistant.files import asset_path
from posture_assistant.app.commands import PAUSES
from posture_assistant.storage.control import ControlError, request
from posture_assistant.core.durations import format_countdown, format_duration
from posture_assistant.ui._tk import NoWindow, open_root

# Only while the window is open. The countdown shows whole minutes; a prompt
# answered elsewhere (tray, CLI) should close its window soon after.
REFRESH_MS = 5000
PROMPT_REFRESH_MS = 1500
CLOSE_AFTER_MS = 1500
DISCLAIMER = ("General wellness tips, not medical advice. Stop any stretch that hurts, "
              "and see a health professional if pain lasts or spreads.")


def run_panel(data_dir: Path) -> int:
    try:
        first = request(data_dir, {"cmd": "status"})
    except ControlError as e:
        print(f"posture-assistant: {e}", file=sys.stderr)
        return 1
    if first is None:
        print(f"posture-assistant: {APP_NAME} is not running", file=sys.stderr)
        return 1
    try:
        tk, root = open_root()
    except NoWindow as e:
        print(f"posture-assistant: {e}", file=sys.stderr)
        return e.code
    from tkinter import ttk

    Panel(root, tk, ttk, lambda cmd, **a: request(data_dir, {"cmd": cmd, "args": a}),
          first["status"])
    root.mainloop()
    return 0


def snooze_text(seconds: float) -> str:
    return f"Snooze {format_countdown(seconds)}" if seconds >= 60 else f"Snooze {format_duration(seconds)}"


class Panel:
    def __init__(self, root, tk, ttk, ask: Callable[..., dict | None], status: dict[str, Any]):
        self.root, self.ttk, self.ask, self._tk = root, ttk, ask, tk
        # Opened for a prompt: once the prompt is answered anywhere (tray,
        # CLI), the window has done its job and closes.
        self._for_prompt = status["state"] in ("pending", "snoozed")
        root.title(APP_NAME)
        root.resizable(False, False)
        try:
            self._icon = tk.PhotoImage(file=str(asset_path("app.png")))
            root.iconphoto(True, self._icon)
        except Exception:
            pass  # an icon is nice to have; the window works without it
        root.bind("<Escape>", lambda e: root.destroy())
        frame = ttk.Frame(root, padding=16)
        frame.grid(sticky="nsew")
        self.headline = ttk.Label(frame, font=("TkDefaultFont", 14, "bold"))
        self.headline.grid(row=0, column=0, sticky="w")
        self.detail = ttk.Label(frame, wraplength=380, justify="left")
        self.detail.grid(row=1, column=0, sticky="w", pady=(6, 0))
        self.buttons = ttk.Frame(frame)
        self.buttons.grid(row=2, column=0, sticky="ew", pady=(12, 0))
        self.today = ttk.Label(frame, foreground="#555")
        self.today.grid(row=3, column=0, sticky="w", pady=(12, 0))
        ttk.Label(frame, text=DISCLAIMER, wraplength=380, justify="left",
                  foreground="#666", font=("TkDefaultFont", 8)).grid(
            row=4, column=0, sticky="w", pady=(8, 0))
        self._shape: tuple | None = None
        self.show(status)
        root.after(self._refresh_ms, self.refresh)
        root.lift()
        # Take the keyboard focus, on the first button, so Return answers the
        # prompt without reaching for the mouse.
        self._first.focus_force()

    # ---- state ---------------------------------------------------------

    def refresh(self) -> None:
        try:
            reply = self.ask("status")
        except ControlError:
            reply = None
        if reply is None:
            self.root.destroy()  # the app has quit; nothing left to control
            return
        if self._for_prompt and reply["status"]["state"] == "counting":
            self.root.destroy()
            return
        self.show(reply["status"])
        self.root.after(self._refresh_ms, self.refresh)

    @property
    def _refresh_ms(self) -> int:
        return PROMPT_REFRESH_MS if self._for_prompt else REFRESH_MS

    def show(self, status: dict[str, Any]) -> None:
        state = status["state"]
        left = format_countdown(status["seconds_to_next_break"] or 0)
        if state == "pending":
            self.headline.configure(text="Time to stand up and stretch")
            self.detail.configure(text=status.get("suggestion") or "")
            self.root.attributes("-topmost", True)
        elif state == "off_hours":
            self.headline.configure(text="Outside working hours")
            self.detail.configure(text="No prompts until your working hours start.")
        elif state == "away":
            self.headline.configure(text="Welcome back")
            self.detail.configure(text="Your time away counts as a natural break.")
        elif state == "paused":
            until = status.get("paused_until")
            self.headline.configure(text=f"Paused until {until[11:16]}" if until
                                    else "Paused until you resume")
            self.detail.configure(text="No prompts while paused.")
        elif state == "snoozed":
            self.headline.configure(text=f"Snoozed: break in {left}")
            self.detail.configure(text=status.get("suggestion") or "")
        else:
            self.headline.configure(text=f"Next break in {left}")
            self.detail.configure(text="Nothing to do right now.")
        today = status["today"]
        self.today.configure(text=f"Today: {today['done']} taken · {today['prompted']} prompted "
                                  f"· {today['snoozed']} snoozed · {today['skipped']} skipped")
        shape = (state, tuple(status.get("snooze_options") or ()))
        if shape != self._shape:
            self._shape = shape
            self._build_buttons(*shape)

    def _build_buttons(self, state: str, snoozes: tuple[float, ...]) -> None:
        pending = state in ("pending", "snoozed")
        for child in self.buttons.winfo_children():
            child.destroy()
        for key in ("d", "s", "k", "b", "c", "r", "p"):
            self.root.unbind(f"<Key-{key}>")
        actions: list[tuple[str, str, Callable[[], None]]] = []
        if pending:
            actions.append(("Done: I took my break", "d", lambda: self.act("done")))
            for i, seconds in enumerate(snoozes):
                actions.append((snooze_text(seconds), "s" if i == 0 else "",
                                lambda s=seconds: self.act("snooze", seconds=s)))
            actions.append(("Skip this break", "k", lambda: self.act("skip")))
        elif state == "paused":
            actions.append(("Resume", "r", lambda: self.act("resume")))
        else:
            actions.append(("Take a break now", "b", lambda: self.act("break")))
        actions.append(("Check my workspace…", "c", lambda: self.act("checklist")))
        actions.append((f"Quit {APP_NAME}", "", lambda: self.act("quit")))
        actions.append(("Close", "", self.root.destroy))
        first = None
        for column, (text, key, command) in enumerate(actions):
            button = self.ttk.Button(self.buttons, text=text, command=command)
            button.grid(row=column // 3, column=column % 3, sticky="ew", padx=2, pady=2)
            button.bind("<Return>", lambda e, c=command: c())
            if key:
                self.root.bind(f"<Key-{key}>", lambda e, c=command: c())
            first = first or button
        if state != "paused":
            self._pause_button(len(actions))
        first.focus_set()
        self._first = first

    def _pause_button(self, column: int) -> None:
        """A menu button with the tray menu's pause choices (key p opens it)."""
        button = self.ttk.Menubutton(self.buttons, text="Pause…")
        menu = self._tk.Menu(button, tearoff=False)
        for label, args in PAUSES:
            menu.add_command(label=label, command=lambda a=args: self.act("pause", **a))
        button["menu"] = menu
        button.grid(row=column // 3, column=column % 3, sticky="ew", padx=2, pady=2)
        self.root.bind("<Key-p>", lambda e: menu.tk_popup(button.winfo_rootx(),
                                                          button.winfo_rooty()))

    # ---- actions -------------------------------------------------------

    def act(self, cmd: str, **args: Any) -> None:
        try:
            reply = self.ask(cmd, **args)
        except ControlError as e:
            reply = {"ok": False, "message": str(e)}
        if reply is None:
            reply = {"ok": False, "message": f"{APP_NAME} is not running"}
        self.detail.configure(text=reply.get("message", ""))
        if reply.get("ok"):
            for child in self.buttons.winfo_children():
                child.state(["disabled"])
            self.root.after(CLOSE_AFTER_MS, self.root.destroy)
