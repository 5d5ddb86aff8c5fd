"""Activity detection on a real X server: idle time, natural breaks, input."""
from __future__ import annotations

import threading
from contextlib import contextmanager
import time

from .conftest import wait_for


@contextmanager
def someone_at_the_computer(desktop):
    """The pointer moves every 0.5 s meanwhile, like a person at work, so no
    pause comes near break_duration even when a loaded machine makes
    starting the app or asking its status slow."""
    stop = threading.Event()

    def keep_moving():
        step = 2
        while not stop.wait(0.5):
            desktop.xdotool("mousemove_relative", "--", str(step), "0")
            step = -step

    mover = threading.Thread(target=keep_moving)
    mover.start()
    try:
        yield
    finally:
        stop.set()
        mover.join()


def test_idle_time_makes_a_natural_break_shown_in_status(desktop, posture):
    with someone_at_the_computer(desktop):
        app = posture(POSTURE_BREAK_INTERVAL="1h", POSTURE_BREAK_DURATION="2s").start()
    assert app.status()["activity_detection"] == "X11 (XScreenSaver)"
    desktop.xdotool("mousemove_relative", "--", "3", "3")  # start from fresh input
    # Nobody touches anything: after 2 s the user counts as away.
    app.wait_state("away", timeout=10)
    time.sleep(1)
    desktop.xdotool("mousemove_relative", "--", "-3", "-3")  # back at the desk
    status = wait_for(lambda: (lambda s: s if s["state"] == "counting" else None)(app.status()),
                      10, what="the return to be noticed")
    assert status["today"]["natural"] == 1
    rows = [(k, s) for k, s in app.events() if k == "natural_break"]
    assert len(rows) == 1 and rows[0][1] >= 2.5
    # The countdown restarted at the return: a full interval ahead.
    assert status["seconds_to_next_break"] > 3590


def test_pointer_movement_counts_as_activity(desktop, posture):
    with someone_at_the_computer(desktop):
        app = posture(POSTURE_BREAK_INTERVAL="1h", POSTURE_BREAK_DURATION="2s").start()
        end = time.monotonic() + 5
        while time.monotonic() < end:
            assert app.status()["state"] == "counting"
            time.sleep(0.5)
    assert "natural_break" not in app.kinds()


def test_a_prompt_due_while_away_is_dropped_not_shown(desktop, posture):
    before = len(desktop.notifications())
    app = posture(POSTURE_BREAK_INTERVAL="3s", POSTURE_BREAK_DURATION="1s").start()
    app.wait_state("away", timeout=10)
    time.sleep(3.5)  # the prompt falls due while away
    assert app.status()["state"] == "away"
    assert "prompted" not in app.kinds()
    desktop.xdotool("mousemove_relative", "--", "1", "1")
    # A status request makes the app look at once (on its own it looks once
    # a minute while away).
    wait_for(lambda: app.status()["today"]["natural"] == 1, 10, what="the natural break")
    assert "Time to stand up and stretch" not in [
        n["summary"] for n in desktop.notifications()[before:]]
