"""The checklist's two facts outside its runs: when to suggest the next
check, and whether the first-start offer was made.

This module is their only reader and writer. Every saved run goes through
`save_run()`, which sets the next re-check date and tells a running app at
once, so the app's re-check timer can never miss a date, whichever window,
command or key saved it. The checklist window writes its own feature's
tables (it runs in its own process); everything else changes only through
the app.
"""
from __future__ import annotations

from pathlib import Path

from posture_assistant.core.events import Command
from posture_assistant.features.checklist.model import score
from posture_assistant.storage.store import ChecklistRun, Store

REMIND_KEY = "checklist_remind_at"  # unix seconds of the next re-check reminder
OFFER_KEY = "checklist_offer"  # "offered" once the first-start offer was made


def save_run(store: Store, data_dir: Path, answers: dict[str, str], now: float,
             remind_after: float) -> ChecklistRun:
    run = store.save_checklist(now, answers, score(answers))
    remind_at(store, data_dir, now + remind_after)
    return run


def remind_at(store: Store, data_dir: Path, at: float) -> None:
    """Set the next re-check date, and let a running app pick it up."""
    store.set_meta(REMIND_KEY, str(at))
    _tell_app(data_dir)


def reminded(store: Store, now: float, period: float) -> float:
    """The app showed a re-check reminder: the next one is a whole period
    from now. Returns that date; the caller is the app, so no message."""
    at = now + period
    store.set_meta(REMIND_KEY, str(at))
    return at


def next_recheck(store: Store) -> float | None:
    value = store.get_meta(REMIND_KEY)
    return float(value) if value else None


def offer_due(store: Store) -> bool:
    """First start: never offered, and never checked."""
    return not store.get_meta(OFFER_KEY) and not store.checklist_runs()


def offer_made(store: Store) -> None:
    store.set_meta(OFFER_KEY, "offered")


def _tell_app(data_dir: Path) -> None:
    from posture_assistant.storage.control_client import ControlError, request

    try:
        request(data_dir, {"cmd": Command.CHECKLIST_SAVED.value})
    except ControlError:
        pass  # no app running: it reads the date when it starts
