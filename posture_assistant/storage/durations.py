"""Durations as people type them: 90, 90s, 45m, 1h30m or ISO 8601 PT1H30M."""
from __future__ import annotations

from posture_assistant.i18n import N_, _
import math
import re

HINT = N_("expected a duration such as 90, 90s, 45m, 1h30m or PT1H30M")
# The longest lengths that make sense: a break rhythm, a snooze or a hold
# of a week at most, a pause or a re-check reminder of a year. Without a
# bound, a typo of many zeros went past the year 9999, where dates end.
WEEK = 7 * 86400.0
YEAR = 366 * 86400.0
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
# ASCII digits only: \d would also take other scripts' digits.
_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
# A sign is allowed so that "-5" gets the "longer than 0" message, not the hint.
_PLAIN = re.compile(rf"[+-]?{_NUMBER}")
# Each unit at most once, largest first; "1h 30m" is as good as "1h30m".
# The spaces belong to the unit before them: free-standing \s* between
# optional groups let a long run of spaces be split three ways, which took
# seconds for 1,000 spaces and forever for more.
_SHORT = re.compile(
    rf"(?:(?P<d>{_NUMBER})d\s*)?(?:(?P<h>{_NUMBER})h\s*)?(?:(?P<m>{_NUMBER})m\s*)?"
    rf"(?:(?P<s>{_NUMBER})s)?", re.IGNORECASE)
# "1d 23h 59m 59.999s" is 18 characters; anything much longer is not a duration.
_MAX_TEXT = 64
# No years or months: they have no fixed length. A "T" must lead somewhere.
_ISO = re.compile(
    rf"P(?:(?P<d>{_NUMBER})D)?(?:T(?=[0-9])(?:(?P<h>{_NUMBER})H)?(?:(?P<m>{_NUMBER})M)?"
    rf"(?:(?P<s>{_NUMBER})S)?)?", re.IGNORECASE)


def parse_duration(value: object, maximum: float = YEAR) -> float:
    """Seconds, from a number of seconds or a duration string, at most
    `maximum`; ValueError with a one-line reason otherwise."""
    if isinstance(value, str):
        seconds = _parse_text(value.strip())
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            seconds = float(value)
        except OverflowError:  # an int too big for a float
            raise ValueError(_(HINT)) from None
    else:
        raise ValueError(_(HINT))
    if not math.isfinite(seconds):
        raise ValueError(_(HINT))
    if seconds <= 0:
        raise ValueError(_("must be longer than 0 seconds"))
    if seconds > maximum:
        raise ValueError(_("must be at most {limit}").format(limit=format_duration(maximum)))
    return seconds


def _parse_text(text: str) -> float:
    if len(text) > _MAX_TEXT:
        raise ValueError(_(HINT))
    if _PLAIN.fullmatch(text):
        return float(text)
    match = _SHORT.fullmatch(text) or _ISO.fullmatch(text)
    parts = match.groupdict() if match else {}
    # Every part is optional, so "", "P" and "PT" match with nothing in them.
    if not any(parts.values()):
        raise ValueError(_(HINT))
    return sum(float(amount) * _UNITS[unit] for unit, amount in parts.items() if amount)


def format_duration(seconds: float) -> str:
    """Compact form that parse_duration reads back: 5400 -> "1h30m".

    Whole seconds, except below 10 s where a fraction still matters (kept
    to the millisecond, so the text never needs an exponent)."""
    if seconds < 10 and seconds != round(seconds):
        return f"{round(seconds, 3):g}s"
    left = round(seconds)
    parts = []
    for unit, size in _UNITS.items():
        amount, left = divmod(left, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0s"

