"""Durations as people type them: 90, 90s, 45m, 1h30m or ISO 8601 PT1H30M."""
from __future__ import annotations

import math
import re

HINT = "expected a duration such as 90, 90s, 45m, 1h30m or PT1H30M"
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_NUMBER = r"\d+(?:\.\d+)?"
_SHORT = re.compile(
    rf"^(?:(?P<d>{_NUMBER})d)?\s*(?:(?P<h>{_NUMBER})h)?\s*(?:(?P<m>{_NUMBER})m)?\s*"
    rf"(?:(?P<s>{_NUMBER})s)?$", re.IGNORECASE)
_ISO = re.compile(
    rf"^P(?:(?P<d>{_NUMBER})D)?(?:T(?:(?P<h>{_NUMBER})H)?(?:(?P<m>{_NUMBER})M)?"
    rf"(?:(?P<s>{_NUMBER})S)?)?$", re.IGNORECASE)


def parse_duration(value: object) -> float:
    """Seconds, from a number of seconds or a duration string."""
    if isinstance(value, bool):
        raise ValueError(HINT)
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _parse_text(value.strip())
    else:
        raise ValueError(HINT)
    if not math.isfinite(seconds):
        raise ValueError(HINT)
    if seconds <= 0:
        raise ValueError("must be longer than 0 seconds")
    return seconds


def _parse_text(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    # "PT" alone, "P" alone or "" would match the all-optional patterns.
    match = _ISO.match(text) if text[:1].upper() == "P" else _SHORT.match(text)
    if not match or not any(match.groupdict().values()) or text.upper().endswith("T"):
        raise ValueError(HINT)
    return sum(float(v) * _UNITS[k] for k, v in match.groupdict().items() if v)


def format_duration(seconds: float) -> str:
    """Compact form that parse_duration reads back: 5400 -> "1h30m"."""
    if seconds < 10 and seconds != int(seconds):
        return f"{seconds:g}s"
    left = round(seconds)
    parts = []
    for unit, size in _UNITS.items():
        if left >= size or (unit == "s" and not parts):
            amount, left = divmod(left, size)
            if amount:
                parts.append(f"{amount}{unit}")
    return "".join(parts) or "0s"


def format_countdown(seconds: float) -> str:
    """For tooltips and messages: whole minutes, rounded up ("42 min")."""
    if seconds < 60:
        return "under 1 min" if seconds > 0 else "now"
    if seconds >= 2 * 86400:
        return f"{round(seconds / 86400)} days"
    minutes = math.ceil(seconds / 60 - 1e-9)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
