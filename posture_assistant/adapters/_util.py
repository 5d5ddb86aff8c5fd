"""What every adapter package shares, as pystray's `_util` does: the null
object that stands in when no backend works, the loop that picks the first
backend that does, and the short reason an error gives."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable


class Unusable(Exception):
    """A backend cannot work here; str(e) is a short reason for the user,
    e.g. "the X server has no MIT-SCREEN-SAVER extension"."""


@dataclass(frozen=True)
class Unavailable:
    """No backend works here, and why: the app asks `available` and reports
    `reason`, the same way for every concern."""

    reason: str
    name: str = "none"
    available = False


def open_first(package: str, candidates: list[str], probe: Callable[[Any], object]) -> Any:
    """The first candidate module of `package` whose `open()` works and
    whose source answers `probe`; else Unavailable with every reason."""
    reasons = []
    for name in candidates:
        try:
            source = importlib.import_module(f"{package}.{name}").open()
            probe(source)
            return source
        except Unusable as e:
            reasons.append(str(e))
        except Exception as e:  # a first look that failed in a way we did not foresee
            reasons.append(f"{name.lstrip('_')}: {type(e).__name__}: {first_line(e)}")
    return Unavailable("; ".join(reasons))


def first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
