"""Speed of the pure scheduler core on a fake clock.

Not a test: it prints numbers, so a slow CI machine cannot fail a unit test.

    .venv/bin/python bench/core_speed.py [--days 30] [--runs 5]

Prints, for --days simulated days (median and max over --runs):
  - "ticks only": the core woken only at its own deadlines, every other
    prompt answered at once and the rest after a reminder;
  - "app-like": also an idle sample and a tick at least once a minute, as the
    app does while someone is at the computer (its busiest case).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from posture_assistant.core.events import Done, Idle, NoticeKind, Notify, Start, Tick  # noqa: E402
from posture_assistant.core.scheduler import Scheduler, SchedulerConfig  # noqa: E402

HOUR, MIN, DAY = 3600.0, 60.0, 86400.0
T0 = 1_780_000_000.0


def prompted(step) -> bool:
    return any(isinstance(a, Notify) and a.kind is NoticeKind.PROMPT for a in step.actions)


def ticks_only(days: float) -> int:
    """The core alone, woken at its deadlines; returns the inputs handled."""
    core = Scheduler(SchedulerConfig(HOUR, 10 * MIN, 3))
    core.handle(Start(T0))
    now, prompts, inputs = T0, 0, 1
    while now < T0 + days * DAY:
        now = core.deadline
        step = core.handle(Tick(now))
        inputs += 1
        if prompted(step):
            prompts += 1
            now += 15 * MIN if prompts % 2 else 30  # half of them after a reminder
            core.handle(Done(now))
            inputs += 1
    return inputs


def app_like(days: float) -> int:
    """An idle sample and a tick per wake-up, waking at least once a minute."""
    core = Scheduler(SchedulerConfig(HOUR, 10 * MIN, 3))
    core.handle(Start(T0))
    now, inputs = T0, 1
    while now < T0 + days * DAY:
        now = min(core.deadline, now + MIN)
        core.handle(Idle(now, 5.0))
        step = core.handle(Tick(now))
        inputs += 2
        if prompted(step):
            core.handle(Done(now + 30))
            inputs += 1
    return inputs


def timed(run, days: float, runs: int) -> tuple[list[float], int]:
    times, inputs = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        inputs = run(days)
        times.append(time.perf_counter() - started)
    return times, inputs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=float, default=30.0, help="simulated days per run")
    ap.add_argument("--runs", type=int, default=5, help="runs to take the median over")
    args = ap.parse_args()
    print(f"{args.days:g} simulated days, {args.runs} runs, Python {sys.version.split()[0]}")
    for name, run in (("ticks only", ticks_only), ("app-like", app_like)):
        times, inputs = timed(run, args.days, args.runs)
        median = statistics.median(times)
        print(f"{name:>10}: median {median * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
              f"for {inputs} inputs ({median / inputs * 1e6:.1f} µs each)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
