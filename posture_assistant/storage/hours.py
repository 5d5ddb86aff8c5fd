"""Working hours: when prompts may come, per weekday, in local time.

Written as text ("mon-fri 09:00-12:30, 13:30-17:30; sat 10:00-12:00") or,
in TOML, as a table of day (or day range) to a list of ranges. The core only
ever sees "inside until t" or "outside until t"; local time, DST and the
zone are handled here.
"""
from __future__ import annotations

from posture_assistant.i18n import N_, _, clip
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HINT = N_('expected e.g. "mon-fri 09:00-12:30, 13:30-17:30; sat 10:00-12:00"')
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class WorkingHours:
    # weekday (0 = Monday) -> sorted (start, end) minutes after local midnight
    days: tuple[tuple[tuple[int, int], ...], ...]

    def __str__(self) -> str:
        parts = []
        for day, ranges in enumerate(self.days):
            if ranges:
                spans = ", ".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in ranges)
                parts.append(f"{DAYS[day]} {spans}")
        return "; ".join(parts)


def parse_working_hours(value: Any) -> WorkingHours | None:
    """None for "always on"; ValueError (one line) for anything malformed."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "always")):
        return None
    if isinstance(value, WorkingHours):
        return value
    if isinstance(value, str):
        entries = []
        for part in filter(None, (p.strip() for p in value.split(";"))):
            head, _sep, rest = part.partition(" ")
            entries.append((head, [r for r in rest.split(",") if r.strip()]))
    elif isinstance(value, dict):
        entries = [(k, [v] if isinstance(v, str) else v) for k, v in value.items()]
    else:
        raise ValueError(_(HINT))
    days: list[list[tuple[int, int]]] = [[] for _day in DAYS]
    for head, ranges in entries:
        if not isinstance(ranges, list) or not ranges:
            raise ValueError(_("{head} has no time ranges such as 09:00-17:30").format(
                head=_shown(head)))
        for day in _days(head):
            days[day] += [_range(r) for r in ranges]
    for ranges in days:
        ranges.sort()
        for (_start, end), (start, _end) in zip(ranges, ranges[1:]):
            if start < end:
                raise ValueError(_("time ranges on one day overlap"))
    if not any(days):
        raise ValueError(_(HINT))
    return WorkingHours(tuple(tuple(r) for r in days))


def _days(text: str) -> list[int]:
    text = text.strip().lower()
    first, _sep, last = text.partition("-")
    if first not in DAYS or (last and last not in DAYS):
        raise ValueError(_("unknown day {text}; use mon, tue, wed, thu, fri, sat, sun or a "
                           "range like mon-fri").format(text=_shown(text)))
    a, b = DAYS.index(first), DAYS.index(last or first)
    return list(range(a, b + 1)) if a <= b else [*range(a, 7), *range(0, b + 1)]


def _range(text: Any) -> tuple[int, int]:
    match = _RANGE.match(str(text).strip())
    if not match:
        raise ValueError(_("{text} is not a time range like 09:00-17:30").format(
            text=_shown(text)))
    h1, m1, h2, m2 = map(int, match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(_("{text} is not a time of day").format(text=_shown(text)))
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise ValueError(_("{text} ends before it starts").format(text=_shown(text)))
    return start, end


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _timestamp(day: date, minutes: int, tz: ZoneInfo | None) -> float:
    moment = datetime.combine(day, clock()) + timedelta(minutes=minutes)
    if tz is not None:
        return moment.replace(tzinfo=tz).timestamp()
    # The system's local time, DST included.
    return time.mktime((*moment.timetuple()[:6], 0, 0, -1))


def where(now: float, hours: WorkingHours, tz: ZoneInfo | None = None) -> tuple[bool, float]:
    """(inside working hours now?, when that changes), as UTC timestamps."""
    today = (datetime.fromtimestamp(now, tz) if tz else datetime.fromtimestamp(now)).date()
    spans = []
    for offset in range(-1, 9):
        day = today + timedelta(days=offset)
        for start, end in hours.days[day.weekday()]:
            spans.append((_timestamp(day, start, tz), _timestamp(day, end, tz)))
    spans.sort()
    merged: list[list[float]] = []
    for start, end in spans:  # 17:00-24:00 then 00:00-02:00 is one span
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in merged:
        if start <= now < end:
            return True, end
        if now < start:
            return False, start
    raise AssertionError("working hours exist every week, so a span lies ahead")


def _shown(value: Any) -> str:
    """A part of the user's value as it goes into a message: short."""
    return clip(repr(value), 30)
