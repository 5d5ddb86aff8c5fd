"""The status report: one shape for the running app and for the database
alone, so `status --json` has the same keys either way (see the README)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from posture_assistant import APP_ID as PROG
from posture_assistant import APP_NAME, __version__
from posture_assistant.core.clocks import iso
from posture_assistant.core.durations import format_countdown

TODAY_KEYS = ("prompted", "done", "snoozed", "skipped", "reminded", "natural")
# today.natural counts the store's natural_break rows
_STORE_KIND = {"natural": "natural_break"}


def build_status(*, now: float, counts: dict[str, int], data_dir: str, running: bool = False,
                 pid: int | None = None, state: str = "stopped",
                 next_break_at: float | None = None, paused_until: float | None = None,
                 snoozes_left: int = 0,
                 snooze_options: list[float] | None = None, suggestion: str | None = None,
                 tray: str | None = None, notifications: str | None = None,
                 activity_detection: str | None = None,
                 working_hours: str | None = None,
                 windows: str | None = None) -> dict[str, Any]:
    return {
        "running": running,
        "pid": pid,
        "version": __version__,
        "state": state,
        "next_break_at": iso(next_break_at),
        "seconds_to_next_break": (None if next_break_at is None
                                  else max(0, round(next_break_at - now))),
        "paused_until": iso(paused_until),
        "snoozes_left": snoozes_left,
        "snooze_options": list(snooze_options or []) if snoozes_left else [],
        "suggestion": suggestion,
        "today": {k: counts.get(_STORE_KIND.get(k, k), 0) for k in TODAY_KEYS},
        "tray": tray,
        "notifications": notifications,
        "activity_detection": activity_detection,
        "working_hours": working_hours,
        "windows": windows,
        "data_dir": data_dir,
    }


def describe_status(status: dict[str, Any]) -> str:
    """The human form of a status report, a few lines."""
    today = status["today"]
    lines = []
    if not status["running"]:
        lines.append(f"{APP_NAME} is not running. Start it with `{PROG}`.")
    else:
        lines.append(f"{APP_NAME} is running (pid {status['pid']}, tray: "
                     f"{status['tray'] or 'none'}, notifications: {status['notifications']}).")
        left = format_countdown(status["seconds_to_next_break"] or 0)
        at = (status["next_break_at"] or "")[11:16]
        if status["state"] == "pending":
            lines.append(f"A break is due now: {status['suggestion']}")
            lines.append(f"Answer with `{PROG} done`, `{PROG} snooze` or `{PROG} skip`.")
        elif status["state"] == "off_hours":
            lines.append(f"Outside working hours ({status['working_hours']}): no prompts.")
        elif status["state"] == "away":
            lines.append("You are away: a natural break is under way.")
        elif status["state"] == "paused":
            until = status["paused_until"]
            lines.append(f"Paused until {until[11:16]}." if until else
                         f"Paused until you resume (`{PROG} resume`).")
        elif status["state"] == "snoozed":
            lines.append(f"Snoozed: the break comes back in {left} (at {at}).")
        else:
            lines.append(f"Next break in {left} (at {at}).")
    if status["running"] and status["activity_detection"].startswith("unavailable"):
        lines.append(f"Activity detection {status['activity_detection']}; break timing "
                     "counts wall-clock time.")
    if status["running"] and (status["windows"] or "").startswith("unavailable"):
        lines.append(f"Windows {status['windows']}.")
    done = today["done"]
    lines.append(f"Today: {done} break{'' if done == 1 else 's'} taken, {today['natural']} "
                 f"natural, {today['prompted']} prompted, {today['snoozed']} snoozed, "
                 f"{today['skipped']} skipped.")
    return "\n".join(lines)
