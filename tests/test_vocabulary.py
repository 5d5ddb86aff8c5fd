"""The core speaks only its enums, and every member is spoken.

Every state is set up, every kind of input (with the values that matter) is
fed to it early and late, and the outcome is played on a little: whatever
comes out must be an EventKind, NoticeKind or RejectReason member, and every
member must come out somewhere, so the vocabularies hold no dead words.
"""
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from posture_assistant.core.events import (
    BreakNow, ClockJump, Command, Done, EventKind, Fullscreen, Hours, Idle, NoticeKind, Notify,
    Pause, Quit, RecheckAt, Record, Rejected, RejectReason, Resume, Skip, Snooze, Start, State,
    Tick, TimeAway, UncleanStop,
)
from posture_assistant.core.scheduler import Scheduler, SchedulerConfig

HOUR, MIN = 3600.0, 60.0
T0 = 1_780_000_000.0
BREAK = 3 * MIN  # break_duration

# Ways to reach every state: (name, inputs after Start at T0).
SETUPS = {
    "counting": [],
    "pending": [Tick(T0 + HOUR)],
    "snoozed": [Tick(T0 + HOUR), Snooze(T0 + HOUR, 5 * MIN)],
    "no snoozes left": [Tick(T0 + HOUR), Snooze(T0 + HOUR, MIN), Tick(T0 + HOUR + MIN),
                        Snooze(T0 + HOUR + MIN, MIN), Tick(T0 + HOUR + 2 * MIN)],
    "held prompt": [Fullscreen(T0, True), Tick(T0 + HOUR)],
    "held reminder": [Tick(T0 + HOUR), Fullscreen(T0 + HOUR, True), Tick(T0 + HOUR + 10 * MIN)],
    "held snooze-over": [Tick(T0 + HOUR), Snooze(T0 + HOUR, MIN), Fullscreen(T0 + HOUR, True),
                         Tick(T0 + HOUR + MIN)],
    "paused until": [Tick(T0 + HOUR), Pause(T0 + HOUR, T0 + 2 * HOUR)],
    "paused until resumed": [Pause(T0 + 1, None)],
    "away": [Idle(T0 + 10 * MIN, BREAK)],
    "away from a prompt": [Tick(T0 + HOUR), Idle(T0 + HOUR + 5 * MIN, BREAK)],
    "off hours": [Tick(T0 + HOUR), Hours(T0 + HOUR, False, T0 + 9 * HOUR)],
    "stopped": [Quit(T0 + 1)],
    # A setup may bring its own Start: here, the run before was killed.
    "after a crash": [Start(T0, UncleanStop(last_seen=T0 - HOUR, open_prompt=3))],
}


def inputs(now):
    """One of each input, with each value that takes a different path."""
    return [
        Start(now), Tick(now), Done(now), Skip(now), BreakNow(now), Quit(now),
        Snooze(now, 5 * MIN), Snooze(now, 0), Resume(now),
        Pause(now, now + HOUR), Pause(now, None), Pause(now, now - 1),
        RecheckAt(now, now + MIN), RecheckAt(now, None),
        Idle(now, 1), Idle(now, 2 * BREAK), TimeAway(now, MIN), TimeAway(now, HOUR),
        ClockJump(now + HOUR, HOUR), ClockJump(now - HOUR, -HOUR),
        Hours(now, True, now + HOUR), Hours(now, False, now + HOUR),
        Fullscreen(now, True), Fullscreen(now, False),
    ]


def scheduler(setup):
    s = Scheduler(SchedulerConfig(HOUR, 10 * MIN, 2, break_duration=BREAK))
    if not (setup and isinstance(setup[0], Start)):
        setup = [Start(T0), *setup]
    steps = [s.handle(event) for event in setup]
    return s, steps


def play_everything():
    """[(the step, the state after it)] for every setup, input and moment."""
    seen = []
    for setup in SETUPS.values():
        for moment in (T0 + 2 * HOUR + 1, T0 + 30 * HOUR):  # before and after timers fall due
            for event in inputs(moment):
                s, steps = scheduler(setup)
                seen += [(step, s.snapshot().state) for step in steps]
                for later in (event, Tick(moment + 15 * MIN), Fullscreen(moment + 16 * MIN, False),
                              Tick(moment + 40 * MIN), Resume(moment + 41 * MIN),
                              Idle(moment + 50 * MIN, 0), Quit(moment + 51 * MIN)):
                    seen.append((s.handle(later), s.snapshot().state))
    return seen


PLAYED = play_everything()
ACTIONS = [action for step, _ in PLAYED for action in step.actions]


def test_every_action_speaks_an_enum():
    for action in ACTIONS:
        if isinstance(action, Record):
            assert isinstance(action.kind, EventKind), action
        elif isinstance(action, Notify):
            assert isinstance(action.kind, NoticeKind), action
        else:
            assert isinstance(action, Rejected) and isinstance(action.reason, RejectReason), action


def test_every_event_kind_can_be_recorded():
    recorded = {a.kind for a in ACTIONS if isinstance(a, Record)}
    assert recorded == set(EventKind)


def test_every_reject_reason_can_be_given():
    given_reasons = {a.reason for a in ACTIONS if isinstance(a, Rejected)}
    assert given_reasons == set(RejectReason)


def test_every_notice_and_every_state_occurs():
    assert {a.kind for a in ACTIONS if isinstance(a, Notify)} == set(NoticeKind)
    assert {state for _, state in PLAYED} == set(State)


def test_the_vocabularies_go_on_the_wire_as_their_values():
    for kind in EventKind:
        assert json.dumps(kind) == json.dumps(kind.value) and EventKind(kind.value) is kind
    for command in Command:
        assert json.dumps(command) == json.dumps(command.value)
        assert Command(command.value) is command
    assert len({c.value for c in Command}) == len(Command)


KINDS_OF_INPUT = len(inputs(0.0))


@settings(max_examples=200, deadline=None)
@given(script=st.lists(st.tuples(st.integers(0, KINDS_OF_INPUT - 1), st.floats(0, 2 * HOUR)),
                       max_size=40))
def test_random_scripts_speak_only_enums(script):
    s, steps = scheduler([])
    now = T0
    for which, gap in script:
        now += gap
        steps.append(s.handle(inputs(now)[which]))
    for action in (a for step in steps for a in step.actions):
        word = action.reason if isinstance(action, Rejected) else action.kind
        assert isinstance(word, (EventKind, NoticeKind, RejectReason)), action
