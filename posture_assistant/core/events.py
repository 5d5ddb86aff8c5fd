"""Plain data that goes into and comes out of the scheduler.

Inputs are things that happened (time passed, the user pressed Done); actions
are things the app must do (show a notification, write a row). Times are UTC
unix seconds as floats, handed in by the caller: the core never reads a clock.

The vocabularies shared with the rest of the app live here too, as enums, so
each word is spelled once: ``EventKind`` (the store's event kinds),
``Command`` (the control channel's command names) and ``RejectReason`` (why
an input did not apply, as a code; the app chooses the words).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field


class State(enum.Enum):
    COUNTING = "counting"  # counting down to the next prompt
    PENDING = "pending"  # a prompt is waiting for Done / Snooze / Skip
    SNOOZED = "snoozed"  # a prompt was put off; it comes back at snooze end
    HELD = "held"  # a prompt, reminder or snooze-over is due, held back by fullscreen
    PAUSED = "paused"  # no prompts until a set time, or until resumed
    AWAY = "away"  # no input for break_duration: a natural break is under way
    OFF_HOURS = "off_hours"  # outside working hours: no prompts
    STOPPED = "stopped"  # the app has quit; every input is ignored


# ---- inputs ---------------------------------------------------------------


@dataclass(frozen=True)
class UncleanStop:
    """The previous run ended without ``app_stopped``: killed, crashed, or
    the power went. The app finds this in the store and hands it in with
    ``Start``, so the core stays free of I/O (see ``unclean_stop``)."""

    last_seen: float  # the time of that run's last row: the latest it is known to have run
    open_prompt: int | None  # the prompt it left open, by that run's own count


@dataclass(frozen=True)
class Start:
    now: float
    unclean: UncleanStop | None = None  # how the previous run ended, when not cleanly


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
    """The computer was suspended or hibernated for `seconds`.

    The app learns this by comparing its clocks at wake-up; a screen lock
    alone is not detected and does not count.
    """

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


# ---- vocabularies ---------------------------------------------------------


class EventKind(str, enum.Enum):
    """The kinds of row the core asks the app to record.

    A str, so the value goes into SQLite and JSON as-is (format it with
    ``.value``: ``str()`` gives the member name).
    """

    APP_STARTED = "app_started"
    APP_STOPPED = "app_stopped"  # names the prompt it leaves open, if any
    # The run before stopped without app_stopped; recorded at the next start,
    # at the time of that run's last row, naming the prompt it left open.
    APP_CRASHED = "app_crashed"
    PROMPTED = "prompted"  # a prompt begins
    REMINDED = "reminded"  # the same prompt again: a reminder or a snooze ending
    DONE = "done"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"
    NATURAL_BREAK = "natural_break"  # away long enough: suspended or idle
    PAUSED = "paused"
    RESUMED = "resumed"
    CLOCK_JUMP = "clock_jump"
    DEFERRED = "deferred"  # a due notice held back by a fullscreen window


class Command(str, enum.Enum):
    """Command names on the control channel (``{"cmd": ...}``), as sent."""

    DONE = "done"
    SNOOZE = "snooze"
    SKIP = "skip"
    BREAK = "break"
    PAUSE = "pause"
    RESUME = "resume"
    QUIT = "quit"
    STATUS = "status"
    PANEL = "panel"
    CHECKLIST = "checklist"
    CHECKLIST_SAVED = "checklist_saved"  # a checklist run was saved elsewhere
    WATCH = "watch"  # a window asks for the status now and every change after it


class RejectReason(enum.Enum):
    """Why an input did not apply. A code, not text: the app says it in words."""

    ALREADY_STARTED = "already_started"  # Start after Start
    NOT_PAUSED = "not_paused"  # Resume while not paused
    PAUSED = "paused"  # an answer or an early break while paused
    NOTHING_DUE = "nothing_due"  # Done, Skip or Snooze with no prompt to answer
    SNOOZE_TOO_SHORT = "snooze_too_short"  # a snooze of 0 seconds or less
    SNOOZE_LIMIT = "snooze_limit"  # this prompt has had max_snoozes already
    PAUSE_IN_PAST = "pause_in_past"  # a pause that would end at or before now


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
    kind: EventKind
    at: float
    seconds: float | None = None
    detail: dict | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Rejected:
    """The input did not apply, and changed nothing."""

    reason: RejectReason


Action = Notify | Record | Rejected


@dataclass(frozen=True)
class Step:
    actions: tuple[Action, ...]
    # When to feed the next Tick; None when only an input can change anything
    # (stopped, or paused until resumed).
    deadline: float | None
