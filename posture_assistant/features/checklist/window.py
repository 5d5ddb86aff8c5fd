"""The workspace checklist in a window: one page per group, then the result.

Runs as its own short-lived process (`posture-assistant checklist --window`),
so the tray process never loads Tk. Fully usable from the keyboard:
y / n / s answer the current question and move to the next, Tab and Space
work as usual, Return goes to the next page (or, on a focused button,
presses it, as in every window of ours), Escape cancels (asking first if
anything was answered).
"""
from __future__ import annotations

import sys
import time
from typing import Any

from posture_assistant import APP_ID, APP_NAME
from posture_assistant.features.checklist import reminders, report
from posture_assistant.features.checklist.model import changes, fixes, score
from posture_assistant.i18n import N_, _, ngettext
from posture_assistant.storage.content import GROUPS, ChecklistItem
from posture_assistant.storage.settings import Settings
from posture_assistant.storage.store import Store, StoreError
from posture_assistant.ui._theme import DIM, HEADLINE, PRIMARY
from posture_assistant.ui._tk import NoWindow, on_close, open_root

# Sizes in points ("p"), so the window grows with the screen's DPI.
WRAP = "420p"
KEYS = {"y": "yes", "n": "no", "s": "skip"}
LABELS = {"yes": N_("Yes"), "no": N_("No"), "skip": N_("Skip / n.a.")}


def pages(items: list[ChecklistItem]) -> list[tuple[str, list[ChecklistItem]]]:
    """(heading, items) per page: the opening questions, then one page a group."""
    out = [(_("Start here"), [i for i in items if i.first])]
    for group in GROUPS:
        rest = [i for i in items if i.group == group and not i.first]
        if rest:
            out.append((report.group_label(group), rest))
    return [p for p in out if p[1]]


def run_window(items: list[ChecklistItem], settings: Settings, offer: bool = False,
               dark: bool = False) -> int:
    try:
        store, notice = Store.open(settings.data_dir)
    except StoreError as e:
        print(f"posture-assistant: {e}", file=sys.stderr)
        return 1
    if notice:
        print(f"posture-assistant: {notice}", file=sys.stderr)
    with store:
        try:
            tk, root = open_root(_("Check my workspace · {app}").format(app=APP_NAME),
                                 dark=dark)
        except NoWindow as e:
            print("posture-assistant: " + _("{error}; run `posture-assistant checklist` in a "
                                            "terminal instead").format(error=e), file=sys.stderr)
            return e.code
        from tkinter import messagebox, ttk

        window = ChecklistWindow(root, tk, ttk, messagebox, items, store, settings, offer)
        if offer:
            # Recorded once it is on screen: an offer that never showed is
            # made again at the next start.
            reminders.offer_made(store)
        root.mainloop()
    return 0 if window.saved else 1


class ChecklistWindow:
    def __init__(self, root, tk, ttk, messagebox, items, store: Store, settings: Settings,
                 offer: bool = False):
        self.offer = offer  # opened unasked, on first start
        self.root, self.tk, self.ttk, self.messagebox = root, tk, ttk, messagebox
        self.items, self.store, self.settings = items, store, settings
        self.pages = pages(items)
        self.vars = {i.id: tk.StringVar(value="") for i in items}
        self.page = 0
        self.saved = False
        self._first_buttons: dict[str, Any] = {}
        on_close(root, self.cancel)
        root.bind("<Return>", lambda e: self.next())
        for key in KEYS:
            root.bind(f"<Key-{key}>", lambda e, k=key: self.answer_current(KEYS[k]))
        self.body = ttk.Frame(root, padding="12p")
        self.body.grid(sticky="nsew")
        self.show_page()

    # ---- question pages ------------------------------------------------

    def show_page(self) -> None:
        ttk = self.ttk
        for child in self.body.winfo_children():
            child.destroy()
        heading, items = self.pages[self.page]
        ttk.Label(self.body, text=heading, style=HEADLINE).grid(row=0, column=0, sticky="w")
        ttk.Label(self.body, text=_("Page {page} of {pages} · y yes, n no, s skip · Return next "
                                    "· Esc cancel").format(page=self.page + 1,
                                                           pages=len(self.pages)),
                  style=DIM).grid(row=1, column=0, sticky="w", pady=(0, "6p"))
        self._first_buttons = {}
        row = 2
        if self.offer and self.page == 0:
            ttk.Label(self.body, wraplength=WRAP, justify="left", text=_(
                "Welcome to {app}. Would you like to check your workspace? {n} quick yes/no "
                "questions, each with a fix. Not now? Press Esc or Cancel; you can start it "
                "later with “Check my workspace…” or `{prog} checklist`.").format(
                    app=APP_NAME, n=len(self.items), prog=APP_ID)).grid(
                row=row, column=0, sticky="w", pady=(0, "6p"))
            row += 1
        for item in items:
            box = ttk.Frame(self.body)
            box.grid(row=row, column=0, sticky="ew", pady="4.5p")
            ttk.Label(box, text=item.question, wraplength=WRAP, justify="left").grid(
                row=0, column=0, columnspan=3, sticky="w")
            if item.target:
                target = _("Target: {target}").format(target=item.target)
                ttk.Label(box, text=target, wraplength=WRAP, justify="left", style=DIM).grid(
                    row=1, column=0, columnspan=3, sticky="w")
            for column, value in enumerate(LABELS):
                button = ttk.Radiobutton(box, text=_(LABELS[value]), value=value,
                                         variable=self.vars[item.id])
                button.grid(row=2, column=column, sticky="w", padx=(0, "12p"), pady=("2p", 0))
                if column == 0:
                    self._first_buttons[item.id] = button
            row += 1
        nav = ttk.Frame(self.body)
        nav.grid(row=row, column=0, sticky="e", pady=("9p", 0))
        ttk.Button(nav, text=_("Cancel"), command=self.cancel).grid(row=0, column=0, padx="3p")
        if self.page:
            ttk.Button(nav, text=_("Back"), command=self.back).grid(row=0, column=1, padx="3p")
        last = self.page == len(self.pages) - 1
        ttk.Button(nav, text=_("See result") if last else _("Next"), command=self.next,
                   style=PRIMARY).grid(row=0, column=2, padx=("3p", 0))
        self._focus(items[0].id)

    def _focus(self, item_id: str) -> None:
        self.root.lift()
        self._first_buttons[item_id].focus_force()

    def current_item(self) -> ChecklistItem:
        """The question whose buttons have the focus, else the first unanswered."""
        items = self.pages[self.page][1]
        focused = self.root.focus_get()
        for item in items:
            if focused is not None and str(focused).startswith(
                    f"{self._first_buttons[item.id].master}."):
                return item
        return next((i for i in items if not self.vars[i.id].get()), items[-1])

    def answer_current(self, value: str) -> None:
        if self.page >= len(self.pages):
            return
        items = self.pages[self.page][1]
        item = self.current_item()
        self.vars[item.id].set(value)
        index = items.index(item)
        if index + 1 < len(items):
            self._focus(items[index + 1].id)

    def next(self) -> None:
        if self.page >= len(self.pages):
            self.finish()
        elif self.page == len(self.pages) - 1:
            self.page += 1
            self.show_result()
        else:
            self.page += 1
            self.show_page()

    def back(self) -> None:
        self.page -= 1
        self.show_page()

    def answers(self) -> dict[str, str]:
        return {i.id: self.vars[i.id].get() or "skip" for i in self.items}

    def cancel(self) -> None:
        if self.saved or not any(v.get() for v in self.vars.values()):
            self.root.destroy()
            return
        try:
            discard = self.messagebox.askyesno(
                _("Discard answers?"), _("Close the checklist and throw away your answers?"),
                parent=self.root)
        except self.tk.TclError:
            return  # the window went while asking: the app that opened it ended
        if discard:
            self.root.destroy()

    # ---- the result ----------------------------------------------------

    def show_result(self) -> None:
        tk, ttk = self.tk, self.ttk
        answers = self.answers()
        runs = self.store.checklist_runs()
        previous = runs[-1] if runs else None
        try:
            run = reminders.save_run(self.store, self.settings.data_dir, answers, time.time(),
                                     self.settings.checklist_reminder)
        except StoreError as e:  # e.g. a full disk: the answers stay on screen to save again
            self.messagebox.showerror(_("Not saved"), str(e), parent=self.root)
            return
        self.saved = True
        for child in self.body.winfo_children():
            child.destroy()
        value = score(answers)
        title = (_("No score: nothing was answered yes or no") if value is None
                 else _("Your workspace score: {score:g}%").format(score=value))
        ttk.Label(self.body, text=title, style=HEADLINE).grid(row=0, column=0, sticky="w")
        todo = fixes(self.items, answers)
        summary = (ngettext("{n} thing to fix", "{n} things to fix", len(todo)).format(
            n=len(todo)) if todo else _("Nothing to fix."))
        if previous is not None:
            delta = changes(previous.answers, answers)
            summary += " " + _("Since your last check: {better} better, {worse} worse.").format(
                better=len(delta.better), worse=len(delta.worse))
        ttk.Label(self.body, text=summary, wraplength=WRAP).grid(row=1, column=0, sticky="w")
        text = tk.Text(self.body, width=80, height=18, wrap="word", relief="flat")
        text.insert("1.0", report.describe(self.items, run, previous))
        text.configure(state="disabled")
        text.grid(row=2, column=0, sticky="nsew", pady="6p")
        remind = ttk.Frame(self.body)
        remind.grid(row=3, column=0, sticky="w")
        ttk.Label(remind, text=_("Remind me to check again in")).grid(row=0, column=0)
        self.days = tk.StringVar(value=str(round(self.settings.checklist_reminder / 86400)))
        ttk.Spinbox(remind, from_=1, to=365, width=5, textvariable=self.days).grid(
            row=0, column=1, padx="3p")
        ttk.Label(remind, text=_("days")).grid(row=0, column=2)
        ttk.Label(self.body, text=_(report.DISCLAIMER), wraplength=WRAP, style=DIM).grid(
            row=4, column=0, sticky="w", pady=("6p", 0))
        done = ttk.Button(self.body, text=_("Done"), command=self.finish, style=PRIMARY)
        done.grid(row=5, column=0, sticky="e", pady=("6p", 0))
        done.focus_force()

    def finish(self) -> None:
        try:
            days = max(1, min(365, int(self.days.get())))
        except ValueError:
            days = round(self.settings.checklist_reminder / 86400)
        reminders.remind_at(self.store, self.settings.data_dir, time.time() + days * 86400)
        self.root.destroy()
