"""From a command's name and arguments (the tray, the panel, the CLI, all
over the same words) to the core's input."""
from __future__ import annotations

import queue
from dataclasses import dataclass
from typing import Any

from posture_assistant.core.events import (
    BreakNow, Command, Done, Input, Pause, Quit, Resume, Skip, Snooze,
)
from posture_assistant.storage.durations import WEEK, YEAR, parse_duration
from posture_assistant.storage.store import local_day_bounds

# The commands that are the core's inputs, and how each is built.
INPUTS = {
    Command.DONE: lambda now, args, settings: Done(now),
    Command.SKIP: lambda now, args, settings: Skip(now),
    Command.BREAK: lambda now, args, settings: BreakNow(now),
    Command.QUIT: lambda now, args, settings: Quit(now),
    Command.RESUME: lambda now, args, settings: Resume(now),
    Command.SNOOZE: lambda now, args, settings: Snooze(
        now, _seconds(args, WEEK) or settings.snooze_options[0]),
    Command.PAUSE: lambda now, args, settings: Pause(now, pause_end(now, args)),
}


@dataclass
class Request:
    name: str
    args: dict
    reply: queue.Queue | None  # None: from the tray or a signal, nobody waits


def parse(name: str) -> Command | None:
    try:
        return Command(name)
    except ValueError:
        return None


def to_input(command: Command, args: dict, now: float, settings: Any) -> Input:
    return INPUTS[command](now, args, settings)


def pause_end(now: float, args: dict) -> float | None:
    """{"seconds": s}, {"tomorrow": true} (next local midnight) or {} (until resumed)."""
    if args.get("tomorrow"):
        return local_day_bounds(now)[1]
    seconds = _seconds(args, YEAR)
    return None if seconds is None else now + seconds


def _seconds(args: dict, maximum: float) -> float | None:
    """args["seconds"] as the CLI would have checked it; ValueError with the
    reason for a client that sent something else."""
    if not args.get("seconds"):
        return None
    return parse_duration(args["seconds"], maximum)
