"""The break scheduler: a pure state machine.

It reads no clock, starts no threads and does no I/O. The app hands it inputs
stamped with the current time and carries out the actions it returns, then
sleeps until the returned deadline or the next input, whichever comes first.

The rules
---------
1. ``Start`` begins a countdown of ``interval`` seconds and records
   ``app_started``. Any other input before ``Start`` is a programming error.
2. COUNTING: when the countdown ends, a prompt begins (PENDING). It gets a new
   id, one notification and one ``prompted`` row.
3. PENDING: while the prompt is unanswered, a reminder (a notification and a
   ``reminded`` row) comes every ``reminder_interval``. The next reminder is
   timed from *now*, so however late the app wakes up, it sends one reminder,
   never a burst; and there is only ever one prompt.
4. PENDING or SNOOZED:
   - ``Done`` records ``done`` and starts a new countdown;
   - ``Skip`` records ``skipped`` and starts a new countdown;
   - ``Snooze(s)`` records ``snoozed`` with its length and puts the prompt off
     for ``s`` seconds (SNOOZED), at most ``max_snoozes`` times per prompt;
     past that, only Done and Skip are accepted;
   - ``BreakNow`` is the same as ``Done``.
5. SNOOZED: when the snooze ends, the same prompt comes back (PENDING) with a
   notification and a ``reminded`` row; reminders resume from then.
6. COUNTING: ``BreakNow`` means the user is taking a break before it is due. It
   records ``done`` (marked early), says so, and starts a new countdown.
   ``Done``, ``Snooze`` and ``Skip`` are rejected: nothing is due.
7. ``Quit`` records ``app_stopped`` (naming the prompt left open, if any) and
   stops; every later input is ignored.
8. Each prompt ends exactly once: by ``done``, ``skipped``, ``paused``,
   ``natural_break`` or ``app_stopped``.
9. ``Pause(until)`` from any running state stops all prompts (PAUSED) until
   ``until``, or until ``Resume`` when ``until`` is None; a pending prompt
   ends with the pause. When the pause runs out the app resumes on its own
   and says so (a notification and a ``resumed`` row); either way a fresh
   countdown starts. While paused, answers and early breaks are rejected.
10. ``TimeAway(s)`` (suspend or hibernate) is handled, like rules
   11 to 14, before any timer that fell due meanwhile. Away for at least ``break_duration`` is a
   natural break: a ``natural_break`` row, any pending prompt dropped, and a
   fresh countdown from now. A shorter absence does not count as time at the
   computer, so the countdown is pushed back by it.
11. ``ClockJump(s)``: the wall clock moved by ``s`` while real time did not,
   so every deadline moves with it: no burst of prompts after a jump
   forward, no prompt lost after a jump back. It is recorded as
   ``clock_jump``.
12. ``Idle(s)`` reports the seconds since the last keyboard or mouse input,
   sampled by the app at every wake-up when it can. No input for
   ``break_duration`` means the user is away (AWAY): no prompts, no
   reminders, and a pending prompt is dropped. When input resumes, the
   absence is recorded as a ``natural_break`` with its length and a fresh
   countdown starts from the moment the user came back. So that a natural
   break is noticed without polling, the deadline includes the moment the
   user would have been idle for ``break_duration``; while away, it asks for
   a look every ``AWAY_POLL`` seconds, so the return shows soon.
13. ``Hours(inside, until)`` tells the core about working hours (without
   them it is always inside). Outside (OFF_HOURS) there are no prompts; a
   pending prompt ends as ``skipped`` marked off-hours. Back inside, a fresh
   countdown starts. The deadline includes ``until``, so the app wakes at
   each boundary to say what comes next. A pause that ends outside working
   hours leads to OFF_HOURS.
14. ``Fullscreen(on)``: while a fullscreen window is in front, a prompt,
   reminder or snooze-over that falls due is deferred (one ``deferred``
   row), for at most ``max_deferral``; it shows as soon as fullscreen ends,
   or when the deferral runs out. It is never dropped. While deferring, the
   deadline asks for a look every ``FULLSCREEN_POLL`` seconds.
15. ``RecheckAt(t)`` asks for a workspace re-check reminder at ``t``. It is a
   quiet notice: it fires only while COUNTING (never during a prompt or
   snooze), and no sooner than ``RECHECK_GAP`` after a prompt ended. It fires
   once; the app asks again for the next one.
16. Timers that fell due before an input are fired before it is applied, so
   the user always answers the state the app was really in.
17. After every input the deadline lies strictly after that input's time, so
   the caller can never be asked to wake up in the past.

All timed rules live in ``_TIMERS``, the inputs that explain elapsed time
(rules 10 to 14) in ``_EXPLAIN``, and all user inputs in ``_TRANSITIONS``,
at the bottom of this file.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .events import (
    Action,
    BreakNow,
    ClockJump,
    Done,
    EventKind,
    Fullscreen,
    Hours,
    Idle,
    Input,
    NoticeKind,
    Notify,
    Pause,
    Quit,
    RecheckAt,
    Record,
    Rejected,
    RejectReason,
    Resume,
    Skip,
    Snooze,
    Start,
    State,
    Step,
    Tick,
    TimeAway,
)


RECHECK_GAP = 120.0  # seconds of calm after a prompt before a re-check notice
FULLSCREEN_POLL = 2.0  # while a prompt waits for fullscreen to end
# While away, how soon a return shows in the icon: the tooltip's own minute,
# so being away costs no extra wake-ups. The break's length and the new
# countdown use the moment of return itself, not the moment it was seen.
AWAY_POLL = 60.0


@dataclass(frozen=True)
class SchedulerConfig:
    interval: float
    reminder_interval: float
    max_snoozes: int
    break_duration: float = 180.0
    max_deferral: float = 1800.0

    def __post_init__(self) -> None:
        # Zero-length intervals would make rule 17 impossible to keep.
        if self.interval <= 0 or self.reminder_interval <= 0:
            raise ValueError("intervals must be positive")
        if self.max_snoozes < 0:
            raise ValueError("max_snoozes must not be negative")


@dataclass(frozen=True)
class Snapshot:
    """What status displays need; derived, never stored."""

    state: State
    next_break_at: float | None  # when the next prompt shows (PENDING: when it showed)
    paused_until: float | None  # PAUSED with a set end
    prompt_id: int | None
    snoozes_left: int


class Scheduler:
    def __init__(self, config: SchedulerConfig) -> None:
        self.config = config
        self.state: State | None = None
        self._now = 0.0
        self._due = 0.0  # COUNTING: prompt time; PENDING: next reminder; SNOOZED: snooze end
        self._prompt_id = 0
        self._prompted_at = 0.0
        self._snoozes = 0
        self._recheck_at: float | None = None
        self._last_input: float | None = None  # known only with activity detection
        self._away_since: float | None = None
        self._away_prompt: dict | None = None  # the prompt dropped by going away
        self._inside = True  # working hours
        self._hours_change = math.inf
        self._fullscreen = False
        self._deferred: tuple[float, float] | None = None  # (since, the due held back)

    # ---- public ---------------------------------------------------------

    def handle(self, event: Input) -> Step:
        if self.state is None and not isinstance(event, Start):
            raise RuntimeError(f"{type(event).__name__} before Start")
        if self.state is State.STOPPED:
            return Step((), None)
        actions: list[Action] = []
        if type(event) in _EXPLAIN:
            # These explain the time that passed, so they come before any
            # timer that seems to have fallen due in it.
            self._now = event.now if isinstance(event, ClockJump) else max(self._now, event.now)
            _EXPLAIN[type(event)](self, event, actions)
        # Time only moves forward inside the core; a clock stepped back
        # without a ClockJump is treated as no time passing.
        self._now = max(self._now, event.now)
        # Timers that fell due before this input happened come first: the
        # user answers the state the app was really in.
        self._fire_due_timers(actions)
        if not isinstance(event, Tick) and type(event) not in _EXPLAIN:
            handler = _TRANSITIONS.get((self.state, type(event)))
            if handler is None:
                actions.append(Rejected(_rejection(self.state, event)))
            else:
                handler(self, event, actions)
            self._fire_due_timers(actions)  # e.g. a re-check asked for a past time
        return Step(tuple(actions), self.deadline)

    def _fire_due_timers(self, actions: list[Action]) -> None:
        while self.state in _TIMERS and self._due <= self._now:
            if self.state in _ACTIVE and self._deferring(actions):
                break
            _TIMERS[self.state](self, actions)
        if self._recheck_due() <= self._now:
            self._recheck_at = None
            actions.append(Notify(NoticeKind.RECHECK, self._prompt_id))

    def _recheck_due(self) -> float:
        if self.state is not State.COUNTING or self._recheck_at is None:
            return math.inf
        return self._recheck_at

    def prompt_due(self, now: float) -> bool:
        """Would a prompt, reminder or snooze-over fire at `now`?"""
        return self.state in _ACTIVE and self._due <= now

    @property
    def deadline(self) -> float | None:
        """When to wake the core next; None if only an input can change anything."""
        if self.state in (None, State.STOPPED):
            return None
        due = math.inf if self._held() else self._due
        due = min(due, self._recheck_due(), self._idle_check(), self._hours_check(),
                  self._fullscreen_check())
        return None if due == math.inf else due

    def _deferring(self, actions: list[Action]) -> bool:
        """Hold a due prompt while fullscreen, up to max_deferral."""
        if not self._fullscreen:
            return False
        if self._deferred is None or self._deferred[1] != self._due:
            self._deferred = (self._now, self._due)  # a new deferral, of this due
            actions.append(Record(EventKind.DEFERRED, self._now))
        return self._now < self._deferred[0] + self.config.max_deferral

    def _held(self) -> bool:
        """A due timer is being held back by fullscreen right now."""
        return (self._deferred is not None and self._deferred[1] == self._due
                and self._due <= self._now and self.state in _ACTIVE)

    def _fullscreen_check(self) -> float:
        if not self._held():
            return math.inf
        return min(self._now + FULLSCREEN_POLL, self._deferred[0] + self.config.max_deferral)

    def _hours_check(self) -> float:
        return self._hours_change if self._hours_change > self._now else math.inf

    def _idle_check(self) -> float:
        """When the user would count as away if no input comes meanwhile;
        while away, when to look again for their return."""
        if self.state is State.AWAY:
            return self._now + AWAY_POLL
        if self.state not in _ACTIVE or self._last_input is None:
            return math.inf
        at = self._last_input + self.config.break_duration
        return at if at > self._now else math.inf

    def snapshot(self) -> Snapshot:
        pending = self.state in (State.PENDING, State.SNOOZED)
        if self.state is State.PENDING:
            next_break = self._prompted_at
        elif self.state in (State.COUNTING, State.SNOOZED):
            next_break = self._due
        else:
            next_break = None
        paused = self.state is State.PAUSED and self._due != math.inf
        return Snapshot(
            state=self.state or State.STOPPED,
            next_break_at=next_break,
            paused_until=self._due if paused else None,
            prompt_id=self._prompt_id if pending else None,
            snoozes_left=max(0, self.config.max_snoozes - self._snoozes) if pending else 0,
        )

    # ---- transitions ----------------------------------------------------

    def _count_down(self, actions: list[Action]) -> None:
        if not self._inside:
            self.state, self._due = State.OFF_HOURS, math.inf
            return
        self.state = State.COUNTING
        self._due = self._now + self.config.interval

    def _hours(self, event: Hours, actions: list[Action]) -> None:
        was_inside, self._inside, self._hours_change = self._inside, event.inside, event.until
        if self.state is State.PAUSED or was_inside == event.inside:
            return
        if event.inside and self.state is State.OFF_HOURS:
            self._count_down(actions)
        elif not event.inside:
            prompt = self._open_prompt()
            if prompt is not None and self.state is not State.AWAY:
                actions.append(Record(EventKind.SKIPPED, self._now, detail={**prompt, "off_hours": True}))
            elif prompt is not None:  # gone home: the absence was a natural break
                actions.append(Record(EventKind.NATURAL_BREAK, self._now,
                                      seconds=self._now - self._away_since, detail=prompt))
            self._away_since = self._away_prompt = None
            self.state, self._due = State.OFF_HOURS, math.inf

    def _start(self, event: Start, actions: list[Action]) -> None:
        actions.append(Record(EventKind.APP_STARTED, self._now))
        self._count_down(actions)

    def _end_prompt(self, kind: EventKind, actions: list[Action]) -> None:
        actions.append(Record(kind, self._now, detail={"prompt": self._prompt_id}))
        self._count_down(actions)
        if self._recheck_at is not None:
            self._recheck_at = max(self._recheck_at, self._now + RECHECK_GAP)

    def _set_recheck(self, event: RecheckAt, actions: list[Action]) -> None:
        self._recheck_at = event.at

    def _done(self, event: Done | BreakNow, actions: list[Action]) -> None:
        self._end_prompt(EventKind.DONE, actions)

    def _skip(self, event: Skip, actions: list[Action]) -> None:
        self._end_prompt(EventKind.SKIPPED, actions)

    def _snooze(self, event: Snooze, actions: list[Action]) -> None:
        if event.seconds <= 0:
            actions.append(Rejected(RejectReason.SNOOZE_TOO_SHORT))
            return
        if self._snoozes >= self.config.max_snoozes:
            actions.append(Rejected(RejectReason.SNOOZE_LIMIT))
            return
        self._snoozes += 1
        actions.append(Record(EventKind.SNOOZED, self._now, seconds=event.seconds,
                              detail={"prompt": self._prompt_id}))
        self.state = State.SNOOZED
        self._due = self._now + event.seconds

    def _early_break(self, event: BreakNow, actions: list[Action]) -> None:
        actions.append(Notify(NoticeKind.BREAK_STARTED, self._prompt_id))
        actions.append(Record(EventKind.DONE, self._now, detail={"early": True}))
        self._count_down(actions)

    def _open_prompt(self) -> dict | None:
        if self.state in (State.PENDING, State.SNOOZED):
            return {"prompt": self._prompt_id}
        if self.state is State.AWAY:
            return self._away_prompt
        return None

    def _idle(self, event: Idle, actions: list[Action]) -> None:
        last_input = self._now - max(0.0, event.seconds)
        if self.state is State.AWAY:
            if last_input > self._away_since + 1.0:  # input again: back
                actions.append(Record(EventKind.NATURAL_BREAK, self._now,
                                      seconds=last_input - self._away_since,
                                      detail=self._away_prompt))
                self._away_since = self._away_prompt = None
                self._count_down(actions)
                if self.state is State.COUNTING:  # counted from the return
                    self._due = max(last_input + self.config.interval, self._now + 1.0)
        elif self.state in _ACTIVE and event.seconds >= self.config.break_duration:
            self._away_prompt = self._open_prompt()
            self._away_since = last_input
            self.state = State.AWAY
            self._due = math.inf
        self._last_input = last_input

    def _set_fullscreen(self, event: Fullscreen, actions: list[Action]) -> None:
        self._fullscreen = event.on

    def _pause(self, event: Pause, actions: list[Action]) -> None:
        if event.until is not None and event.until <= self._now:
            actions.append(Rejected(RejectReason.PAUSE_IN_PAST))
            return
        length = None if event.until is None else event.until - self._now
        actions.append(Record(EventKind.PAUSED, self._now, seconds=length, detail=self._open_prompt()))
        self._away_since = self._away_prompt = None
        self.state = State.PAUSED
        self._due = math.inf if event.until is None else event.until

    def _resume(self, event: Resume, actions: list[Action]) -> None:
        actions.append(Record(EventKind.RESUMED, self._now))
        self._count_down(actions)

    def _away(self, event: TimeAway, actions: list[Action]) -> None:
        if self.state not in _ACTIVE or event.seconds <= 0:
            return
        if event.seconds >= self.config.break_duration:
            actions.append(Record(EventKind.NATURAL_BREAK, self._now, seconds=event.seconds,
                                  detail=self._open_prompt()))
            self._count_down(actions)
        elif self.state is State.COUNTING:
            self._due += event.seconds

    def _clock_jump(self, event: ClockJump, actions: list[Action]) -> None:
        actions.append(Record(EventKind.CLOCK_JUMP, self._now, seconds=event.seconds))
        self._due += event.seconds
        self._prompted_at += event.seconds
        for name in ("_last_input", "_away_since"):
            if getattr(self, name) is not None:
                setattr(self, name, getattr(self, name) + event.seconds)
        if self._recheck_at is not None:
            self._recheck_at += event.seconds

    def _quit(self, event: Quit, actions: list[Action]) -> None:
        actions.append(Record(EventKind.APP_STOPPED, self._now, detail=self._open_prompt()))
        self._away_prompt = None
        self.state = State.STOPPED

    # ---- timers ---------------------------------------------------------

    def _prompt(self, actions: list[Action]) -> None:
        self._prompt_id += 1
        self._prompted_at = self._now
        self._snoozes = 0
        actions.append(Notify(NoticeKind.PROMPT, self._prompt_id))
        actions.append(Record(EventKind.PROMPTED, self._now, detail={"prompt": self._prompt_id}))
        self.state = State.PENDING
        self._due = self._now + self.config.reminder_interval

    def _remind(self, actions: list[Action]) -> None:
        actions.append(Notify(NoticeKind.REMINDER, self._prompt_id))
        actions.append(Record(EventKind.REMINDED, self._now, detail={"prompt": self._prompt_id}))
        self._due = self._now + self.config.reminder_interval

    def _auto_resume(self, actions: list[Action]) -> None:
        actions.append(Notify(NoticeKind.RESUMED, self._prompt_id))
        actions.append(Record(EventKind.RESUMED, self._now, detail={"auto": True}))
        self._count_down(actions)

    def _snooze_over(self, actions: list[Action]) -> None:
        actions.append(Notify(NoticeKind.SNOOZE_OVER, self._prompt_id))
        actions.append(Record(EventKind.REMINDED, self._now,
                              detail={"prompt": self._prompt_id, "after_snooze": True}))
        self.state = State.PENDING
        self._due = self._now + self.config.reminder_interval


def _rejection(state: State | None, event: Input) -> RejectReason:
    if isinstance(event, Start):
        return RejectReason.ALREADY_STARTED
    if isinstance(event, Resume):
        return RejectReason.NOT_PAUSED
    if state is State.PAUSED:
        return RejectReason.PAUSED
    return RejectReason.NOTHING_DUE


_ANSWERING = (State.PENDING, State.SNOOZED)
_ACTIVE = (State.COUNTING, *_ANSWERING)  # the user is at the computer, within hours
_RUNNING = (*_ACTIVE, State.PAUSED, State.AWAY, State.OFF_HOURS)

_TRANSITIONS = {
    (None, Start): Scheduler._start,
    **{(s, Done): Scheduler._done for s in _ANSWERING},
    **{(s, BreakNow): Scheduler._done for s in _ANSWERING},
    **{(s, Skip): Scheduler._skip for s in _ANSWERING},
    **{(s, Snooze): Scheduler._snooze for s in _ANSWERING},
    (State.COUNTING, BreakNow): Scheduler._early_break,
    **{(s, RecheckAt): Scheduler._set_recheck for s in (State.COUNTING, *_ANSWERING)},
    **{(s, Quit): Scheduler._quit for s in _RUNNING},
    **{(s, Pause): Scheduler._pause for s in _RUNNING},
    (State.PAUSED, Resume): Scheduler._resume,
    (State.PAUSED, RecheckAt): Scheduler._set_recheck,
    (State.AWAY, RecheckAt): Scheduler._set_recheck,
    (State.OFF_HOURS, RecheckAt): Scheduler._set_recheck,
}

_TIMERS = {
    State.COUNTING: Scheduler._prompt,
    State.PENDING: Scheduler._remind,
    State.SNOOZED: Scheduler._snooze_over,
    State.PAUSED: Scheduler._auto_resume,
}

# Inputs that explain the time that passed: applied before any timer fires.
_EXPLAIN = {TimeAway: Scheduler._away, ClockJump: Scheduler._clock_jump, Idle: Scheduler._idle,
            Hours: Scheduler._hours, Fullscreen: Scheduler._set_fullscreen}
