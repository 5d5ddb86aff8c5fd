"""What the computer can tell the core between two wake-ups: a fullscreen
window in front, a suspend or a clock change, working hours, and how long
the user has been idle, in that order.

The order matters: a fullscreen look comes first because every input lets
due timers fire, and a prompt that falls due now must already know it is
held; suspend and clock changes explain the time that passed before the
hours and the idle time are read against it. A sensor that stops working
is swapped for its null object and said once; the app runs on without it.
"""
from __future__ import annotations

import time
from typing import Any, Callable

from posture_assistant.adapters._util import Unavailable
from posture_assistant.core import clocks
from posture_assistant.storage import hours
from posture_assistant.core.events import ClockJump, Fullscreen, Hours, Idle, Input, TimeAway
from posture_assistant.i18n import _


def read_clocks() -> clocks.Reading:
    boot = getattr(time, "CLOCK_BOOTTIME", None)
    return clocks.Reading(time.time(), time.monotonic(),
                          time.clock_gettime(boot) if boot is not None else None)


class Sensors:
    def __init__(self, *, working_hours: Any, idle: Any, fullscreen: Any,
                 log: Callable[[str], None],
                 read: Callable[[], clocks.Reading] = read_clocks) -> None:
        self.working_hours = working_hours
        self.idle = idle
        self.fullscreen = fullscreen
        self._log = log
        self._read = read
        self._clocks = read()
        self._fullscreen_on = False

    def first(self, now: float, core: Any) -> list[Input]:
        """At start: no suspend or clock change can have happened yet."""
        return [*self._look(now, core), *self._hours(now), *self._idle(now)]

    def sample(self, now: float, core: Any) -> list[Input]:
        """Everything that changed since the last wake-up, in the order the
        core must hear it (see the module's docstring)."""
        inputs = self._look(now, core)
        reading = self._read()
        change, self._clocks = clocks.compare(self._clocks, reading), reading
        if change.jump:
            inputs.append(ClockJump(now, change.jump))
        if change.away:
            inputs.append(TimeAway(now, change.away))
        return [*inputs, *self._hours(now), *self._idle(now)]

    def _look(self, now: float, core: Any) -> list[Input]:
        # Only when it could matter: a prompt falls due now, or one is
        # already held back. That keeps two X round trips off every other wake.
        if not self.fullscreen.available or not core.wants_fullscreen_look(now):
            if not self._fullscreen_on:
                return []
            on = False  # the source went away while holding: let the prompt out
        else:
            try:
                on = self.fullscreen.active()
            except Exception as e:  # the display went away: stop deferring for good
                self.fullscreen = self._lost(self.fullscreen, e, _("fullscreen detection"))
                on = False
        if on == self._fullscreen_on:
            return []
        self._fullscreen_on = on
        return [Fullscreen(now, on)]

    def _hours(self, now: float) -> list[Input]:
        if self.working_hours is None:
            return []
        inside, until = hours.where(now, self.working_hours)
        return [Hours(now, inside, until)]

    def _idle(self, now: float) -> list[Input]:
        if not self.idle.available:
            return []
        try:
            return [Idle(now, self.idle.seconds())]
        except Exception as e:  # the display or the bus went away
            self.idle = self._lost(self.idle, e, _("activity detection"))
            return []

    def _lost(self, source: Any, error: Exception, what: str) -> Unavailable:
        reason = _("{name} stopped working ({error})").format(name=source.name, error=error)
        self._log(_("{what} unavailable: {reason}").format(what=what, reason=reason))
        return Unavailable(reason)
