"""The break scheduler: a pure state machine.

It reads no clock, starts no threads and does no I/O. The app hands it inputs
stamped with the current time and carries out the actions it returns, then
sleeps until the returned deadline or the next input, whichever comes first.

The rules
---------
1. ``Start`` begins a countdown of ``interval`` seconds and records
   ``app_started``. Any other input before ``Start`` is a programming error.
   When the previous run ended uncleanly (``Start.unclean``, which the app
   works out from the store with ``unclean_stop``), an ``app_crashed`` row
   comes first: at the time of that run's last row, naming the prompt it
   left open, with the time it was found (``detected``).
2. COUNTING: when the countdown ends, a prompt begins (PENDING). It gets a new
   id, one notification and one ``prompted`` row.
3. PENDING: while the prompt is unanswered, a reminder (a notification and a
   ``reminded`` row) comes every ``reminder_interval``. The next reminder is
   timed from *now*, so however late the app wakes up, it sends one reminder,
   never a burst; and there is only ever one prompt.
4. PENDING, SNOOZED or HELD (rule 14):
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
   ``natural_break`` or ``app_stopped``; or, when the app was killed, by
   ``app_crashed`` at the next start (rule 1). Prompt ids count from 1 in
   each run, so a prompt is named by its run (the rows from one
   ``app_started`` to the next) and its id.
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
   reminder or snooze-over that falls due is held back (HELD, one
   ``deferred`` row) for at most ``max_deferral``; it shows as soon as
   fullscreen ends, or when the hold runs out. It is never dropped. While
   HELD, the deadline asks for a look every ``FULLSCREEN_POLL`` seconds,
   ``next_break_at`` is when the held notice fell due, and the prompt can be
   answered as if it showed (rule 4). A held *first* prompt has not begun:
   it has no id, and its notice and ``prompted`` row wait. Answered while
   held, it begins unseen (a ``prompted`` row marked ``held``, then the
   answer's row), so every prompt that ends was recorded as prompted and
   ends once (rule 8). Otherwise HELD is the state it interrupted, for
   rules 7 and 9 to 13, with two exceptions: a short ``TimeAway`` does not
   push a held prompt back (its countdown is over), and a ``ClockJump``
   starts the hold over, with a new ``deferred`` row, since the hold is
   timed on the clock that moved.
15. ``RecheckAt(t)`` asks for a workspace re-check reminder at ``t``. It is a
   quiet notice: it fires only while COUNTING (never during a prompt or
   snooze), and no sooner than ``RECHECK_GAP`` after a prompt ended. It fires
   once; the app asks again for the next one.
16. Timers that fell due before an input are fired before it is applied, so
   the user always answers the state the app was really in.
17. After every input the deadline lies strictly after that input's time, so
   the caller can never be asked to wake up in the past.

Theory of operation
-------------------
Like h11's ``_state.py``, this is several small machines side by side. Only
the first is a ``State``; the others are kept as fields, because each of them
combines with most main states (working hours change during a pause, a
fullscreen window comes and goes in any state) and as states they would
multiply the table. Every field below changes only in ``_enter``, in a
handler named in the table, or in the ``_*_edge`` function that reads the
input it comes from (and the re-check in ``_fire_due_timers``).

- The main machine, ``self.state``. ``_TRANSITIONS`` maps (state, key) to
  (handler, target). A key is a user input's type, ``ClockJump``, or an
  ``_Edge``: what a timer or a sensor reading amounts to (``DUE``, ``GONE``,
  ``HOURS_OUT``...). A target is a ``State`` or one of the ``_To`` names,
  all resolved in ``_enter``, the one place that assigns ``self.state``:
  ``STAY``; ``COUNT_DOWN``, a fresh countdown, which is COUNTING inside
  working hours and OFF_HOURS outside (``_counting_state``); and ``UNHOLD``,
  back to the state a hold interrupted. ``_go`` first enters the target,
  then runs the handler for the consequences (rows, notices, the timers
  that depend on the input), as h11 changes state before it acts. With no
  row, a user input is rejected (``_rejection``); a timer or a reading does
  nothing. ``_GUARDS`` refuse a Snooze or Pause that has a row but not an
  acceptable value, before anything changes.
- The timer, ``_due``: one per timed state (``_TIMED``). COUNTING: when the
  prompt is due; PENDING: the next reminder; SNOOZED: the snooze end;
  PAUSED: the pause end (inf until resumed). ``_enter`` arms it for a
  fresh countdown and for PENDING; Snooze and Pause arm theirs. HELD keeps
  the due time it holds back, for ``next_break_at`` and for UNHOLD; other
  states ignore it. ``_timer_edge`` says what a timer amounts to now.
- Activity, present or away: the AWAY state, plus ``_last_input`` (None
  without activity detection) and ``_away_since`` (the last input before
  leaving; set only while AWAY). ``_idle_edge`` turns an ``Idle`` reading
  into GONE or BACK.
- Working hours, inside or outside: the ``_inside`` flag and
  ``_hours_change``, the next boundary. A flag and not only OFF_HOURS,
  because a pause outlives it: the pause's end must know where to go.
  ``_hours_edge`` turns a flip of the flag into HOURS_IN or HOURS_OUT.
- Fullscreen hold, holding or free: holding is the HELD state, entered
  instead of firing a due timer while the ``_fullscreen`` flag is on
  (``_timer_edge``). ``_enter`` remembers the state it interrupts in
  ``_held_from`` and since when in ``_held_since``: releasing fires that
  state's own DUE row, and UNHOLD goes back to it. The flag itself is only
  the latest reading; it holds nothing outside HELD.
- The prompt, open or ended: ``_open_prompt_id``, from its ``prompted`` row
  to the one row that ends it (rule 8). It stays open while AWAY, so that
  the natural break can name it; ``_close_prompt`` is the only way to end it.
  A held first prompt has not begun: ``_begin_prompt`` begins every prompt,
  whether its notice shows or it is answered while held.
- Re-check, armed or not: ``_recheck_at``. It changes no state, so it is
  not in the table; ``_fire_due_timers`` fires it while COUNTING.
"""
from __future__ import annotations

import enum
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
    UncleanStop,
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
            raise ValueError("intervals must be positive")  # not for users
        if self.max_snoozes < 0:
            raise ValueError("max_snoozes must not be negative")  # not for users


@dataclass(frozen=True)
class Snapshot:
    """What status displays need; derived, never stored."""

    state: State
    # When the next prompt shows. PENDING: when it showed; HELD: when the held
    # notice fell due; None where no countdown runs.
    next_break_at: float | None
    paused_until: float | None  # PAUSED with a set end
    # The prompt to answer (PENDING, SNOOZED, HELD); None for a held first
    # prompt, which begins only when it shows or is answered.
    prompt_id: int | None
    snoozes_left: int  # for that prompt; 0 when none is due


class _Edge(enum.Enum):
    """Table keys that are not input types: what a timer or a reading amounts to."""

    DUE = "due"  # the state's timer fell due
    HOLD = "hold"  # ... while fullscreen: hold its notice back
    RELEASE = "release"  # fullscreen ended, or the hold ran out
    GONE = "gone"  # no keyboard or mouse input for break_duration
    BACK = "back"  # input again, after being away
    LONG_AWAY = "long_away"  # suspended for at least break_duration
    SHORT_AWAY = "short_away"  # suspended, but not for that long
    HOURS_IN = "hours_in"  # working hours began
    HOURS_OUT = "hours_out"  # working hours ended


class _To(enum.Enum):
    """Targets that are not one fixed state; ``Scheduler._enter`` resolves them."""

    STAY = "stay"
    COUNT_DOWN = "count_down"  # a fresh countdown: see _counting_state
    UNHOLD = "unhold"  # back to the state the hold interrupted


class Scheduler:
    """The break scheduler. See the module docstring for its rules.

    Feed it every input with ``handle``, stamped with the time it happened,
    and carry out the actions of the ``Step`` it returns, in order. Then
    sleep until ``Step.deadline`` (when it is not None) or the next input,
    whichever comes first, and on waking up without an input, feed ``Tick``.
    ``snapshot()`` says what to show in between; ``deadline`` is the same
    deadline as the last step's.
    """

    def __init__(self, config: SchedulerConfig) -> None:
        self.config = config
        self.state: State | None = None  # None until Start
        self._now = 0.0  # the latest time seen: it never goes back
        self._due = 0.0  # the timed state's timer (see "Theory of operation")
        self._prompt_id = 0  # the latest prompt's id; ids count up from 1
        self._open_prompt_id: int | None = None  # begun and not yet ended
        self._prompted_at = 0.0
        self._snoozes = 0  # of the latest prompt
        self._recheck_at: float | None = None
        self._last_input: float | None = None  # known only with activity detection
        self._away_since: float | None = None
        self._inside = True  # working hours
        self._hours_change = math.inf
        self._fullscreen = False  # the latest reading
        self._held_from: State | None = None  # HELD: the state it interrupted
        self._held_since = 0.0

    # ---- public ---------------------------------------------------------

    def handle(self, event: Input) -> Step:
        """Apply one input; return what to do now and when to wake up next.

        ``event.now`` is the time the input happened, on the wall clock, in
        UTC seconds: the core reads no clock of its own. Inputs come in the
        order they happened; a time earlier than one already seen counts as
        no time passing (unless it is a ``ClockJump``).

        ``Step.actions`` are, in order, the ``Record`` rows to write and the
        ``Notify`` notices to show, from the timers that fell due first
        (rule 16) and then from the input itself. An input that does not
        apply here gives one ``Rejected`` with its ``RejectReason`` and
        changes nothing. ``Step.deadline`` lies strictly after
        ``event.now`` (rule 17), or is None when only an input can change
        anything. The first input must be ``Start`` (anything else raises
        RuntimeError); after ``Quit``, every input is ignored.
        """
        if self.state is None and not isinstance(event, Start):
            raise RuntimeError(f"{type(event).__name__} before Start")
        if self.state is State.STOPPED:
            return Step((), None)
        actions: list[Action] = []
        read = _READINGS.get(type(event))
        if read is not None:
            # A reading explains the time that passed, so it comes before any
            # timer that seems to have fallen due in it.
            self._now = event.now if isinstance(event, ClockJump) else max(self._now, event.now)
            self._follow(read(self, event), event, actions)
        # Time only moves forward inside the core; a clock stepped back
        # without a ClockJump is treated as no time passing.
        self._now = max(self._now, event.now)
        # Timers that fell due before this input happened come first: the
        # user answers the state the app was really in.
        self._fire_due_timers(actions)
        if read is None and not isinstance(event, Tick):
            self._command(event, actions)
            self._fire_due_timers(actions)  # e.g. a re-check asked for a past time
        return Step(tuple(actions), self.deadline)

    def prompt_due(self, now: float) -> bool:
        """Does a prompt, reminder or snooze-over fall due at `now` (to show, or be held)?"""
        return self.state in _HOLDABLE and self._due <= now

    def wants_fullscreen_look(self, now: float) -> bool:
        """Would a fullscreen reading at `now` matter?

        Yes when a prompt, reminder or snooze-over falls due (it may be held),
        and all the while one is held (to see fullscreen end). Otherwise the
        app can skip the look and the core keeps its last reading, so the app
        needs no copy of its own: it feeds ``Fullscreen`` whenever it looks.
        """
        return self.state is State.HELD or self.prompt_due(now)

    @property
    def deadline(self) -> float | None:
        """When to wake the core next; None if only an input can change anything."""
        if self.state in (None, State.STOPPED):
            return None
        due = min(self._timer_check(), self._recheck_due(), self._idle_check(),
                  self._hours_check())
        return None if due == math.inf else due

    def snapshot(self) -> Snapshot:
        answering = self.state in _ANSWERING
        paused = self.state is State.PAUSED and self._due != math.inf
        return Snapshot(
            state=self.state or State.STOPPED,
            next_break_at=self._next_break_at(),
            paused_until=self._due if paused else None,
            prompt_id=self._open_prompt_id if answering else None,
            snoozes_left=max(0, self.config.max_snoozes - self._snoozes) if answering else 0,
        )

    # ---- the machine ----------------------------------------------------

    def _command(self, event: Input, actions: list[Action]) -> None:
        """A user input: legal here and acceptable, or rejected with no effect."""
        if (self.state, type(event)) not in _TRANSITIONS:
            reason = _rejection(self.state, event)
        else:
            guard = _GUARDS.get(type(event))
            reason = guard(self, event) if guard else None
        if reason is not None:
            actions.append(Rejected(reason))
        else:
            self._go(type(event), event, actions)

    def _follow(self, key: type | _Edge | None, event: Input, actions: list[Action]) -> None:
        """A reading: it moves the machine where the table has a row, else only its flags."""
        if (self.state, key) in _TRANSITIONS:
            self._go(key, event, actions)

    def _go(self, key: type | _Edge, event: Input | None, actions: list[Action]) -> None:
        handler, target = _TRANSITIONS[self.state, key]
        self._enter(target)
        handler(self, event, actions)

    def _enter(self, target: State | _To) -> None:
        """The one place the state changes."""
        if target is _To.STAY:
            return
        if target is State.HELD:
            self._held_from, self._held_since = self.state, self._now
        self.state = self._resolve(target)
        # The timers that do not depend on the input (Snooze and Pause set
        # theirs). UNHOLD goes back to a timer that is still running.
        if target is _To.COUNT_DOWN:
            self._due = self._now + self.config.interval
        elif target is State.PENDING:
            self._due = self._now + self.config.reminder_interval

    def _resolve(self, target: State | _To) -> State:
        if target is _To.COUNT_DOWN:
            return self._counting_state()
        if target is _To.UNHOLD:
            return self._held_from
        return target

    def _counting_state(self) -> State:
        """Where a fresh countdown goes: working hours decide."""
        return State.COUNTING if self._inside else State.OFF_HOURS

    def _fire_due_timers(self, actions: list[Action]) -> None:
        while (edge := self._timer_edge()) is not None:
            self._go(edge, None, actions)
        if self._recheck_due() <= self._now:
            self._recheck_at = None
            actions.append(Notify(NoticeKind.RECHECK, self._prompt_id))

    def _timer_edge(self) -> _Edge | None:
        """What the state's timer amounts to now, if anything."""
        if self.state is State.HELD:
            return _Edge.RELEASE if self._hold_over() else None
        if self.state not in _TIMED or self._due > self._now:
            return None
        return _Edge.HOLD if self._fullscreen and self.state in _HOLDABLE else _Edge.DUE

    def _hold_over(self) -> bool:
        return not self._fullscreen or self._now >= self._held_since + self.config.max_deferral

    # ---- reading the sensors --------------------------------------------

    def _away_edge(self, event: TimeAway) -> _Edge | None:
        if event.seconds <= 0:
            return None
        return _Edge.LONG_AWAY if event.seconds >= self.config.break_duration else _Edge.SHORT_AWAY

    def _idle_edge(self, event: Idle) -> _Edge | None:
        self._last_input = self._now - max(0.0, event.seconds)
        if self._away_since is not None and self._last_input > self._away_since + 1.0:
            return _Edge.BACK  # input again (the second's slack absorbs sampling jitter)
        return _Edge.GONE if event.seconds >= self.config.break_duration else None

    def _hours_edge(self, event: Hours) -> _Edge | None:
        was_inside, self._inside, self._hours_change = self._inside, event.inside, event.until
        if was_inside == event.inside:
            return None
        return _Edge.HOURS_IN if event.inside else _Edge.HOURS_OUT

    def _fullscreen_edge(self, event: Fullscreen) -> None:
        self._fullscreen = event.on  # it only holds timers back: see _timer_edge

    def _clock_edge(self, event: ClockJump) -> type:
        return ClockJump

    # ---- guards ---------------------------------------------------------

    def _refuse_snooze(self, event: Snooze) -> RejectReason | None:
        if event.seconds <= 0:
            return RejectReason.SNOOZE_TOO_SHORT
        if self._snoozes >= self.config.max_snoozes:
            return RejectReason.SNOOZE_LIMIT
        return None

    def _refuse_pause(self, event: Pause) -> RejectReason | None:
        if event.until is not None and event.until <= self._now:
            return RejectReason.PAUSE_IN_PAST
        return None

    # ---- handlers: what a transition does besides changing the state ----

    def _no_effect(self, event: Input | None, actions: list[Action]) -> None:
        pass

    def _start(self, event: Start, actions: list[Action]) -> None:
        crash = event.unclean
        if crash is not None:
            # At its last sign of life, not now: the app may have been off
            # for days since, and the prompt ended when the app did.
            detail = {"detected": self._now}
            if crash.open_prompt is not None:
                detail["prompt"] = crash.open_prompt
            actions.append(Record(EventKind.APP_CRASHED, crash.last_seen, detail=detail))
        actions.append(Record(EventKind.APP_STARTED, self._now))

    def _done(self, event: Done | BreakNow, actions: list[Action]) -> None:
        self._end_answered(EventKind.DONE, actions)

    def _skip(self, event: Skip, actions: list[Action]) -> None:
        self._end_answered(EventKind.SKIPPED, actions)

    def _snooze(self, event: Snooze, actions: list[Action]) -> None:
        self._begin_answered(actions)
        self._snoozes += 1
        actions.append(Record(EventKind.SNOOZED, self._now, seconds=event.seconds,
                              detail={"prompt": self._open_prompt_id}))
        self._due = self._now + event.seconds

    def _early_break(self, event: BreakNow, actions: list[Action]) -> None:
        actions.append(Notify(NoticeKind.BREAK_STARTED, self._prompt_id))
        actions.append(Record(EventKind.DONE, self._now, detail={"early": True}))

    def _set_recheck(self, event: RecheckAt, actions: list[Action]) -> None:
        self._recheck_at = event.at

    def _pause(self, event: Pause, actions: list[Action]) -> None:
        length = None if event.until is None else event.until - self._now
        actions.append(Record(EventKind.PAUSED, self._now, seconds=length,
                              detail=self._close_prompt()))
        self._away_since = None
        self._due = math.inf if event.until is None else event.until

    def _resume(self, event: Resume, actions: list[Action]) -> None:
        actions.append(Record(EventKind.RESUMED, self._now))

    def _quit(self, event: Quit, actions: list[Action]) -> None:
        actions.append(Record(EventKind.APP_STOPPED, self._now, detail=self._close_prompt()))

    def _prompt(self, event: None, actions: list[Action]) -> None:
        self._begin_prompt()
        actions.append(Notify(NoticeKind.PROMPT, self._prompt_id))
        actions.append(Record(EventKind.PROMPTED, self._now, detail={"prompt": self._prompt_id}))

    def _remind(self, event: None, actions: list[Action]) -> None:
        actions.append(Notify(NoticeKind.REMINDER, self._open_prompt_id))
        actions.append(Record(EventKind.REMINDED, self._now,
                              detail={"prompt": self._open_prompt_id}))

    def _snooze_over(self, event: None, actions: list[Action]) -> None:
        actions.append(Notify(NoticeKind.SNOOZE_OVER, self._open_prompt_id))
        actions.append(Record(EventKind.REMINDED, self._now,
                              detail={"prompt": self._open_prompt_id, "after_snooze": True}))

    def _hold(self, event: None, actions: list[Action]) -> None:
        actions.append(Record(EventKind.DEFERRED, self._now))
        if self._open_prompt_id is None:
            self._snoozes = 0  # a first prompt, held: nobody has snoozed it yet

    def _release(self, event: None, actions: list[Action]) -> None:
        # The held timer's own row does the work; all three lead to PENDING.
        fire, _ = _TRANSITIONS[self._held_from, _Edge.DUE]
        fire(self, event, actions)

    def _auto_resume(self, event: None, actions: list[Action]) -> None:
        actions.append(Notify(NoticeKind.RESUMED, self._prompt_id))
        actions.append(Record(EventKind.RESUMED, self._now, detail={"auto": True}))

    def _natural_break(self, event: TimeAway, actions: list[Action]) -> None:
        actions.append(Record(EventKind.NATURAL_BREAK, self._now, seconds=event.seconds,
                              detail=self._close_prompt()))

    def _push_countdown(self, event: TimeAway, actions: list[Action]) -> None:
        self._due += event.seconds  # time away is not time at the computer

    def _gone(self, event: Idle, actions: list[Action]) -> None:
        self._away_since = self._last_input  # an open prompt stays open until the return

    def _back(self, event: Idle, actions: list[Action]) -> None:
        actions.append(Record(EventKind.NATURAL_BREAK, self._now,
                              seconds=self._last_input - self._away_since,
                              detail=self._close_prompt()))
        self._away_since = None
        # Counted from the return, not from when the return was seen.
        self._due = max(self._last_input + self.config.interval, self._now + 1.0)

    def _skip_off_hours(self, event: Hours, actions: list[Action]) -> None:
        prompt = self._close_prompt()
        if prompt is not None:
            actions.append(Record(EventKind.SKIPPED, self._now,
                                  detail={**prompt, "off_hours": True}))

    def _gone_home(self, event: Hours, actions: list[Action]) -> None:
        prompt = self._close_prompt()
        if prompt is not None:  # the absence that dropped it was a natural break
            actions.append(Record(EventKind.NATURAL_BREAK, self._now,
                                  seconds=self._now - self._away_since, detail=prompt))
        self._away_since = None

    def _clock_jump(self, event: ClockJump, actions: list[Action]) -> None:
        shift = event.seconds
        actions.append(Record(EventKind.CLOCK_JUMP, self._now, seconds=shift))
        self._due += shift
        self._prompted_at += shift
        self._last_input = _shifted(self._last_input, shift)
        self._away_since = _shifted(self._away_since, shift)
        self._recheck_at = _shifted(self._recheck_at, shift)

    # ---- the prompt -----------------------------------------------------

    def _begin_prompt(self) -> None:
        self._prompt_id += 1
        self._open_prompt_id, self._prompted_at, self._snoozes = self._prompt_id, self._now, 0

    def _begin_answered(self, actions: list[Action]) -> None:
        """A held first prompt begins when answered, so the answer has a prompt to name."""
        if self._open_prompt_id is None:
            self._begin_prompt()
            actions.append(Record(EventKind.PROMPTED, self._now,
                                  detail={"prompt": self._prompt_id, "held": True}))

    def _close_prompt(self) -> dict | None:
        """End the open prompt, if any: the detail for the row that ends it."""
        if self._open_prompt_id is None:
            return None
        detail, self._open_prompt_id = {"prompt": self._open_prompt_id}, None
        return detail

    def _end_answered(self, kind: EventKind, actions: list[Action]) -> None:
        self._begin_answered(actions)
        actions.append(Record(kind, self._now, detail=self._close_prompt()))
        if self._recheck_at is not None:
            self._recheck_at = max(self._recheck_at, self._now + RECHECK_GAP)

    # ---- deadlines and display ------------------------------------------

    def _timer_check(self) -> float:
        if self.state is State.HELD:
            # A look for the window going away, or the end of the hold.
            return min(self._now + FULLSCREEN_POLL, self._held_since + self.config.max_deferral)
        return self._due if self.state in _TIMED else math.inf

    def _recheck_due(self) -> float:
        if self.state is not State.COUNTING or self._recheck_at is None:
            return math.inf
        return self._recheck_at

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

    def _next_break_at(self) -> float | None:
        if self.state is State.PENDING:
            return self._prompted_at
        return self._due if self.state in _SHOWS_DUE else None


# The rows that end a prompt (rule 8) and the rows that end a run, as the
# store's strings (an Enum member hashes by its name, so a set of members
# would not find the plain string read back from a row).
PROMPT_ENDS = frozenset(k.value for k in (
    EventKind.DONE, EventKind.SKIPPED, EventKind.PAUSED, EventKind.NATURAL_BREAK,
    EventKind.APP_STOPPED, EventKind.APP_CRASHED))
RUN_ENDS = frozenset(k.value for k in (EventKind.APP_STOPPED, EventKind.APP_CRASHED))


def unclean_stop(last_run: list[tuple[str, float, dict | None]]) -> UncleanStop | None:
    """How the last run ended, from its rows as (kind, ts, detail) in the
    order they were written, from its ``app_started`` on: None if it ended
    cleanly (or there was none), else when it was last seen and the prompt
    it left open. A pure function, so the app's start-up only reads rows.

    A run ends with ``app_stopped``, or with the ``app_crashed`` a later
    start wrote for it (that start may itself have died before its own
    ``app_started``: the crash is then recorded, and not again).
    """
    if not last_run or last_run[0][0] != EventKind.APP_STARTED:
        return None
    open_prompt = None
    for kind, _ts, detail in last_run:
        if kind in RUN_ENDS:
            return None
        prompt = (detail or {}).get("prompt")
        if kind == EventKind.PROMPTED:
            open_prompt = prompt
        elif kind in PROMPT_ENDS and prompt is not None and prompt == open_prompt:
            open_prompt = None
    return UncleanStop(last_seen=last_run[-1][1], open_prompt=open_prompt)


def _shifted(at: float | None, seconds: float) -> float | None:
    return None if at is None else at + seconds


def _rejection(state: State | None, event: Input) -> RejectReason:
    if isinstance(event, Start):
        return RejectReason.ALREADY_STARTED
    if isinstance(event, Resume):
        return RejectReason.NOT_PAUSED
    if state is State.PAUSED:
        return RejectReason.PAUSED
    return RejectReason.NOTHING_DUE


# A prompt is due and waits for Done, Snooze or Skip (a held one may not have begun).
_ANSWERING = (State.PENDING, State.SNOOZED, State.HELD)
_ACTIVE = (State.COUNTING, *_ANSWERING)  # at the computer, within working hours
_RUNNING = (*_ACTIVE, State.PAUSED, State.AWAY, State.OFF_HOURS)
# Their timer shows a notice, which fullscreen may hold.
_HOLDABLE = (State.COUNTING, State.PENDING, State.SNOOZED)
_TIMED = (*_HOLDABLE, State.PAUSED)  # a timer in _due that fires when due
_SHOWS_DUE = (State.COUNTING, State.SNOOZED, State.HELD)  # next_break_at is _due

# (state, input type or edge) -> (handler, target). The graph, in one place.
_TRANSITIONS = {
    # The user (rules 1, 4, 6, 7, 9, 15).
    (None, Start): (Scheduler._start, _To.COUNT_DOWN),
    **{(s, Done): (Scheduler._done, _To.COUNT_DOWN) for s in _ANSWERING},
    **{(s, BreakNow): (Scheduler._done, _To.COUNT_DOWN) for s in _ANSWERING},
    **{(s, Skip): (Scheduler._skip, _To.COUNT_DOWN) for s in _ANSWERING},
    **{(s, Snooze): (Scheduler._snooze, State.SNOOZED) for s in _ANSWERING},
    (State.COUNTING, BreakNow): (Scheduler._early_break, _To.COUNT_DOWN),
    **{(s, Pause): (Scheduler._pause, State.PAUSED) for s in _RUNNING},
    (State.PAUSED, Resume): (Scheduler._resume, _To.COUNT_DOWN),
    **{(s, RecheckAt): (Scheduler._set_recheck, _To.STAY) for s in _RUNNING},
    **{(s, Quit): (Scheduler._quit, State.STOPPED) for s in _RUNNING},
    # Timers (rules 2, 3, 5, 9).
    (State.COUNTING, _Edge.DUE): (Scheduler._prompt, State.PENDING),
    (State.PENDING, _Edge.DUE): (Scheduler._remind, State.PENDING),
    (State.SNOOZED, _Edge.DUE): (Scheduler._snooze_over, State.PENDING),
    (State.PAUSED, _Edge.DUE): (Scheduler._auto_resume, _To.COUNT_DOWN),
    # Fullscreen (rule 14).
    **{(s, _Edge.HOLD): (Scheduler._hold, State.HELD) for s in _HOLDABLE},
    (State.HELD, _Edge.RELEASE): (Scheduler._release, State.PENDING),
    # Readings (rules 10 to 13).
    **{(s, _Edge.LONG_AWAY): (Scheduler._natural_break, _To.COUNT_DOWN) for s in _ACTIVE},
    (State.COUNTING, _Edge.SHORT_AWAY): (Scheduler._push_countdown, _To.STAY),
    **{(s, ClockJump): (Scheduler._clock_jump, _To.STAY)
       for s in _RUNNING if s is not State.HELD},
    # The hold is timed on the clock that moved: it starts over (rule 14).
    (State.HELD, ClockJump): (Scheduler._clock_jump, _To.UNHOLD),
    **{(s, _Edge.GONE): (Scheduler._gone, State.AWAY) for s in _ACTIVE},
    (State.AWAY, _Edge.BACK): (Scheduler._back, _To.COUNT_DOWN),
    **{(s, _Edge.HOURS_OUT): (Scheduler._skip_off_hours, State.OFF_HOURS) for s in _ACTIVE},
    (State.AWAY, _Edge.HOURS_OUT): (Scheduler._gone_home, State.OFF_HOURS),
    (State.OFF_HOURS, _Edge.HOURS_IN): (Scheduler._no_effect, _To.COUNT_DOWN),
}

# Inputs that report what happened meanwhile, applied before any timer fires
# (rules 10 to 14): each turns into a table key, or into None (flags only).
_READINGS = {TimeAway: Scheduler._away_edge, ClockJump: Scheduler._clock_edge,
             Idle: Scheduler._idle_edge, Hours: Scheduler._hours_edge,
             Fullscreen: Scheduler._fullscreen_edge}

# Inputs that have a row but may still be refused for their value.
_GUARDS = {Snooze: Scheduler._refuse_snooze, Pause: Scheduler._refuse_pause}
