"""Thirty simulated days of a person at a computer, through the pure core.

The simulated user comes and goes, answers some prompts late and ignores
others, and the machine sleeps and has its clock set now and then. The app is
modelled as it runs: it wakes at the core's deadline or at least once a
minute, reports suspends and clock jumps first, then idle time, then ticks.
Now and then it is killed and started again, finding the crash in the rows
it wrote, as the real app does at start.
"""
from __future__ import annotations

import random
from typing import Callable

import pytest

from posture_assistant.core.events import (
    ClockJump, Done, Hours, Idle, NoticeKind, Notify, Pause, Quit, Record, Resume, Skip, Snooze,
    Start, State, Tick, TimeAway,
)
from posture_assistant.core.scheduler import Scheduler, SchedulerConfig, unclean_stop
from tests.history import assert_every_prompt_ends_once

HOUR, MIN, DAY = 3600.0, 60.0, 86400.0
T0 = 1_790_000_000.0
STAND_UP = (NoticeKind.PROMPT, NoticeKind.REMINDER, NoticeKind.SNOOZE_OVER)


# Working hours as the app reports them: wall time -> (inside, until).
WorkingHours = Callable[[float], tuple[bool, float]]


class World:
    def __init__(self, seed: int, start: float = T0, hours: WorkingHours | None = None):
        self.rng = random.Random(seed)
        self.config = SchedulerConfig(interval=HOUR, reminder_interval=10 * MIN,
                                      max_snoozes=2, break_duration=3 * MIN)
        self.core = Scheduler(self.config)
        self.hours = hours  # None: always inside, as without the setting
        self.real = start  # real time; the wall clock may differ by `offset`
        self.offset = 0.0
        self.present = True
        self.last_input = start
        self.away_until = 0.0
        self.pending_answer: tuple[float, str] | None = None
        self.log: list[tuple[float, object, tuple]] = []
        self.rows: list[tuple[str, float, dict | None]] = []  # as the store would hold them
        self.run_began = 0  # the index in `rows` of the running run's app_started
        self.paused = self.away = False
        self.since_reset = 0.0  # seconds of presence since the last prompt or break

    @property
    def wall(self) -> float:
        return self.real + self.offset

    def feed(self, event) -> tuple:
        step = self.core.handle(event)
        self.log.append((self.real, event, step.actions))
        for a in step.actions:
            if isinstance(a, Record):
                if a.kind == "app_started":
                    self.run_began = len(self.rows)
                self.rows.append((a.kind.value, a.at, a.detail))
        self.check(event, step)
        self.away = self.core.state is State.AWAY
        return step

    def check(self, event, step) -> None:
        stand_ups = [a for a in step.actions if isinstance(a, Notify) and a.kind in STAND_UP]
        assert len(stand_ups) <= 1, "a burst of prompts"
        # Judged by the state before this step: a prompt that fell due just
        # before a pause or a departure is fired before that input applies.
        if any(isinstance(a, Notify) and a.kind is NoticeKind.PROMPT for a in step.actions):
            assert not self.paused and not self.away, "a prompt while paused or away"
            idle = self.real - self.last_input
            assert idle < self.config.break_duration, "a prompt while the user was away"
            if self.hours is not None:
                assert self.hours(event.now)[0], "a prompt outside working hours"
        for a in step.actions:
            if isinstance(a, Record) and a.kind == "paused":
                self.paused = True
            if isinstance(a, Record) and a.kind == "resumed":
                self.paused = False
            if isinstance(a, Record) and a.kind in ("prompted", "natural_break", "resumed",
                                                    "done", "skipped", "paused"):
                self.since_reset = 0.0
        if step.deadline is not None:
            assert step.deadline > event.now

    def run(self, days: int) -> None:
        self.feed(Start(self.wall))
        end = self.real + days * DAY
        while self.real < end:
            deadline = self.core.deadline
            wake = self.wall + 60 if deadline is None else min(deadline, self.wall + 60)
            step_real = max(0.5, wake - self.wall)
            self.advance(step_real)
        self.feed(Quit(self.wall))

    def restart_after_a_kill(self) -> None:
        """A new app on the same rows: the old one wrote nothing more."""
        last_run = self.rows[self.run_began:]
        self.core = Scheduler(self.config)
        self.paused = self.away = False
        self.since_reset = 0.0
        self.feed(Start(self.wall, unclean_stop(last_run)))
        if self.hours is not None:
            self.feed(Hours(self.wall, *self.hours(self.wall)))

    def advance(self, seconds: float) -> None:
        rng = self.rng
        self.real += seconds
        # The app reports working hours first at every wake-up.
        if self.hours is not None:
            self.feed(Hours(self.wall, *self.hours(self.wall)))
        # The person.
        if self.present:
            self.since_reset += seconds
            self.last_input = self.real - rng.uniform(0, 30)
            if rng.random() < 0.01:  # gets up
                self.present = False
                self.away_until = self.real + rng.choice([60, 120, 600, 3600, 5 * HOUR])
        elif self.real >= self.away_until:
            self.present = True
            self.last_input = self.real
        # The machine: a suspend, a clock step, or a pause now and then.
        roll = rng.random()
        if roll < 0.002:
            slept = rng.choice([30 * MIN, 8 * HOUR])
            self.real += slept
            self.last_input = self.real
            self.feed(TimeAway(self.wall, slept))
        elif roll < 0.004:
            jump = rng.choice([-HOUR, HOUR])
            self.offset += jump
            self.feed(ClockJump(self.wall, jump))
        elif roll < 0.005 and self.present:
            self.feed(Pause(self.wall, self.wall + rng.choice([30 * MIN, 2 * HOUR])))
        elif roll < 0.006 and self.core.state is State.PAUSED:
            self.feed(Resume(self.wall))
        elif roll < 0.0065:
            self.restart_after_a_kill()
        # The app: idle first, then time.
        self.feed(Idle(self.wall, max(0.0, self.real - self.last_input)))
        self.feed(Tick(self.wall))
        # The person answers a pending prompt, sometimes late.
        if self.core.state is State.PENDING and self.present:
            choice = rng.random()
            if choice < 0.6:
                self.feed(Done(self.wall))
            elif choice < 0.75:
                self.feed(Snooze(self.wall, 5 * MIN))
            elif choice < 0.85:
                self.feed(Skip(self.wall))
        # Every full interval at the computer, inside working hours, ends in a
        # prompt or a break.
        if self.core.state is State.OFF_HOURS:
            self.since_reset = 0.0
        if self.present and self.core.state is State.COUNTING:
            assert self.since_reset <= HOUR + 5 * MIN, "an hour went by with no prompt"


@pytest.mark.parametrize("seed", range(3))
def test_thirty_days_keep_every_promise(seed):
    # How fast this runs is measured by bench/core_speed.py, not asserted here.
    world = World(seed)
    world.run(days=30)
    kinds = [a.kind for _, _, actions in world.log for a in actions if isinstance(a, Record)]
    assert kinds.count("prompted") > 100
    assert kinds.count("natural_break") > 10
    assert kinds.count("clock_jump") > 0 and kinds.count("paused") > 0
    assert kinds.count("app_crashed") > 3
    assert_every_prompt_ends_once([(kind, detail) for kind, _, detail in world.rows])


def test_thirty_days_with_working_hours_across_a_dst_change():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from posture_assistant.storage.hours import parse_working_hours, where

    berlin = ZoneInfo("Europe/Berlin")
    hours = parse_working_hours("mon-fri 08:00-12:00, 13:00-17:30; sat 10:00-12:00")
    # Start on 2026-10-10, so the 30 days include the end of summer time.
    world = World(7, start=datetime(2026, 10, 10, 7, 0, tzinfo=berlin).timestamp(),
                  hours=lambda wall: where(wall, hours, berlin))
    world.run(days=30)
    kinds = [a.kind for _, _, actions in world.log for a in actions if isinstance(a, Record)]
    assert kinds.count("prompted") > 20
    assert_every_prompt_ends_once([(kind, detail) for kind, _, detail in world.rows])
