"""The status report: one shape for the running app and for the database
alone, so `status --json` has the same keys either way (see the README)."""
from __future__ import annotations

from typing import Any

from posture_assistant import __version__
from posture_assistant.core.clocks import iso
from posture_assistant.core.events import EventKind

# The `today` counts: JSON key -> the event kind it counts.
TODAY = {"prompted": EventKind.PROMPTED, "done": EventKind.DONE, "snoozed": EventKind.SNOOZED,
         "skipped": EventKind.SKIPPED, "reminded": EventKind.REMINDED,
         "natural": EventKind.NATURAL_BREAK}


def build_status(*, now: float, counts: dict[str, int], data_dir: str, running: bool = False,
                 pid: int | None = None, state: str = "stopped",
                 next_break_at: float | None = None, paused_until: float | None = None,
                 snoozes_left: int = 0,
                 snooze_options: list[float] | None = None, suggestion: str | None = None,
                 tray: str | None = None, tray_detail: str | None = None,
                 notifications: str | None = None,
                 activity_detection: str | None = None,
                 fullscreen_detection: str | None = None,
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
        "today": {key: counts.get(kind.value, 0) for key, kind in TODAY.items()},
        "tray": tray,
        "tray_detail": tray_detail,
        "notifications": notifications,
        "activity_detection": activity_detection,
        "fullscreen_detection": fullscreen_detection,
        "working_hours": working_hours,
        "windows": windows,
        "data_dir": data_dir,
    }

