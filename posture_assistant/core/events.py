"""Plain data that goes into and comes out of the scheduler.

Inputs are things that happened (time passed, the user pressed Done); actions
are things the app must do (show a notification, write a row). Times are UTC
unix seconds as floats, handed in by the caller: the core never reads a clock.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field


class State(enum.Enum):
    COUNTING = "counting"  # counting down to the next prompt
    PENDING = "pending"  # a prompt is waiting for Done / Snooze / Skip
    SNOOZED = "snoozed"  # a prompt was put off; it comes back at snooze end
    PAUSED = "paused"  # no prompts until a set time, or until resumed
    AWAY = "away"  # no input for break_duration: a natural break is under way
    OFF_HOURS = "off_hours"  # outside working hours: no prompts
    STOPPED = "stopped"  # the app has quit; every input is ignored


# ---- inputs ---------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    now: float


@dataclass(frozen=True)
class Tick:
    """Only time has passed."""

    now: float


@dataclass(frozen=True)
class Done:
    now: float


@dataclass(frozen=True)
class Snooze:
    now: float
    seconds: float


@dataclass(frozen=True)
class Skip:
    now: float


@dataclass(frozen=True)
class BreakNow:
    now: float


@dataclass(frozen=True)
class Quit:
    now: float


@dataclass(frozen=True)
class Idle:
    """Seconds since the user last touched keyboard or mouse, as sampled now."""

    now: float
    seconds: float


@dataclass(frozen=True)
class Fullscreen:
    """Whether a fullscreen window (a presentation, a video, a game) is in front."""

    now: float
    on: bool


@dataclass(frozen=True)
class Hours:
    """Inside working hours or not, and until when (the app works out local time)."""

    now: float
    inside: bool
    until: float


@dataclass(frozen=True)
class Pause:
    now: float
    until: float | None  # None: until resumed


@dataclass(frozen=True)
class Resume:
    now: float


@dataclass(frozen=True)
class TimeAway:
    """The computer was suspended, hibernated or locked for `seconds`."""

    now: float
    seconds: float


@dataclass(frozen=True)
class ClockJump:
    """The wall clock was set by `seconds` (NTP, by hand) while real time
    ran on as usual; `now` is already on the new clock."""

    now: float
    seconds: float


@dataclass(frozen=True)
class RecheckAt:
    """When to suggest the next workspace check (None: never)."""

    now: float
    at: float | None


Input = (Start | Tick | Done | Snooze | Skip | BreakNow | Quit | RecheckAt | Pause | Resume
         | TimeAway | ClockJump | Idle | Hours | Fullscreen)


# ---- actions --------------------------------------------------------------


class NoticeKind(enum.Enum):
    PROMPT = "prompt"  # a new prompt: time to stand up
    REMINDER = "reminder"  # the same prompt, still unanswered
    SNOOZE_OVER = "snooze_over"  # the same prompt, back after a snooze
    BREAK_STARTED = "break_started"  # the user asked for a break now
    RECHECK = "recheck"  # time to re-check the workspace
    RESUMED = "resumed"  # a pause ran out


@dataclass(frozen=True)
class Notify:
    kind: NoticeKind
    prompt_id: int


@dataclass(frozen=True)
class Record:
    kind: str  # a store event kind: prompted, reminded, done, ...
    at: float
    seconds: float | None = None
    detail: dict | None = field(default=None, compare=False)


@dataclass(frozen=True)
class StateChanged:
    state: State


@dataclass(frozen=True)
class Rejected:
    """The input did not apply; `reason` is one line for the user."""

    reason: str


Action = Notify | Record | StateChanged | Rejected


@dataclass(frozen=True)
class Step:
    actions: tuple[Action, ...]
    deadline: float | None  # when to feed the next Tick; None once stopped
