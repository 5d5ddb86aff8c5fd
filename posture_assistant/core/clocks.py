"""Tells suspend and clock changes apart, between two wake-ups of the loop,
from two readings of the clocks (taken by app/sensors.py; the core reads none).

Three clocks: the wall clock (time.time: what NTP and people set), the
monotonic clock (never set; on Linux it stops during suspend) and, on Linux,
the boot-time clock (never set, and runs on during suspend). Between two
readings, boot time minus monotonic time is how long the machine slept, and
wall time minus boot time is how far the clock was set. Without a boot-time
clock every forward skew counts as sleep, every backward skew as a change.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Scheduling jitter and slow wake-ups stay well under this; a real suspend
# or clock change is far above it.
THRESHOLD = 30.0


@dataclass(frozen=True)
class Reading:
    wall: float
    mono: float
    boot: float | None  # None where the platform has no boot-time clock


@dataclass(frozen=True)
class Change:
    away: float  # seconds asleep (0 if none worth telling)
    jump: float  # seconds the wall clock was set by (0 if none)


def compare(before: Reading, after: Reading) -> Change:
    wall, mono = after.wall - before.wall, after.mono - before.mono
    if before.boot is not None and after.boot is not None:
        boot = after.boot - before.boot
        away, jump = boot - mono, wall - boot
    else:
        skew = wall - mono
        away, jump = max(skew, 0.0), min(skew, 0.0)
    return Change(away if away >= THRESHOLD else 0.0,
                  jump if abs(jump) >= THRESHOLD else 0.0)


def iso(ts: float | None) -> str | None:
    """A timestamp as local ISO 8601 with its UTC offset, for JSON output."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")
