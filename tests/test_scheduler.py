"""The scheduler on a fake clock: examples first, then properties."""
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from posture_assistant.core.events import (
    BreakNow, ClockJump, Done, Fullscreen, Hours, Idle, NoticeKind, Notify, Pause, Quit, RecheckAt,
    Record, Rejected,
    RejectReason, Resume, Skip, Snooze, Start, State, Tick, TimeAway,
)
from posture_assistant.core.scheduler import AWAY_POLL, RECHECK_GAP, Scheduler, SchedulerConfig

HOUR, MIN = 3600.0, 60.0
T0 = 1_780_000_000.0


def make(interval=HOUR, reminder=10 * MIN, max_snoozes=3):
    s = Scheduler(SchedulerConfig(interval, reminder, max_snoozes))
    step = s.handle(Start(T0))
    return s, step


def records(step):
    return [a.kind for a in step.actions if isinstance(a, Record)]


def notices(step):
    return [a.kind for a in step.actions if isinstance(a, Notify)]


def test_start_counts_down_one_interval():
    s, step = make()
    assert records(step) == ["app_started"]
    assert step.deadline == T0 + HOUR
    assert s.snapshot().state is State.COUNTING
    assert s.snapshot().next_break_at == T0 + HOUR


def test_nothing_happens_before_the_interval():
    s, _ = make()
    step = s.handle(Tick(T0 + HOUR - 1))
    assert step.actions == ()
    assert step.deadline == T0 + HOUR


def test_prompt_after_the_interval():
    s, _ = make()
    step = s.handle(Tick(T0 + HOUR))
    assert notices(step) == [NoticeKind.PROMPT]
    assert records(step) == ["prompted"]
    assert s.snapshot().state is State.PENDING
    assert step.deadline == T0 + HOUR + 10 * MIN
    assert s.snapshot().snoozes_left == 3


def test_reminders_repeat_while_ignored_and_never_burst():
    s, _ = make()
    s.handle(Tick(T0 + HOUR))
    step = s.handle(Tick(T0 + HOUR + 10 * MIN))
    assert notices(step) == [NoticeKind.REMINDER]
    # Wake up three hours late (a laptop lid was shut): one reminder, not 18.
    step = s.handle(Tick(T0 + 4 * HOUR))
    assert notices(step) == [NoticeKind.REMINDER]
    assert records(step) == ["reminded"]
    assert step.deadline == T0 + 4 * HOUR + 10 * MIN


def test_done_records_and_restarts_the_countdown():
    s, _ = make()
    s.handle(Tick(T0 + HOUR))
    step = s.handle(Done(T0 + HOUR + 30))
    assert records(step) == ["done"]
    assert step.deadline == T0 + 2 * HOUR + 30
    assert s.snapshot().state is State.COUNTING


def test_skip_records_and_restarts_the_countdown():
    s, _ = make()
    s.handle(Tick(T0 + HOUR))
    step = s.handle(Skip(T0 + HOUR + 5))
    assert records(step) == ["skipped"]
    assert step.deadline == T0 + 2 * HOUR + 5


def test_snooze_delays_the_prompt_by_its_length_not_less():
    s, _ = make()
    s.handle(Tick(T0 + HOUR))
    step = s.handle(Snooze(T0 + HOUR + 2, 5 * MIN))
    snoozed = [a for a in step.actions if isinstance(a, Record)]
    assert [(r.kind, r.seconds) for r in snoozed] == [("snoozed", 5 * MIN)]
    assert step.deadline == T0 + HOUR + 2 + 5 * MIN
    assert s.handle(Tick(T0 + HOUR + 1 + 5 * MIN)).actions == ()
    step = s.handle(Tick(T0 + HOUR + 2 + 5 * MIN))
    assert notices(step) == [NoticeKind.SNOOZE_OVER]
    assert s.snapshot().state is State.PENDING


def test_snooze_limit_then_only_done_and_skip():
    s, _ = make(max_snoozes=2)
    now = T0 + HOUR
    s.handle(Tick(now))
    for _ in range(2):
        s.handle(Snooze(now, MIN))
        now += MIN
        s.handle(Tick(now))
    assert s.snapshot().snoozes_left == 0
    step = s.handle(Snooze(now, MIN))
    assert step.actions == (Rejected(RejectReason.SNOOZE_LIMIT),)
    assert s.snapshot().state is State.PENDING
    assert records(s.handle(Done(now))) == ["done"]


def test_a_snooze_must_have_a_length_and_start_comes_once():
    s, _ = make()
    s.handle(Tick(T0 + HOUR))
    assert s.handle(Snooze(T0 + HOUR, 0)).actions == (Rejected(RejectReason.SNOOZE_TOO_SHORT),)
    assert s.snapshot().state is State.PENDING
    assert s.handle(Start(T0 + HOUR)).actions == (Rejected(RejectReason.ALREADY_STARTED),)


def test_snooze_count_resets_for_the_next_prompt():
    s, _ = make(max_snoozes=1)
    s.handle(Tick(T0 + HOUR))
    s.handle(Snooze(T0 + HOUR, MIN))
    s.handle(Done(T0 + HOUR + 10))
    s.handle(Tick(T0 + 2 * HOUR + 10))
    assert s.snapshot().snoozes_left == 1


@pytest.mark.parametrize("event", [Done(T0 + 5), Skip(T0 + 5), Snooze(T0 + 5, MIN)])
def test_answers_are_rejected_when_nothing_is_due(event):
    s, _ = make()
    step = s.handle(event)
    assert step.actions == (Rejected(RejectReason.NOTHING_DUE),)
    assert step.deadline == T0 + HOUR


def test_break_now_while_counting_is_an_early_break():
    s, _ = make()
    step = s.handle(BreakNow(T0 + 20 * MIN))
    assert notices(step) == [NoticeKind.BREAK_STARTED]
    done = [a for a in step.actions if isinstance(a, Record)]
    assert [(d.kind, d.detail) for d in done] == [("done", {"early": True})]
    assert step.deadline == T0 + 20 * MIN + HOUR


def test_break_now_while_pending_is_done():
    s, _ = make()
    s.handle(Tick(T0 + HOUR))
    step = s.handle(BreakNow(T0 + HOUR + 1))
    assert records(step) == ["done"]
    assert notices(step) == []


def test_quit_stops_everything_and_names_the_open_prompt():
    s, _ = make()
    s.handle(Tick(T0 + HOUR))
    step = s.handle(Quit(T0 + HOUR + 1))
    assert [(a.kind, a.detail) for a in step.actions if isinstance(a, Record)] == [
        ("app_stopped", {"prompt": 1})]
    assert step.deadline is None
    assert s.handle(Tick(T0 + 9 * HOUR)) == s.handle(Done(T0 + 9 * HOUR))
    assert s.handle(Tick(T0 + 9 * HOUR)).actions == ()


def test_clock_stepped_back_fires_nothing():
    s, _ = make()
    assert s.handle(Tick(T0 - HOUR)).actions == ()
    assert s.handle(Tick(T0 + HOUR - 1)).actions == ()


def test_input_before_start_is_a_programming_error():
    s = Scheduler(SchedulerConfig(HOUR, MIN, 3))
    with pytest.raises(RuntimeError):
        s.handle(Tick(T0))


def test_bad_config_is_refused():
    with pytest.raises(ValueError):
        SchedulerConfig(0, MIN, 3)
    with pytest.raises(ValueError):
        SchedulerConfig(HOUR, MIN, -1)


# ---- properties ------------------------------------------------------------

STAND_UP = (NoticeKind.PROMPT, NoticeKind.REMINDER, NoticeKind.SNOOZE_OVER)
ANSWER = st.sampled_from(["tick", "tick", "tick", "done", "skip", "snooze", "break", "recheck",
                          "pause", "pause-forever", "resume", "away", "jump", "idle", "idle",
                          "active", "hours-in", "hours-out", "fs-on", "fs-off"])
STEP = st.tuples(ANSWER, st.floats(min_value=0, max_value=3 * HOUR, allow_nan=False),
                 st.floats(min_value=1, max_value=HOUR, allow_nan=False))


def run(script, interval, reminder, max_snoozes):
    """[(input, its step, the state after it)], ending with a Quit."""
    s = Scheduler(SchedulerConfig(interval, reminder, max_snoozes))
    log = []

    def feed(event):
        step = s.handle(event)
        log.append((event, step, s.snapshot().state))
        return step

    now = T0
    feed(Start(now))
    for kind, gap, length in script:
        now += gap
        event = {"tick": Tick, "done": Done, "skip": Skip, "break": BreakNow}.get(kind)
        if kind == "snooze":
            event = Snooze(now, length)
        elif kind == "recheck":
            event = RecheckAt(now, now + length - 30)  # sometimes already past
        elif kind == "pause":
            event = Pause(now, now + length)
        elif kind == "pause-forever":
            event = Pause(now, None)
        elif kind == "resume":
            event = Resume(now)
        elif kind == "away":
            event = TimeAway(now, length)
        elif kind == "idle":
            event = Idle(now, length * 2)
        elif kind == "active":
            event = Idle(now, 0.5)
        elif kind in ("fs-on", "fs-off"):
            event = Fullscreen(now, kind == "fs-on")
        elif kind in ("hours-in", "hours-out"):
            event = Hours(now, kind == "hours-in", now + length)
        elif kind == "jump":
            now += length - HOUR / 2  # the clock moves by -30 min .. +30 min
            event = ClockJump(now, length - HOUR / 2)
        else:
            event = event(now)
        # The app sleeps until the deadline and then ticks: do the same.
        deadline = feed(event).deadline
        if deadline is not None and deadline <= now + gap:
            feed(Tick(deadline))
            now = deadline
    feed(Quit(now + 1))
    return log


@settings(max_examples=300, deadline=None)
# Found by hypothesis: a snooze during a fullscreen deferral once left a
# deadline in the past (a busy loop in the real app).
@example(script=[("tick", 1.0, 1.0), ("fs-on", 1.0, 1.0), ("tick", 2.0, 1.0),
                 ("snooze", 1794.0, 3.0)], interval=1.0, reminder=1.0, max_snoozes=1)
@given(script=st.lists(STEP, max_size=60),
       interval=st.floats(min_value=1, max_value=2 * HOUR),
       reminder=st.floats(min_value=1, max_value=HOUR),
       max_snoozes=st.integers(min_value=0, max_value=4))
def test_invariants(script, interval, reminder, max_snoozes):
    log = run(script, interval, reminder, max_snoozes)
    open_prompts: set[int] = set()
    ended: dict[int, int] = {}
    snoozes: dict[int, int] = {}
    paused = away = off_hours = fullscreen = False
    deferred_at = None
    for event, step, state in log:
        if isinstance(event, Hours):
            off_hours = not event.inside
        if isinstance(event, Fullscreen):
            fullscreen = event.on
        for action in step.actions:
            if isinstance(action, Record) and action.kind == "deferred":
                deferred_at = action.at
            if isinstance(action, Notify) and action.kind in STAND_UP and fullscreen:
                # Fullscreen holds a prompt back until the deferral runs out.
                assert deferred_at is not None and event.now >= deferred_at + 1800
            if isinstance(action, Notify) and action.kind in STAND_UP:
                deferred_at = None
        away = state is State.AWAY
        if step.deadline is not None:
            # The next deadline is always after now.
            assert step.deadline > event.now
        # No burst: at most one "stand up" notification per wake-up.
        assert sum(isinstance(a, Notify) and a.kind in STAND_UP for a in step.actions) <= 1
        kinds = [a.kind for a in step.actions if isinstance(a, Record)]
        if isinstance(event, TimeAway) and event.seconds >= 180 and not (paused or away
                                                                          or off_hours):
            assert "natural_break" in kinds
        for action in step.actions:
            if not isinstance(action, Record):
                continue
            prompt = (action.detail or {}).get("prompt")
            if action.kind == "paused":
                paused = True
            elif action.kind == "resumed":
                paused = False
            if action.kind == "prompted":
                # Never two prompts pending; none while paused, away or off hours.
                assert not open_prompts and not paused and not away and not off_hours
                open_prompts.add(prompt)
            elif action.kind == "snoozed":
                snoozes[prompt] = snoozes.get(prompt, 0) + 1
                # Snoozes per prompt never go over the limit.
                assert snoozes[prompt] <= max_snoozes
            elif action.kind in ("done", "skipped", "app_stopped", "paused",
                                 "natural_break") and prompt is not None:
                assert prompt in open_prompts
                open_prompts.discard(prompt)
                ended[prompt] = ended.get(prompt, 0) + 1
    # Each prompt ends exactly once (Quit closes the last one).
    assert not open_prompts
    assert all(n == 1 for n in ended.values())


def test_thirty_simulated_days_prompt_about_once_an_hour():
    # How fast this runs is measured by bench/core_speed.py, not asserted here.
    s, _ = make(interval=HOUR, reminder=10 * MIN)
    now, prompts = T0, 0
    end = T0 + 30 * 24 * HOUR
    while now < end:
        now = s.deadline
        step = s.handle(Tick(now))
        if NoticeKind.PROMPT in notices(step):
            prompts += 1
            # Answer half the prompts late, to exercise reminders too.
            now += 15 * MIN if prompts % 2 else 30
            s.handle(Done(now))
    assert 30 * 24 * 0.8 < prompts <= 30 * 24


def test_recheck_fires_only_while_counting_and_once():
    s, _ = make()
    step = s.handle(RecheckAt(T0 + 10, T0 + 20 * MIN))
    assert step.deadline == T0 + 20 * MIN
    step = s.handle(Tick(T0 + 20 * MIN))
    assert notices(step) == [NoticeKind.RECHECK]
    assert step.deadline == T0 + HOUR
    assert notices(s.handle(Tick(T0 + 30 * MIN))) == []


def test_recheck_waits_for_the_prompt_to_end_and_a_quiet_gap():
    s, _ = make()
    s.handle(Tick(T0 + HOUR))  # prompt pending
    step = s.handle(RecheckAt(T0 + HOUR + 1, T0 + HOUR + 2))
    assert step.deadline == T0 + HOUR + 10 * MIN  # the reminder, not the re-check
    assert notices(s.handle(Tick(T0 + HOUR + 5))) == []
    step = s.handle(Done(T0 + HOUR + 60))
    assert NoticeKind.RECHECK not in notices(step)
    assert step.deadline == T0 + HOUR + 60 + RECHECK_GAP
    assert notices(s.handle(Tick(step.deadline))) == [NoticeKind.RECHECK]


def test_a_recheck_in_the_past_fires_at_once_and_keeps_the_deadline_ahead():
    s, _ = make()
    step = s.handle(RecheckAt(T0 + 100, T0))
    assert notices(step) == [NoticeKind.RECHECK]
    assert step.deadline > T0 + 100



def test_pause_ends_the_prompt_and_auto_resumes_with_a_notice():
    s, _ = make()
    s.handle(Tick(T0 + HOUR))
    step = s.handle(Pause(T0 + HOUR + 5, T0 + HOUR + 5 + 30 * MIN))
    assert [(a.kind, a.seconds, a.detail) for a in step.actions if isinstance(a, Record)] == [
        ("paused", 30 * MIN, {"prompt": 1})]
    assert s.snapshot().state is State.PAUSED
    assert s.snapshot().paused_until == T0 + HOUR + 5 + 30 * MIN
    assert s.handle(Done(T0 + HOUR + 10)).actions == (Rejected(RejectReason.PAUSED),)
    step = s.handle(Tick(T0 + HOUR + 5 + 30 * MIN))
    assert notices(step) == [NoticeKind.RESUMED] and records(step) == ["resumed"]
    assert step.deadline == T0 + 2 * HOUR + 5 + 30 * MIN


def test_pause_until_resumed_has_no_deadline():
    s, _ = make()
    step = s.handle(Pause(T0 + 1, None))
    assert step.deadline is None and s.snapshot().paused_until is None
    assert s.handle(Tick(T0 + 100 * HOUR)).actions == ()
    step = s.handle(Resume(T0 + 100 * HOUR))
    assert records(step) == ["resumed"] and step.deadline == T0 + 101 * HOUR
    assert s.handle(Resume(T0 + 100 * HOUR)).actions == (Rejected(RejectReason.NOT_PAUSED),)


def test_a_pause_must_end_in_the_future():
    s, _ = make()
    assert s.handle(Pause(T0 + 10, T0 + 5)).actions == (Rejected(RejectReason.PAUSE_IN_PAST),)


def test_a_long_suspend_is_a_natural_break_and_drops_the_due_prompt():
    s, _ = make(interval=HOUR)
    # Suspended at T0 + 50 min for 2 hours: the prompt fell due while away.
    step = s.handle(TimeAway(T0 + 170 * MIN, 2 * HOUR))
    assert [(a.kind, a.seconds) for a in step.actions if isinstance(a, Record)] == [
        ("natural_break", 2 * HOUR)]
    assert notices(step) == []
    assert step.deadline == T0 + 170 * MIN + HOUR


def test_a_long_suspend_ends_a_pending_prompt_as_a_natural_break():
    s, _ = make()
    s.handle(Tick(T0 + HOUR))
    step = s.handle(TimeAway(T0 + 2 * HOUR, 50 * MIN))
    assert [(a.kind, a.detail) for a in step.actions if isinstance(a, Record)] == [
        ("natural_break", {"prompt": 1})]
    assert s.snapshot().state is State.COUNTING


def test_a_short_absence_does_not_count_as_time_at_the_computer():
    s, _ = make()
    step = s.handle(TimeAway(T0 + 10 * MIN, 2 * MIN))
    assert step.actions == () and step.deadline == T0 + HOUR + 2 * MIN


def test_a_clock_jump_forward_fires_no_burst_and_back_loses_no_prompt():
    s, _ = make()
    step = s.handle(ClockJump(T0 + 10 * MIN + 3 * HOUR, 3 * HOUR))
    assert records(step) == ["clock_jump"] and notices(step) == []
    assert step.deadline == T0 + 4 * HOUR
    step = s.handle(ClockJump(T0 + 20 * MIN, -3 * HOUR))
    assert notices(step) == [] and step.deadline == T0 + HOUR
    assert notices(s.handle(Tick(T0 + HOUR))) == [NoticeKind.PROMPT]



def test_idle_for_break_duration_is_away_and_return_is_a_natural_break():
    s, _ = make(interval=HOUR)
    step = s.handle(Idle(T0 + 10 * MIN, 20))
    assert step.deadline == T0 + 10 * MIN - 20 + 180  # when 3 min idle would be reached
    step = s.handle(Idle(T0 + 12 * MIN, 3 * MIN))
    assert s.snapshot().state is State.AWAY
    assert step.deadline == T0 + 12 * MIN + AWAY_POLL
    # Away past the due time: no prompt.
    assert notices(s.handle(Tick(T0 + 2 * HOUR))) == []
    step = s.handle(Idle(T0 + 2 * HOUR + 30, 30))  # input 30 s ago: back
    assert [(a.kind, a.seconds) for a in step.actions if isinstance(a, Record)] == [
        ("natural_break", 2 * HOUR - 9 * MIN)]
    assert s.snapshot().next_break_at == T0 + 3 * HOUR  # counted from the return
    assert step.deadline == T0 + 2 * HOUR + 180  # the next idle check


def test_going_away_drops_the_pending_prompt_and_ends_it_once():
    s, _ = make()
    s.handle(Tick(T0 + HOUR))
    step = s.handle(Idle(T0 + HOUR + 10 * MIN, 11 * MIN))
    assert notices(step) == []  # not even the due reminder
    step = s.handle(Idle(T0 + HOUR + 30 * MIN, 1))
    assert [(a.kind, a.detail) for a in step.actions if isinstance(a, Record)] == [
        ("natural_break", {"prompt": 1})]


def test_short_idle_is_still_time_at_the_computer():
    s, _ = make()
    prompted_at = []
    for minute in range(0, 61, 2):
        step = s.handle(Idle(T0 + minute * MIN, 100))
        prompted_at += [minute for kind in notices(step) if kind is NoticeKind.PROMPT]
    # On time: short idle neither delays the prompt nor counts as being away.
    assert prompted_at == [60]
    assert s.snapshot().state is State.PENDING



def test_outside_working_hours_nothing_prompts_and_inside_starts_fresh():
    s, _ = make()
    s.handle(Tick(T0 + HOUR))  # a prompt is pending
    step = s.handle(Hours(T0 + HOUR + 60, False, T0 + 16 * HOUR))
    assert [(a.kind, a.detail) for a in step.actions if isinstance(a, Record)] == [
        ("skipped", {"prompt": 1, "off_hours": True})]
    assert s.snapshot().state is State.OFF_HOURS and step.deadline == T0 + 16 * HOUR
    assert s.handle(Tick(T0 + 10 * HOUR)).actions == ()
    step = s.handle(Hours(T0 + 16 * HOUR, True, T0 + 24 * HOUR))
    assert s.snapshot().state is State.COUNTING
    assert step.deadline == T0 + 17 * HOUR


def test_a_pause_that_ends_outside_working_hours_leads_off_hours():
    s, _ = make()
    s.handle(Pause(T0 + 1, T0 + HOUR))
    s.handle(Hours(T0 + 2, False, T0 + 10 * HOUR))
    assert s.snapshot().state is State.PAUSED
    step = s.handle(Tick(T0 + HOUR))
    assert s.snapshot().state is State.OFF_HOURS and step.deadline == T0 + 10 * HOUR



def test_fullscreen_defers_a_prompt_until_it_ends():
    s, _ = make()
    s.handle(Fullscreen(T0 + 10, True))
    step = s.handle(Tick(T0 + HOUR))
    assert notices(step) == [] and records(step) == ["deferred"]
    assert step.deadline == T0 + HOUR + 2  # looks again soon
    assert s.snapshot().state is State.HELD
    assert notices(s.handle(Tick(T0 + HOUR + 2))) == []
    step = s.handle(Fullscreen(T0 + HOUR + 4, False))
    assert notices(step) == [NoticeKind.PROMPT]
    assert records(step) == ["prompted"]  # deferred once, not again
    assert s.snapshot().state is State.PENDING


def test_a_deferral_runs_out_and_the_prompt_shows_anyway():
    s, _ = make()
    s.handle(Fullscreen(T0 + 10, True))
    s.handle(Tick(T0 + HOUR))
    assert notices(s.handle(Tick(T0 + HOUR + 29 * MIN))) == []
    assert notices(s.handle(Tick(T0 + HOUR + 30 * MIN))) == [NoticeKind.PROMPT]



def held_first_prompt():
    """A scheduler whose first prompt fell due at T0 + HOUR behind a fullscreen window."""
    s, _ = make()
    s.handle(Fullscreen(T0 + 10, True))
    s.handle(Tick(T0 + HOUR))
    return s


def test_a_held_first_prompt_shows_as_held_not_as_counting():
    s = held_first_prompt()
    snap = s.snapshot()
    assert snap.state is State.HELD
    assert snap.next_break_at == T0 + HOUR  # when it fell due
    assert snap.prompt_id is None and snap.snoozes_left == 3  # begun only when answered or shown


def test_a_held_first_prompt_can_be_snoozed():
    s = held_first_prompt()
    step = s.handle(Snooze(T0 + HOUR + 60, 5 * MIN))
    # It begins, unseen, so that the snooze has a prompt to name.
    assert [(a.kind, a.seconds, a.detail) for a in step.actions if isinstance(a, Record)] == [
        ("prompted", None, {"prompt": 1, "held": True}), ("snoozed", 5 * MIN, {"prompt": 1})]
    assert notices(step) == []
    assert s.snapshot().state is State.SNOOZED and s.snapshot().snoozes_left == 2
    assert step.deadline == T0 + HOUR + 60 + 5 * MIN


@pytest.mark.parametrize("answer, kind", [(Done, "done"), (BreakNow, "done"), (Skip, "skipped")])
def test_a_held_first_prompt_can_be_answered(answer, kind):
    s = held_first_prompt()
    step = s.handle(answer(T0 + HOUR + 60))
    assert [(a.kind, a.detail) for a in step.actions if isinstance(a, Record)] == [
        ("prompted", {"prompt": 1, "held": True}), (kind, {"prompt": 1})]
    assert notices(step) == []
    assert s.snapshot().state is State.COUNTING and step.deadline == T0 + 2 * HOUR + 60


def test_a_held_reminder_is_answered_like_the_prompt_it_belongs_to():
    s, _ = make(max_snoozes=1)
    s.handle(Tick(T0 + HOUR))
    s.handle(Fullscreen(T0 + HOUR + 60, True))
    step = s.handle(Tick(T0 + HOUR + 10 * MIN))
    assert records(step) == ["deferred"] and notices(step) == []
    assert s.snapshot().state is State.HELD and s.snapshot().prompt_id == 1
    assert records(s.handle(Snooze(T0 + HOUR + 11 * MIN, MIN))) == ["snoozed"]
    step = s.handle(Tick(T0 + HOUR + 12 * MIN))  # the snooze ends, still fullscreen
    assert records(step) == ["deferred"] and s.snapshot().state is State.HELD
    assert s.handle(Snooze(T0 + HOUR + 13 * MIN, MIN)).actions == (
        Rejected(RejectReason.SNOOZE_LIMIT),)
    assert records(s.handle(Done(T0 + HOUR + 13 * MIN))) == ["done"]


def test_pausing_a_held_first_prompt_ends_no_prompt():
    s = held_first_prompt()
    step = s.handle(Pause(T0 + HOUR + 60, None))
    assert [(a.kind, a.detail) for a in step.actions if isinstance(a, Record)] == [
        ("paused", None)]
    assert s.snapshot().state is State.PAUSED


def test_a_clock_jump_while_held_starts_the_hold_again():
    s = held_first_prompt()
    step = s.handle(ClockJump(T0 + HOUR + 60 + HOUR, HOUR))
    assert records(step) == ["clock_jump", "deferred"] and notices(step) == []
    assert s.snapshot().state is State.HELD
    assert s.snapshot().next_break_at == T0 + 2 * HOUR  # moved with the clock
    step = s.handle(Fullscreen(T0 + 2 * HOUR + 90, False))
    assert notices(step) == [NoticeKind.PROMPT] and s.snapshot().state is State.PENDING


def test_a_held_prompt_gets_no_recheck_and_is_not_pushed_back():
    s = held_first_prompt()
    # Quiet notices wait for the prompt too (rule 15); its countdown is over,
    # so a short suspend does not move it (rule 10).
    assert notices(s.handle(RecheckAt(T0 + HOUR + 1, T0 + HOUR + 1))) == []
    step = s.handle(TimeAway(T0 + HOUR + 3 * MIN, 2 * MIN))
    assert step.actions == () and step.deadline == T0 + HOUR + 3 * MIN + 2
    assert s.snapshot().state is State.HELD and s.snapshot().next_break_at == T0 + HOUR
    step = s.handle(Fullscreen(T0 + HOUR + 4 * MIN, False))
    assert notices(step) == [NoticeKind.PROMPT]


def test_wants_fullscreen_look_while_a_notice_is_due_or_held():
    s, _ = make()
    assert not s.wants_fullscreen_look(T0 + HOUR - 1) and s.wants_fullscreen_look(T0 + HOUR)
    s.handle(Fullscreen(T0 + 10, True))
    s.handle(Tick(T0 + HOUR))
    assert s.wants_fullscreen_look(T0 + HOUR + 1)  # held: to see it end
    s.handle(Pause(T0 + HOUR + 2, None))
    assert not s.wants_fullscreen_look(T0 + 3 * HOUR)


def test_prompt_due_says_when_a_stand_up_notice_would_fire():
    s, _ = make()
    assert not s.prompt_due(T0 + HOUR - 1) and s.prompt_due(T0 + HOUR)
    s.handle(Pause(T0 + 1, None))
    assert not s.prompt_due(T0 + 2 * HOUR)


# ---- a run that ended uncleanly (rule 1, rule 8) ---------------------------


def test_a_start_after_a_crash_closes_the_prompt_the_crash_left_open():
    from posture_assistant.core.events import UncleanStop

    s = Scheduler(SchedulerConfig(HOUR, 10 * MIN, 3))
    step = s.handle(Start(T0, UncleanStop(last_seen=T0 - 500, open_prompt=4)))
    crash, started = [a for a in step.actions if isinstance(a, Record)]
    assert (crash.kind, crash.at, crash.detail) == ("app_crashed", T0 - 500,
                                                    {"prompt": 4, "detected": T0})
    assert (started.kind, started.at) == ("app_started", T0)
    assert s.snapshot().state is State.COUNTING and step.deadline == T0 + HOUR


def test_a_crash_with_no_prompt_open_is_recorded_without_one():
    from posture_assistant.core.events import UncleanStop

    s = Scheduler(SchedulerConfig(HOUR, 10 * MIN, 3))
    step = s.handle(Start(T0, UncleanStop(last_seen=T0 - 9, open_prompt=None)))
    assert [(a.kind, a.detail) for a in step.actions if isinstance(a, Record)] == [
        ("app_crashed", {"detected": T0}), ("app_started", None)]


def run_rows(*rows):
    """(kind, ts, detail) rows, ts one second apart from T0."""
    return [(kind, T0 + i, detail) for i, (kind, detail) in enumerate(rows)]


@pytest.mark.parametrize("rows, expected", [
    ([], None),  # a new database
    (run_rows(("app_started", None), ("app_stopped", None)), None),
    (run_rows(("app_started", None), ("prompted", {"prompt": 1}),
              ("app_stopped", {"prompt": 1})), None),
    # Found and recorded by a start that died before its own app_started.
    (run_rows(("app_started", None), ("prompted", {"prompt": 1}),
              ("app_crashed", {"prompt": 1, "detected": T0 + 9})), None),
    (run_rows(("app_started", None)), (T0, None)),
    (run_rows(("app_started", None), ("prompted", {"prompt": 1}),
              ("reminded", {"prompt": 1}), ("snoozed", {"prompt": 1})), (T0 + 3, 1)),
    (run_rows(("app_started", None), ("prompted", {"prompt": 1}), ("done", {"prompt": 1}),
              ("prompted", {"prompt": 2}), ("skipped", {"prompt": 2}),
              ("done", {"early": True})), (T0 + 5, None)),
    (run_rows(("app_started", None), ("prompted", {"prompt": 1}),
              ("paused", {"prompt": 1}), ("resumed", None), ("prompted", {"prompt": 2}),
              ("deferred", None)), (T0 + 5, 2)),
    (run_rows(("app_started", None), ("prompted", {"prompt": 1}),
              ("natural_break", {"prompt": 1})), (T0 + 2, None)),
])
def test_unclean_stop_reads_how_the_last_run_ended(rows, expected):
    from posture_assistant.core.scheduler import unclean_stop

    found = unclean_stop(rows)
    assert (found and (found.last_seen, found.open_prompt)) == expected


def test_a_crash_found_at_start_leaves_every_prompt_ended_once():
    from posture_assistant.core.scheduler import unclean_stop
    from tests.history import assert_every_prompt_ends_once, prompt_problems

    written = []
    for run in range(3):
        s = Scheduler(SchedulerConfig(HOUR, 10 * MIN, 3))
        starts = [i for i, (kind, _, _) in enumerate(written) if kind == "app_started"]
        last_run = written[starts[-1]:] if starts else []
        now = T0 + run * 10 * HOUR
        for event in (Start(now, unclean_stop(last_run)), Tick(now + HOUR)):
            written += [(a.kind.value, a.at, a.detail) for a in s.handle(event).actions
                        if isinstance(a, Record)]
        # Killed with the prompt pending: nothing more is written.
    rows = [(k, d) for k, _, d in written]
    assert prompt_problems(rows) == ["run 3: prompt 1 never ends"]  # the last run, still open
    assert_every_prompt_ends_once(rows, running=True)
    assert [k for k, _ in rows].count("app_crashed") == 2
