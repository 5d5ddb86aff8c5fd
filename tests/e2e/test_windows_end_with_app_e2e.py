"""A window the app opened goes when the app dies, even by kill -9, which
leaves the app no chance to close it: each window reads its stdin pipe from
the app to the end. One the user opened from a terminal stays."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from posture_assistant.features.checklist.window import pages
from posture_assistant.storage.content import load_checklist

from .conftest import wait_for
from .test_checklist_e2e import window


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def gone(pid: int) -> bool:
    """Ended: no such process, or a zombie waiting for whoever adopted it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def offer_then_kill(desktop, posture, keys_per_page, wait_for_title=None):
    """Start a first-time app (it opens the checklist offer as its child),
    press `keys_per_page` on each page (then wait for a window titled
    `wait_for_title`), kill -9 the app, and see the window go."""
    app = posture(first_start=True, POSTURE_BREAK_INTERVAL="1h").start()
    offer = wait_for(lambda: window(desktop), 20, what="the checklist offer")
    child, = wait_for(lambda: children(app.proc.pid), 10, what="the window's process")
    time.sleep(0.4)  # let Tk take the focus it asked for
    for keys in keys_per_page:
        desktop.xdotool("key", "--delay", "30", *keys)
        time.sleep(0.2)
    if wait_for_title:
        wait_for(lambda: window(desktop, wait_for_title), 10, what=wait_for_title)
    os.kill(app.proc.pid, signal.SIGKILL)
    app.proc.wait(10)
    wait_for(lambda: offer not in desktop.toplevels(), 10, what="the window to close")
    wait_for(lambda: gone(child), 10, what="the window's process to end")
    assert window(desktop, "Discard answers?") is None
    assert "Traceback" not in app.log(), app.log()  # the window writes to the app's log
    return app


def test_a_half_answered_checklist_closes_when_the_app_is_killed(desktop, posture, windows):
    # Answers not yet saved go with it: the run is saved when the result shows.
    # Escape first, so the window is asking whether to throw them away.
    app = offer_then_kill(desktop, posture, [["y", "n", "Escape"]], "Discard answers?")
    assert app.cli("checklist", "--last").returncode == 1  # nothing saved, nothing half-saved


def test_a_finished_checklist_is_kept_when_the_app_is_killed(desktop, posture, windows):
    # Through every page to the result, which saves the run; then the kill.
    app = offer_then_kill(desktop, posture,
                          [["y", "Return"] for _ in pages(load_checklist())])
    r = app.cli("checklist", "--last", "--json")
    assert r.returncode == 0, r.stderr
    assert "yes" in json.loads(r.stdout)["answers"].values()


def test_a_window_opened_from_a_terminal_has_no_app_to_follow(desktop, posture, windows):
    # Its stdin is at its end from the start (no terminal): that means nothing.
    app = posture()
    env = {k: v for k, v in app.env.items() if k != "POSTURE_APP_PIPE"}
    proc = subprocess.Popen([sys.executable, "-m", "posture_assistant", "checklist", "--window"],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        shown = wait_for(lambda: window(desktop), 20, what="the checklist window")
        time.sleep(2.0)
        assert proc.poll() is None and shown in desktop.toplevels()
        time.sleep(0.4)
        desktop.xdotool("key", "Escape")  # nothing answered: closes without asking
        assert proc.wait(10) == 1, proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
